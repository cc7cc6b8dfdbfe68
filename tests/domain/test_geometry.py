"""Fast tests of geometry intake: no database, no app; shapely and pyproj only."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Polygon, box

from cadastre.domain import corners as corners_module
from cadastre.domain import geometry as geometry_module
from cadastre.domain.geometry import (
    check_area_limit,
    check_inside_country,
    geodesic_area_ha,
    parse_corners,
    parse_geojson,
    to_geojson,
)
from cadastre.errors import ValidationError

KENEMA = [(-11.19, 7.88), (-11.18, 7.88), (-11.18, 7.89), (-11.19, 7.89)]
KOIDU = [(-10.97, 8.64), (-10.96, 8.64), (-10.96, 8.65), (-10.97, 8.65)]  # UTM 29N
PORT_LOKO = [(-12.79, 8.76), (-12.78, 8.76), (-12.78, 8.77), (-12.79, 8.77)]  # UTM 28N
MAKENI = [(-12.05, 8.88), (-12.04, 8.88), (-12.04, 8.89), (-12.05, 8.89)]  # on the 28/29 seam


def closed(corners):
    return [list(c) for c in corners] + [list(corners[0])]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": [closed(r) for r in rings]}


def refusal(func, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(*args, **kwargs)
    err = info.value
    assert err.errors and err.errors[0]["message"] == err.detail
    return err


def corners_of(geom):
    """Corners of the (first) outer ring, without the closing repeat."""
    poly = geom.geoms[0] if isinstance(geom, MultiPolygon) else geom
    return list(poly.exterior.coords)[:-1]


def assert_same_corners(got, expected, tol=1e-6):
    """Same corners in the same cyclic order, whichever way round the ring was returned."""
    assert len(got) == len(expected)
    start = min(range(len(got)), key=lambda i: math.dist(got[i], expected[0]))
    rotated = got[start:] + got[:start]
    if math.dist(rotated[1], expected[1]) > tol:
        rotated = [rotated[0]] + rotated[1:][::-1]
    for (x, y), (ex, ey) in zip(rotated, expected, strict=True):
        assert abs(x - ex) < tol and abs(y - ey) < tol, (x, y, ex, ey)


# --- parse_geojson -------------------------------------------------------------------------


def test_valid_square_parses_to_multipolygon():
    geom = parse_geojson(polygon(KENEMA))
    assert isinstance(geom, MultiPolygon) and geom.is_valid and len(geom.geoms) == 1
    assert geom.bounds == pytest.approx((-11.19, 7.88, -11.18, 7.89))
    assert geom.geoms[0].exterior.is_ccw  # RFC 7946 orientation


def test_feature_and_single_feature_collection_are_unwrapped():
    feature = {"type": "Feature", "properties": {}, "geometry": polygon(KENEMA)}
    point = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-11.1, 7.9]}}
    assert parse_geojson(feature).equals(parse_geojson(polygon(KENEMA)))
    collection = {"type": "FeatureCollection", "features": [point, feature]}
    assert parse_geojson(collection).equals(parse_geojson(polygon(KENEMA)))
    two = {"type": "FeatureCollection", "features": [feature, feature]}
    assert "2 polygon features" in refusal(parse_geojson, two).detail


def test_wrong_type_is_refused():
    err = refusal(parse_geojson, {"type": "LineString", "coordinates": [[0, 0], [1, 1]]})
    assert "LineString" in err.detail and "Polygon" in err.detail


def test_bow_tie_is_refused_with_the_crossing_point_and_sides():
    bow_tie = [(-11.19, 7.88), (-11.18, 7.89), (-11.18, 7.88), (-11.19, 7.89)]
    err = refusal(parse_geojson, polygon(bow_tie), field="area")
    assert err.errors[0]["field"] == "area"
    assert "crosses" in err.detail and "ring 1 (the outer boundary)" in err.detail.lower()
    assert "longitude -11.185000, latitude 7.885000" in err.detail
    assert "the side from corner 1 to corner 2 crosses the side from corner 3 to corner 4" in (
        err.detail
    )


def test_bow_tie_in_second_part_names_the_part():
    bow_tie = [(-11.17, 7.88), (-11.16, 7.89), (-11.16, 7.88), (-11.17, 7.89)]
    multi = {"type": "MultiPolygon", "coordinates": [[closed(KENEMA)], [closed(bow_tie)]]}
    err = refusal(parse_geojson, multi)
    assert "Ring 1 (the outer boundary) of part 2 crosses" in err.detail
    assert "longitude -11.165000, latitude 7.885000" in err.detail


def test_open_ring_is_refused_naming_ring_and_part():
    hole = [[-11.187, 7.883], [-11.183, 7.883], [-11.183, 7.887], [-11.187, 7.887]]  # not closed
    multi = {"type": "MultiPolygon", "coordinates": [[closed(KOIDU)], [closed(KENEMA), hole]]}
    err = refusal(parse_geojson, multi)
    assert "Ring 2 (hole 1) of part 2 is not closed" in err.detail
    assert "Repeat the first corner" in err.detail


def test_too_few_positions_and_too_few_distinct_corners():
    a, b, c = KENEMA[:3]
    err = refusal(parse_geojson, {"type": "Polygon", "coordinates": [[a, b, a]]})
    assert "only 3 positions" in err.detail and "at least 4" in err.detail
    err = refusal(parse_geojson, {"type": "Polygon", "coordinates": [[a, b, b, a]]})
    assert "only 2 distinct corners" in err.detail
    err = refusal(parse_geojson, {"type": "Polygon", "coordinates": [[a, b, (-11.17, 7.88), a]]})
    assert "one straight line" in err.detail


def test_out_of_range_longitude_names_the_corner():
    ring = closed(KENEMA)
    ring[2] = [200.0, 7.89]
    err = refusal(parse_geojson, {"type": "Polygon", "coordinates": [ring]})
    assert "Corner 3 of ring 1" in err.detail and "longitude 200 is outside" in err.detail


def test_non_number_coordinate_is_refused():
    ring = closed(KENEMA)
    ring[1] = [-11.18, "7.88"]
    err = refusal(parse_geojson, {"type": "Polygon", "coordinates": [ring]})
    assert "Corner 2" in err.detail and "latitude '7.88' is not a number" in err.detail


def test_swapped_latitude_longitude_is_detected():
    swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in closed(KENEMA)]]}
    err = refusal(parse_geojson, swapped)
    assert "coordinates look like latitude, longitude; GeoJSON wants longitude, latitude" in (
        err.detail
    )
    # Without a region to compare with, the swapped square is a legal (if odd) place.
    assert parse_geojson(swapped, swap_check_bbox=None).is_valid


def test_swap_hint_when_latitude_is_out_of_range():
    ring = [[8.0, 100.0], [8.0, 100.1], [8.1, 100.1], [8.0, 100.0]]
    err = refusal(parse_geojson, {"type": "Polygon", "coordinates": [ring]})
    assert "latitude 100 is outside" in err.detail and "latitude, longitude" in err.detail


def test_z_is_dropped_even_when_mixed():
    ring = [[x, y, 123.4] for x, y in closed(KENEMA)]
    ring[1] = ring[1][:2]  # a 2D position among 3D ones
    ring[-1] = [*ring[0][:2], 99.0]  # closure is judged in 2D
    geom = parse_geojson({"type": "Polygon", "coordinates": [ring]})
    assert not geom.has_z
    assert geom.equals(parse_geojson(polygon(KENEMA)))


def test_multipolygon_with_empty_part_is_refused():
    multi = {"type": "MultiPolygon", "coordinates": [[closed(KENEMA)], []]}
    assert "Part 2 is empty" in refusal(parse_geojson, multi).detail


def test_vertex_limit():
    ring = closed(KENEMA)
    assert parse_geojson({"type": "Polygon", "coordinates": [ring]}, max_vertices=5)
    err = refusal(parse_geojson, {"type": "Polygon", "coordinates": [ring]}, max_vertices=4)
    assert "5 corner points" in err.detail and "at most 4" in err.detail


def test_hole_outside_shell_and_overlapping_parts():
    hole = [(-11.20, 7.885), (-11.195, 7.885), (-11.195, 7.886)]
    err = refusal(parse_geojson, polygon(KENEMA, hole))
    assert "Ring 2 (hole 1) lies outside the outer boundary" in err.detail
    shifted = [(x + 0.005, y) for x, y in KENEMA]
    multi = {"type": "MultiPolygon", "coordinates": [[closed(KENEMA)], [closed(shifted)]]}
    assert "Parts 1 and 2 overlap" in refusal(parse_geojson, multi).detail


def test_to_geojson_round_trips_with_lists():
    geom = parse_geojson(polygon(KENEMA))
    out = to_geojson(geom)
    assert out["type"] == "MultiPolygon" and isinstance(out["coordinates"][0][0][0], list)
    assert parse_geojson(out).equals(geom)


# --- parse_corners -------------------------------------------------------------------------


def dms(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return f"{d}°{m}'{s:.4f}\"{hemi}"


def utm_text(corners, epsg: int) -> str:
    to_utm = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    lines = []
    for lon, lat in corners:
        e, n = to_utm.transform(lon, lat)
        lines.append(f"{e:.4f} {n:.4f}")
    return "\n".join(lines)


def test_dd_dms_and_utm29_give_the_same_place():
    dd = "\n".join(f"{lat}, {lon}" for lon, lat in KOIDU)
    dd_letters = "\n".join(f"{lat}N {-lon}W" for lon, lat in KOIDU)
    dms_text = "\n".join(f"{dms(lat, 'N', 'S')} {dms(lon, 'E', 'W')}" for lon, lat in KOIDU)
    utm = utm_text(KOIDU, 32629)
    for text, notation in [(dd, "dd"), (dd_letters, "dd"), (dms_text, "dms"), (utm, "utm29")]:
        assert_same_corners(corners_of(parse_corners(text, notation=notation)), KOIDU)
        assert_same_corners(corners_of(parse_corners(text)), KOIDU)  # auto detection


def test_utm28_gives_the_same_place():
    text = utm_text(PORT_LOKO, 32628)
    assert_same_corners(corners_of(parse_corners(text, notation="utm28")), PORT_LOKO)
    assert_same_corners(corners_of(parse_corners(text)), PORT_LOKO)  # auto picks 28N


def test_same_corners_in_either_zone_agree():
    from_28 = parse_corners(utm_text(MAKENI, 32628), notation="UTM 28N")
    from_29 = parse_corners(utm_text(MAKENI, 32629), notation="EPSG:32629")
    assert_same_corners(corners_of(from_28), MAKENI)
    assert_same_corners(corners_of(from_29), MAKENI)


def test_dms_spellings():
    spellings = [
        "8°38'24\"N 10°58'12\"W",
        "8 38 24 N, 10 58 12 W",
        "8d38m24s N 10d58m12s W",
        "N 8°38.4' W 10°58.2'",
        "10°58'12\"W 8°38'24\"N",
        "8 38 24 -10 58 12",
    ]
    for line in spellings:
        text = "\n".join([line, "8.65 -10.97", "8.65 -10.96", "8.64 -10.96"])
        (lon, lat) = corners_of(parse_corners(text))[0]
        assert lon == pytest.approx(-10.97) and lat == pytest.approx(8.64), line


def test_ring_is_closed_automatically_and_labels_are_ignored():
    text = "P1 8.64, -10.97\nP2 8.64, -10.96\nP3 8.65, -10.96\nP4 8.65, -10.97"
    poly = parse_corners(text)
    assert isinstance(poly, Polygon) and len(poly.exterior.coords) == 5
    again = parse_corners(text + "\nP5 8.64, -10.97")
    assert again.equals(poly) and len(again.exterior.coords) == 5


def test_rows_are_accepted():
    rows = [(lat, lon) for lon, lat in KOIDU]
    assert_same_corners(corners_of(parse_corners(rows, notation="dd")), KOIDU)


def test_bad_corner_line_names_its_number():
    text = "8.64, -10.97\n8.64, -10.96\n8.65, -1o.96\n8.65, -10.97"
    err = refusal(parse_corners, text)
    assert err.detail.startswith("Corner 3:") and "“8.65, -1o.96”" in err.detail
    assert err.errors[0]["field"] == "corners"


def test_header_and_blank_lines_keep_line_numbers():
    text = "Latitude, Longitude\n8.64, -10.97\n\n8.64, -10.96\n8.65, -10.96\n8.65, 200"
    err = refusal(parse_corners, text)
    assert "Corner 4 (line 6): longitude 200 is outside" in err.detail


def test_minutes_over_sixty_and_notation_mismatch():
    err = refusal(parse_corners, "8 75 0 N 10 58 0 W\n8.65 -10.96\n8.64 -10.96")
    assert "Corner 1" in err.detail and "minutes must be below 60" in err.detail
    err = refusal(parse_corners, "8.64 -10.97\n8.65 -10.96\n8.64 -10.96", notation="utm29")
    assert "Corner 1" in err.detail and "decimal degrees" in err.detail
    err = refusal(parse_corners, "8.64 -10.97\n8.65 -10.96\n300000 955000")
    assert "Corner 3 is written as UTM" in err.detail


def test_utm_ranges_are_checked():
    err = refusal(parse_corners, "950000 955000\n951000 955000\n951000 956000", notation="utm29")
    assert "Corner 1: easting 950,000.0 m is outside the plausible range" in err.detail
    err = refusal(parse_corners, "300000 -5\n301000 955000\n301000 956000", notation="utm29")
    assert "Corner 1" in err.detail


def test_corner_list_bow_tie_too_few_and_swapped():
    err = refusal(parse_corners, "7.88 -11.19\n7.89 -11.18\n7.88 -11.18\n7.89 -11.19")
    assert "The boundary crosses" in err.detail and "longitude -11.185000" in err.detail
    assert "from corner 1 to corner 2 crosses the side from corner 3 to corner 4" in err.detail
    err = refusal(parse_corners, "7.88 -11.19\n7.89 -11.18")
    assert "Only 2 distinct corners" in err.detail
    err = refusal(parse_corners, "7.88 -11.19\n7.88 -11.18\n7.89 -11.18\n7.88 -11.18")
    assert "The boundary crosses or touches itself" in err.detail and "corner 3" in err.detail
    err = refusal(parse_corners, "\n".join(f"{lon} {lat}" for lon, lat in KOIDU))
    assert "read latitude first" in err.detail
    err = refusal(parse_corners, "\n".join(f"{lat} {lon}" for lon, lat in KOIDU), max_vertices=3)
    assert "at most 3" in err.detail


# --- areas ---------------------------------------------------------------------------------


def test_geodesic_area_of_a_hundredth_degree_square_near_8n():
    square = box(-11.19, 8.0, -11.18, 8.01)
    lons, lats = zip(*square.exterior.coords, strict=True)
    expected_m2, _ = Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)
    area = geodesic_area_ha(square)
    assert area == pytest.approx(abs(expected_m2) / 10_000, rel=1e-12)
    assert 121.0 < area < 123.0
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32629", always_xy=True).transform
    utm_ha = shapely.transform(square, to_utm, interleaved=False).area / 10_000
    assert abs(area - utm_ha) / utm_ha < 0.001
    laea = Transformer.from_crs(
        "EPSG:4326", "+proj=laea +lat_0=8.005 +lon_0=-11.185 +datum=WGS84", always_xy=True
    ).transform
    laea_ha = shapely.transform(square, laea, interleaved=False).area / 10_000
    assert area == pytest.approx(laea_ha, rel=1e-5)


def test_geodesic_area_ignores_orientation_and_subtracts_holes():
    outer = box(-11.19, 8.0, -11.18, 8.01)
    cw = Polygon(list(outer.exterior.coords)[::-1])
    assert geodesic_area_ha(MultiPolygon([outer, cw])) == pytest.approx(2 * geodesic_area_ha(outer))
    hole = box(-11.187, 8.003, -11.183, 8.007)
    holed = Polygon(outer.exterior.coords, [hole.exterior.coords])  # hole same way round
    expected = geodesic_area_ha(outer) - geodesic_area_ha(hole)
    assert geodesic_area_ha(holed) == pytest.approx(expected)


def test_check_area_limit_both_sides():
    check_area_limit(199.9, licence_type="small_scale", max_area_ha=200)
    check_area_limit(200.0, licence_type="small_scale", max_area_ha=200)
    check_area_limit(5000.0, licence_type="exploration", max_area_ha=None)
    err = refusal(check_area_limit, 250.4, licence_type="small_scale", max_area_ha=200)
    assert err.detail == "The area is 250.4 ha; a small-scale licence may cover at most 200 ha."
    err = refusal(check_area_limit, 200.04, licence_type="small_scale", max_area_ha=200)
    assert "200.04 ha" in err.detail
    err = refusal(check_area_limit, 12_345.6, licence_type="exploration", max_area_ha=10_000)
    assert "12,346 ha (123.5 km²)" in err.detail and "an exploration licence" in err.detail
    assert "10,000 ha (100.0 km²)" in err.detail


# --- inside the country --------------------------------------------------------------------

COUNTRY = box(-11.2, 7.8, -11.0, 8.0)


def test_inside_country():
    got = check_inside_country(box(-11.15, 7.85, -11.14, 7.86), COUNTRY)
    assert got == {"outside_share": 0.0, "outside_ha": 0.0, "note": None}


def test_two_percent_outside_is_accepted_with_note():
    got = check_inside_country(box(-11.2002, 7.85, -11.1902, 7.86), COUNTRY)
    assert got["outside_share"] == pytest.approx(0.02, abs=1e-4)
    assert got["outside_ha"] == pytest.approx(
        0.02 * geodesic_area_ha(box(0, 7.85, 0.01, 7.86)), rel=1e-2
    )
    assert got["note"].startswith("2.0% of the area (")
    assert "lies outside Sierra Leone, within the 5% tolerance" in got["note"]


def test_twenty_percent_outside_is_refused():
    err = refusal(
        check_inside_country, box(-11.202, 7.85, -11.192, 7.86), COUNTRY, country_name="Freedonia"
    )
    assert "20.0% of the area (" in err.detail and "lies outside Freedonia" in err.detail
    assert check_inside_country(box(-11.202, 7.85, -11.192, 7.86), COUNTRY, tolerance=0.25)


def test_entirely_outside_is_refused_with_distance():
    err = refusal(check_inside_country, box(-10.9, 7.85, -10.89, 7.86), COUNTRY)
    assert "entirely outside Sierra Leone" in err.detail
    expected_km = Geod(ellps="WGS84").inv(-10.9, 7.85, -11.0, 7.85)[2] / 1000
    assert f"{expected_km:.1f} km away" in err.detail


# --- purity --------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [geometry_module, corners_module])
def test_domain_modules_import_no_web_or_database_code(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert not roots & {"flask", "sqlalchemy", "geoalchemy2", "werkzeug"}
