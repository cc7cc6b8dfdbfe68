"""Exports: every format holds what the items (same filters) hold; Shapefile names documented."""

import csv
import io
import json
import zipfile
from urllib.parse import quote

import pyogrio
import pytest
from ogc.schemas import bad_request
from shapely import wkt
from shapely.geometry import shape

from cadastre.exports.writers import field_map_text
from cadastre.ogc.collections import all_collections, get_collection

BASE = "/collections/licences"
FILTER = "status=granted&filter=" + quote("border_distance_km < 8")


@pytest.fixture
def expected(client, register):
    fc = client.get(f"{BASE}/items?limit=1000&{FILTER}").get_json()
    assert 0 < fc["numberMatched"] < len(register)
    return {int(f["id"]): f for f in fc["features"]}


def read_gdal(tmp_path, name, data, layer=None):
    path = tmp_path / name
    path.write_bytes(data)
    source = f"/vsizip/{path}" if name.endswith(".zip") else str(path)
    return pyogrio.read_dataframe(source, layer=layer)


def test_geopackage(client, expected, tmp_path):
    r = client.get(f"{BASE}/export.gpkg?{FILTER}")
    assert r.status_code == 200 and r.mimetype == "application/geopackage+sqlite3"
    assert "filename=licences.gpkg" in r.headers["Content-Disposition"]
    df = read_gdal(tmp_path, "l.gpkg", r.data, "licences")
    assert set(df["id"]) == set(expected)
    row = df[df["id"] == min(expected)].iloc[0]
    feature = expected[min(expected)]
    assert row["code"] == feature["properties"]["code"]
    assert row["commodities"] == ";".join(feature["properties"]["commodities"])
    assert row.geometry.equals_exact(shape(feature["geometry"]), 1e-9)


def test_zipped_shapefile_with_documented_field_names(client, expected, tmp_path):
    r = client.get(f"{BASE}/export.shp.zip?{FILTER}")
    assert r.status_code == 200 and r.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert {"licences.shp", "licences.dbf", "licences.shx", "licences.prj", "README.txt"} <= set(
        names)
    readme = zipfile.ZipFile(io.BytesIO(r.data)).read("README.txt").decode()
    df = read_gdal(tmp_path, "l.shp.zip", r.data)
    coll = get_collection("licences")
    assert list(df.columns[:-1]) == ["id"] + [p.shp_name for p in coll.properties]
    for p in coll.properties:
        assert f"{p.shp_name:<10}  {p.name}" in readme
    assert set(df["id"]) == set(expected)
    first = df[df["id"] == min(expected)].iloc[0]
    props = expected[min(expected)]["properties"]
    assert first["bord_km"] == props["border_distance_km"] and first["holder"] == props[
        "holder_name"]
    assert first["granted"] == props["granted_at"]


def test_shapefile_names_fit_and_are_unique_in_every_collection():
    for coll in all_collections().values():
        names = ["id"] + [p.shp_name for p in coll.properties]
        assert all(len(n) <= 10 for n in names) and len(set(names)) == len(names), coll.id
        assert coll.id in field_map_text(coll)


def test_kml_csv_geojson(client, expected, tmp_path):
    kml = client.get(f"{BASE}/export.kml?{FILTER}")
    assert kml.status_code == 200 and kml.mimetype == "application/vnd.google-earth.kml+xml"
    assert len(read_gdal(tmp_path, "l.kml", kml.data)) == len(expected)
    text = client.get(f"{BASE}/export.csv?{FILTER}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {int(r["id"]) for r in rows} == set(expected)
    first = next(r for r in rows if int(r["id"]) == min(expected))
    assert wkt.loads(first["wkt"]).equals_exact(shape(expected[min(expected)]["geometry"]), 1e-9)
    assert first["commodities"] == ";".join(expected[min(expected)]["properties"]["commodities"])
    gj = client.get(f"{BASE}/export.geojson?{FILTER}")
    assert gj.mimetype == "application/geo+json"
    body = json.loads(gj.get_data(as_text=True))
    assert {int(f["id"]) for f in body["features"]} == set(expected)


def test_exports_are_not_paged_and_share_the_items_checks(client, register):
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"{BASE}/export.csv?limit=2").get_data(as_text=True))))
    assert len(rows) == len(register)
    bad_request(client.get(f"{BASE}/export.gpkg?filter=" + quote("status = ")), "filter")
    bad_request(client.get(f"{BASE}/export.csv?bbox=1,2"), "bbox")
    assert client.get(f"{BASE}/export.xlsx").status_code == 404
    empty = client.get(f"{BASE}/export.gpkg?status=revoked")
    assert empty.status_code == 200


def test_other_collections_export(client, tmp_path):
    r = client.get("/collections/borders/export.gpkg")
    df = read_gdal(tmp_path, "b.gpkg", r.data, "borders")
    assert len(df) == 5 and "name" in df.columns
    r = client.get("/collections/countries/export.shp.zip")
    assert len(read_gdal(tmp_path, "c.shp.zip", r.data)) == 4
