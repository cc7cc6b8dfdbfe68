"""Vector tiles: MVT content, strong ETags that follow the data, 304, gzip, metadata."""

import gzip
import math
import shutil
import subprocess

import mapbox_vector_tile
import pytest
from ogc.schemas import TILEJSON, TILESET, check
from pyproj import Transformer
from shapely.geometry import box, shape

from tests.conftest import SHARED_CLIENTS

TILES = "/collections/licences/tiles/WebMercatorQuad"
MVT = "application/vnd.mapbox-vector-tile"
TO_4326 = Transformer.from_crs(3857, 4326, always_xy=True)
HALF = 20037508.342789244


def tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def tile_box(z, x, y):
    size = 2 * HALF / 2**z
    minx, maxy = -HALF + x * size, HALF - y * size
    (lon1, lat1), (lon2, lat2) = (TO_4326.transform(minx, maxy - size),
                                  TO_4326.transform(minx + size, maxy))
    return box(lon1, lat1, lon2, lat2)


@pytest.fixture
def everything(client, register):
    return client.get("/collections/licences/items?limit=1000").get_json()["features"]


def test_tile_holds_the_features_in_it(client, everything):
    z = 14
    x, y = tile_of(-10.955, 8.642, z)
    r = client.get(f"{TILES}/{z}/{y}/{x}")
    assert r.status_code == 200 and r.mimetype == MVT
    assert r.headers["Cache-Control"].startswith("public")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    layer = mapbox_vector_tile.decode(r.data)["licences"]
    area = tile_box(z, x, y)
    expected = {int(f["id"]) for f in everything if shape(f["geometry"]).intersects(area)}
    assert expected and {f["id"] for f in layer["features"]} == expected
    props = layer["features"][0]["properties"]
    assert {"code", "status", "border_tier", "risk_level", "commodities"} <= set(props)
    assert layer["extent"] == 4096


def test_etag_304_and_change_only_when_the_tile_data_changes(app, client, everything, sessions):
    from cadastre.models import Licence
    from cadastre.tiles.cache import TileCache

    app.extensions["cadastre_tiles"] = TileCache(fresh_for=0)  # re-check on every request
    z = 14
    x, y = tile_of(-10.955, 8.642, z)
    url = f"{TILES}/{z}/{y}/{x}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith('W/')  # strong
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    area = tile_box(z, x, y)
    inside = next(int(f["id"]) for f in everything if shape(f["geometry"]).intersects(area))
    outside = next(int(f["id"]) for f in everything
                   if not shape(f["geometry"]).intersects(area.buffer(0.01)))
    with sessions() as s:  # a change elsewhere leaves this tile's ETag alone
        s.get(Licence, outside).border_tier = "watch"
        s.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with sessions() as s:
        s.get(Licence, inside).status = "revoked"
        s.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    statuses = {f["id"]: f["properties"]["status"]
                for f in mapbox_vector_tile.decode(changed.data)["licences"]["features"]}
    assert statuses[inside] == "revoked"
    # The cached copy is replaced too: a plain request gets the new data and ETag.
    plain = client.get(url)
    assert plain.headers["ETag"] == changed.headers["ETag"] and plain.data == changed.data


