"""The public HTML pages say values in words and rounded numbers; the JSON keeps them whole."""

from __future__ import annotations

import html
import re

from cadastre.ogc.display import display_bbox, display_value

ITEMS = "/collections/licences/items"


def _cells(page: str) -> list[str]:
    return [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page)]


def test_display_rules():
    assert display_value(["diamond", "gold"], "commodities") == "diamond, gold"
    assert display_value(0.4223744727022946, "area_ha") == "0.42"
    assert display_value(1234.5, "area_ha") == "1,234.50"
    assert display_value(3.14159, "border_distance_km") == "3.14"
    assert display_value(42.06, "border_distance_km") == "42.1"
    assert display_value(5.0, "min_km") == "5"
    assert display_value(None, "area_ha") == ""
    assert display_value("Kono", "district") == "Kono"
    assert display_bbox([-13.307262999, 6.923611, -10.27157, 10.0]) == (
        "-13.30726, 6.92361, -10.27157, 10"
    )


def test_items_page_lists_commodities_and_rounds_areas(client, register):
    fc = client.get(f"{ITEMS}?limit=100").get_json()
    both = next(f for f in fc["features"] if f["properties"]["commodities"] == ["diamond", "gold"])
    area = both["properties"]["area_ha"]
    assert len(repr(area)) > 8  # the JSON keeps the full value
    page = client.get(f"{ITEMS}?f=html&limit=100").get_data(as_text=True)
    assert "['diamond'" not in page and "[&#39;diamond" not in page
    assert "diamond, gold" in _cells(page)
    assert f"{area:,.2f}" in _cells(page)
    assert repr(area) not in page
    one = client.get(f"{ITEMS}/{both['id']}?f=html").get_data(as_text=True)
    assert "diamond, gold" in _cells(one) and f"{area:,.2f}" in _cells(one)
    assert repr(area) not in one
    distance = both["properties"]["border_distance_km"]
    if distance is not None:
        assert display_value(distance, "border_distance_km") in _cells(one)


def test_collection_extents_are_rounded(client, register):
    page = client.get("/collections?f=html").get_data(as_text=True)
    extents = [c for c in _cells(page) if re.fullmatch(r"-?[0-9.]+(, -?[0-9.]+){3}", c)]
    assert extents, page
    for extent in extents:
        assert all(len(part.strip().split(".")[-1]) <= 5 for part in extent.split(",")), extent
