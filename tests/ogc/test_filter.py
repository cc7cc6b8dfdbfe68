"""CQL2 filtering (Part 3): text and JSON, each operator checked against the data itself."""

import json
from urllib.parse import quote

import pytest
from pyproj import Geod
from shapely.geometry import Point, box, shape
from sqlalchemy.dialects import postgresql

from cadastre.ogc.collections import get_collection
from cadastre.ogc.cql import filter_clause
from cadastre.ogc.crs import DEFAULT
from ogc.schemas import FEATURE_COLLECTION, bad_request, check

ITEMS = "/collections/licences/items"
GEOD = Geod(ellps="WGS84")


@pytest.fixture
def everything(client, register):
    return client.get(f"{ITEMS}?limit=1000").get_json()["features"]


def ids(client, cql, lang="cql2-text"):
    text = cql if isinstance(cql, str) else json.dumps(cql)
    r = client.get(f"{ITEMS}?limit=1000&filter-lang={lang}&filter={quote(text)}")
    assert r.status_code == 200, r.get_data(as_text=True)
    return {f["id"] for f in check(r.get_json(), FEATURE_COLLECTION)["features"]}


def where(features, test):
    return {f["id"] for f in features if test(f["properties"], shape(f["geometry"]))}


def test_comparison_logical_in_between_like(client, everything):
    cases = [
        ("status = 'granted'", lambda p, g: p["status"] == "granted"),
        ("border_distance_km >= 5 AND border_distance_km < 9",
         lambda p, g: 5 <= p["border_distance_km"] < 9),
        ("status = 'granted' OR border_tier = 'high'",
         lambda p, g: p["status"] == "granted" or p["border_tier"] == "high"),
        ("NOT (status = 'granted')", lambda p, g: p["status"] != "granted"),
        ("border_tier IN ('high', 'watch')", lambda p, g: p["border_tier"] in ("high", "watch")),
        ("border_distance_km BETWEEN 2 AND 6", lambda p, g: 2 <= p["border_distance_km"] <= 6),
        ("code LIKE 'SML/2025/000%'", lambda p, g: p["code"].startswith("SML/2025/000")),
        ("CASEI(holder_name) = CASEI('MAP LAYER HOLDER 1')",
         lambda p, g: p["holder_name"] == "Map Layer Holder 1"),
        ("granted_at > DATE('2025-02-13')",
         lambda p, g: p["granted_at"] is not None and p["granted_at"] > "2025-02-13"),
        ("border_tier IS NULL", lambda p, g: p["border_tier"] is None),
        ("commodities = 'gold'", lambda p, g: "gold" in p["commodities"]),
    ]
    for cql, test in cases:
        expected = where(everything, test)
        assert 0 < len(expected) < len(everything), cql
        assert ids(client, cql) == expected, cql


def test_spatial_predicates(client, everything):
    area = box(-10.9705, 8.6395, -10.9355, 8.6455)
    wkt = area.wkt
    assert ids(client, f"S_INTERSECTS(geometry, {wkt})") == where(
        everything, lambda p, g: g.intersects(area))
    assert ids(client, f"S_WITHIN(geometry, {wkt})") == where(
        everything, lambda p, g: g.within(area))
    assert ids(client, "S_INTERSECTS(geometry, BBOX(-10.9705, 8.6395, -10.9355, 8.6455))") == \
        where(everything, lambda p, g: g.intersects(area))
    centre = Point(-10.95, 8.6425)

    def within_m(g, metres):
        return min(GEOD.inv(centre.x, centre.y, x, y)[2]
                   for x, y in g.exterior.coords) <= metres if g.geom_type == "Polygon" else \
            min(within_m(part, metres) for part in g.geoms)

    expected = where(everything, lambda p, g: g.contains(centre) or within_m(g, 1500))
    assert 0 < len(expected) < len(everything)
    assert ids(client, "S_DWITHIN(geometry, POINT(-10.95 8.6425), 1500, meters)") == expected
    assert ids(client, "S_DWITHIN(geometry, POINT(-10.95 8.6425), 1.5, kilometers)") == expected


