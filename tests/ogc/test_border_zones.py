"""The border-zones collection (the border-risk tier bands), once that model has landed."""

import mapbox_vector_tile
import pytest

from cadastre.ogc.collections import all_collections
from ogc.schemas import FEATURE_COLLECTION, check

zones = pytest.importorskip("cadastre.services.border_zones")


@pytest.fixture
def bands(empty_register, profile):
    if "border-zones" not in all_collections():
        pytest.skip("no BorderZone model")
    count = zones.rebuild_border_zones(empty_register, profile)
    empty_register.flush()
    assert count > 0
    return count


def test_border_zones_items_filters_and_tiles(client, bands):
    fc = check(client.get("/collections/border-zones/items?limit=1000").get_json(),
               FEATURE_COLLECTION)
    assert fc["numberMatched"] == len(fc["features"]) == bands
    tiers = [f["properties"]["tier"] for f in fc["features"]]
    assert set(tiers) <= {"high", "elevated", "watch"} and "high" in tiers
    high = client.get("/collections/border-zones/items?tier=high&limit=1000").get_json()
    assert high["numberMatched"] == tiers.count("high")
    assert any("Liberia" in f["properties"]["border"] for f in fc["features"])
    # z7 tile over the Sierra Leone-Liberia border (Mano River near -11.4, 7.0)
    r = client.get("/collections/border-zones/tiles/WebMercatorQuad/7/61/59")
    assert r.status_code == 200
    assert mapbox_vector_tile.decode(r.data)["border-zones"]["features"]
    meta = client.get("/collections/border-zones").get_json()
    assert meta["id"] == "border-zones" and meta["extent"]["spatial"]["bbox"][0][0] < -10