def test_cached_tile_is_trusted_only_within_its_window(app, client, everything, sessions):
    from cadastre.models import Licence
    from cadastre.tiles.cache import TileCache

    cache = app.extensions["cadastre_tiles"] = TileCache(fresh_for=3600)
    z = 14
    x, y = tile_of(-10.955, 8.642, z)
    url = f"{TILES}/{z}/{y}/{x}"
    etag = client.get(url).headers["ETag"]
    inside = next(int(f["id"]) for f in everything
                  if shape(f["geometry"]).intersects(tile_box(z, x, y)))
    with sessions() as s:
        s.get(Licence, inside).status = "revoked"
        s.commit()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # in window
    cache.fresh_for = 0
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_gzip_when_accepted(client, everything):
    z = 12
    x, y = tile_of(-10.955, 8.642, z)
    plain = client.get(f"{TILES}/{z}/{y}/{x}")
    zipped = client.get(f"{TILES}/{z}/{y}/{x}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.data) == plain.data
    assert "Accept-Encoding" in zipped.headers["Vary"]
    again = client.get(f"{TILES}/{z}/{y}/{x}", headers={"Accept-Encoding": "gzip",
                                                        "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304


def test_empty_and_out_of_range_tiles(client, everything):
    x, y = tile_of(20.0, 50.0, 10)
    empty = client.get(f"{TILES}/10/{y}/{x}")
    assert empty.status_code == 204 and empty.headers["ETag"]
    assert client.get(f"{TILES}/3/4/3").status_code == 404  # below the licences' min zoom
    assert client.get(f"{TILES}/12/5000/5000").status_code == 404
    assert client.get("/collections/nope/tiles/WebMercatorQuad/8/1/1").status_code == 404
    z, (x, y) = 5, tile_of(-11.5, 8.5, 5)
    borders = client.get(f"/collections/borders/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert borders.status_code == 200
    assert len(mapbox_vector_tile.decode(borders.data)["borders"]["features"]) >= 2


def test_tileset_metadata_tilejson_and_links(client, everything):
    sets = client.get("/collections/licences/tiles").get_json()
    assert sets["tilesets"][0]["tileMatrixSetURI"].endswith("WebMercatorQuad")
    meta = check(client.get(TILES).get_json(), TILESET)
    zooms = [int(lim["tileMatrix"]) for lim in meta["tileMatrixSetLimits"]]
    assert zooms[0] == 6 and zooms[-1] == 16
    x, y = tile_of(-10.955, 8.642, 12)
    lim12 = meta["tileMatrixSetLimits"][12 - 6]
    assert lim12["minTileCol"] <= x <= lim12["maxTileCol"]
    assert lim12["minTileRow"] <= y <= lim12["maxTileRow"]
    item = next(lk for lk in meta["links"] if lk["rel"] == "item")
    assert item["type"] == MVT and item["href"].endswith("/{tileMatrix}/{tileRow}/{tileCol}")
    tj = check(client.get(f"{TILES}/tilejson.json").get_json(), TILEJSON)
    assert tj["tiles"][0].endswith("/collections/licences/tiles/WebMercatorQuad/{z}/{y}/{x}")
    assert tj["vector_layers"][0]["id"] == "licences" and tj["minzoom"] == 6
    assert "border_tier" in tj["vector_layers"][0]["fields"]
    tms = client.get("/tileMatrixSets/WebMercatorQuad").get_json()
    assert tms["tileMatrices"][0]["matrixWidth"] == 1 and tms["crs"].endswith("3857")
    coll = client.get("/collections/licences").get_json()
    assert any(lk["href"].endswith("/collections/licences/tiles") for lk in coll["links"])


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs gdal-bin")
def test_gdal_mvt_driver_decodes_a_live_tile(live, tmp_path):
    import requests

    z = 13
    x, y = tile_of(-10.93, 8.66, z)
    r = requests.get(f"{live.url}{TILES}/{z}/{y}/{x}")  # requests inflates gzip itself
    assert r.status_code == 200 and r.headers["Content-Type"] == MVT
    assert r.headers["Content-Encoding"] == "gzip"
    folder = tmp_path / str(z) / str(x)
    folder.mkdir(parents=True)
    (folder / f"{y}.pbf").write_bytes(r.content)
    out = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(folder / f"{y}.pbf")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    count = int(out.stdout.split("Feature Count: ")[1].split()[0])
    area = tile_box(z, x, y)
    features = requests.get(f"{live.url}/collections/licences/items?limit=1000").json()["features"]
    assert count == sum(1 for f in features if shape(f["geometry"]).intersects(area)) > 0
    not_modified = requests.get(f"{live.url}{TILES}/{z}/{y}/{x}",
                                headers={"If-None-Match": r.headers["ETag"]})
    assert not_modified.status_code == 304


@pytest.mark.skipif(shutil.which("ogrinfo") is None or not SHARED_CLIENTS.exists(),
                    reason="needs gdal-bin and the shared client scripts")
def test_shared_mvt_check_passes(live):
    z = 12
    x, y = tile_of(-10.93, 8.66, z)
    template = f"{live.url}{TILES}/{{z}}/{{y}}/{{x}}"
    done = subprocess.run(["bash", str(SHARED_CLIENTS / "mvt_check.sh"), template, str(z), str(x),
                           str(y)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "ALL PASSED" in done.stdout, done.stdout + done.stderr
    assert "WARN" not in done.stdout  # Cache-Control, ETag and 304 all present