def test_cql2_json(client, everything):
    granted = where(everything, lambda p, g: p["status"] == "granted")
    assert ids(client, {"op": "=", "args": [{"property": "status"}, "granted"]},
               "cql2-json") == granted
    both = {"op": "and", "args": [
        {"op": "in", "args": [{"property": "border_tier"}, ["high", "elevated"]]},
        {"op": "s_intersects", "args": [{"property": "geometry"},
                                        {"type": "Polygon", "coordinates": [[
                                            [-10.98, 8.63], [-10.90, 8.63], [-10.90, 8.66],
                                            [-10.98, 8.66], [-10.98, 8.63]]]}]},
    ]}
    area = box(-10.98, 8.63, -10.90, 8.66)
    assert ids(client, both, "cql2-json") == where(
        everything, lambda p, g: p["border_tier"] in ("high", "elevated") and g.intersects(area))
    near = {"op": "s_dwithin", "args": [{"property": "geometry"},
                                        {"type": "Point", "coordinates": [-10.95, 8.6425]},
                                        1500, "meters"]}
    assert ids(client, near, "cql2-json") == ids(
        client, "S_DWITHIN(geometry, POINT(-10.95 8.6425), 1500, meters)")
    between = {"op": "between", "args": [{"property": "border_distance_km"}, [2, 6]]}
    assert ids(client, between, "cql2-json") == where(
        everything, lambda p, g: 2 <= p["border_distance_km"] <= 6)


def test_filter_crs_for_literal_geometries(client, everything):
    area = "POLYGON((8.6395 -10.9705, 8.6455 -10.9705, 8.6455 -10.9355, 8.6395 -10.9355, " \
           "8.6395 -10.9705))"  # lat/lon: EPSG:4326 axis order
    crs = quote("http://www.opengis.net/def/crs/EPSG/0/4326")
    r = client.get(f"{ITEMS}?filter-crs={crs}&filter={quote(f'S_INTERSECTS(geometry, {area})')}")
    got = {f["id"] for f in r.get_json()["features"]}
    expected = where(everything, lambda p, g: g.intersects(box(-10.9705, 8.6395, -10.9355,
                                                                8.6455)))
    assert got == expected and 0 < len(got) < len(everything)


def test_bad_filters_are_400_naming_filter(client, everything):
    for cql in ("status = ", "colour = 'red'", "area_ha > 'big'", "status LIKE 3",
                "S_DWITHIN(geometry, POINT(0 0), 10, parsecs)", "holder_id = 1",
                "granted_at > DATE('2025-99-01')"):
        bad_request(client.get(f"{ITEMS}?filter={quote(cql)}"), "filter")
    bad_request(client.get(f"{ITEMS}?filter={quote('{nope')}&filter-lang=cql2-json"), "filter")
    bad_request(client.get(f"{ITEMS}?filter=x&filter-lang=ecql"), "filter-lang")


def test_literals_are_bound_parameters_never_sql_text(app):
    coll = get_collection("licences")
    evil = "x; DELETE FROM licences; --"
    with app.app_context():
        clause = filter_clause(coll, f"code = '{evil}' AND S_INTERSECTS(geometry, POINT(-11 8))",
                               "cql2-text", DEFAULT)
    compiled = clause.compile(dialect=postgresql.psycopg.dialect())
    sql = str(compiled)
    assert evil not in sql and "DELETE" not in sql and "-11" not in sql
    assert evil in compiled.params.values()


def test_injection_attempts_match_nothing(client, everything):
    assert ids(client, "code = 'x; DELETE FROM licences; --'") == set()
    r = client.get(f"{ITEMS}?filter={quote(chr(39).join(['code = ', 'x', ' OR 1=1 --', '']))}")
    assert r.status_code == 400  # a quote cannot close the literal: the filter is refused
    assert len(client.get(f"{ITEMS}?limit=1000").get_json()["features"]) == len(everything)
