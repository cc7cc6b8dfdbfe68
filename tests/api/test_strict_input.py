"""The API accepts one form per field and refuses the rest, naming the field; nothing stored."""

from __future__ import annotations

import copy
import json

import pytest
from licence_support import KONO, geojson, rect
from sqlalchemy import func, select

from cadastre.models import Holder, Licence, LicenceEvent

AREA = geojson(rect(*KONO, 500))
CRS84 = "urn:ogc:def:crs:OGC:1.3:CRS84"


def counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(m)) for m in (Holder, Licence, LicenceEvent)
    )


def application(holder_id: int, **changes) -> dict:
    body = {
        "licence_type": "exploration",
        "holder_id": holder_id,
        "commodities": ["gold"],
        "geometry": copy.deepcopy(AREA),
    }
    body.update(changes)
    return body


def fields_of(r) -> set[str]:
    assert r.mimetype == "application/problem+json", r.get_data()[:300]
    body = r.get_json()
    assert body["status"] == r.status_code and body["detail"]
    return {e["field"] for e in body["errors"]}


def with_geometry(**members) -> dict:
    geometry = copy.deepcopy(AREA)
    geometry.update(members)
    return geometry


def with_position(index: int, position) -> dict:
    geometry = copy.deepcopy(AREA)
    geometry["coordinates"][0][index] = position
    return geometry


WRONG_TYPES = [
    ({"holder_id": "HOLDER"}, {"holder_id"}),  # "12" stands for the company's id below
    ({"holder_id": "FLOAT"}, {"holder_id"}),
    ({"holder_id": True}, {"holder_id"}),
    ({"licence_type": 5}, {"licence_type"}),
    ({"commodities": "gold"}, {"commodities"}),
    ({"commodities": ["gold", 7]}, {"commodities[1]"}),
    ({"district": 12}, {"district"}),
    ({"notation": "UTM 28N", "geometry": None, "corners": "8 -11"}, {"notation"}),
    ({"colour": "red", "owner": 1}, {"colour", "owner"}),
]


@pytest.mark.parametrize("changes,expected", WRONG_TYPES, ids=range(len(WRONG_TYPES)))
def test_values_of_the_wrong_json_type_are_refused(
    client, auth, company, empty_register, changes, expected
):
    changes = dict(changes)
    if changes.get("holder_id") == "HOLDER":
        changes["holder_id"] = str(company)
    elif changes.get("holder_id") == "FLOAT":
        changes["holder_id"] = float(company)
    before = counts(empty_register)
    body = {**application(company), **changes}
    r = client.post("/api/licences", json=body, headers=auth("officer"))
    assert r.status_code == 422
    assert fields_of(r) == expected
    assert counts(empty_register) == before


GEOMETRIES = [
    ({"type": "Feature", "geometry": AREA, "properties": {}}, "geometry.type"),
    ({"type": "FeatureCollection", "features": []}, "geometry.type"),
    ({"type": "GeometryCollection", "geometries": [AREA]}, "geometry.type"),
    ("POLYGON((-10.97 8.64, -10.96 8.64, -10.96 8.65, -10.97 8.64))", "geometry"),
    (json.dumps(AREA), "geometry"),
    (with_geometry(properties={}), "geometry.properties"),
    (with_geometry(foreign="x"), "geometry.foreign"),
    (
        with_geometry(crs={"type": "name", "properties": {"name": "EPSG:32628"}}),
        "geometry.crs",
    ),
    (
        with_geometry(crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}),
        "geometry.crs",
    ),
    (with_geometry(crs="CRS84"), "geometry.crs"),
    (with_geometry(bbox=[1, 2, 3]), "geometry.bbox"),
    (with_position(3, ["-10.97", 8.64]), "geometry.coordinates[0][3][0]"),
    (with_position(2, [-10.97]), "geometry.coordinates[0][2]"),
    (with_position(2, [-10.97, 8.64, 0, 0]), "geometry.coordinates[0][2]"),
    (with_position(1, [-10.97, True]), "geometry.coordinates[0][1][1]"),
    (with_position(1, {"x": 1, "y": 2}), "geometry.coordinates[0][1]"),
    ({"type": "Polygon"}, "geometry.coordinates"),
    ({"type": "MultiPolygon", "coordinates": AREA["coordinates"]}, "geometry.coordinates[0][0][0]"),
]


@pytest.mark.parametrize("geometry,field", GEOMETRIES, ids=range(len(GEOMETRIES)))
def test_geometry_must_be_a_geojson_polygon_object_exactly(
    client, auth, company, empty_register, geometry, field
):
    before = counts(empty_register)
    body = application(company, geometry=geometry)
    for url, headers in (("/api/licences", auth("officer")), ("/api/availability", {})):
        r = client.post(url, json=body if url == "/api/licences" else {"geometry": geometry},
                        headers=headers)
        assert r.status_code == 422, (url, r.get_data()[:300])
        assert field in fields_of(r), r.get_json()
    assert counts(empty_register) == before


def test_coordinates_beyond_a_float_are_refused_not_turned_into_infinity(client, auth, company):
    body = application(company)
    body["geometry"]["coordinates"][0][1][0] = "HUGE"
    raw = json.dumps(body).replace('"HUGE"', "1e400")
    r = client.post("/api/licences", data=raw, content_type="application/json",
                    headers=auth("officer"))
    assert r.status_code == 422
    assert fields_of(r) == {"geometry.coordinates[0][1][0]"}


@pytest.mark.parametrize("name", [CRS84, "http://www.opengis.net/def/crs/OGC/1.3/CRS84"])
def test_a_crs84_crs_member_is_accepted(client, auth, company, name):
    geometry = with_geometry(crs={"type": "name", "properties": {"name": name}})
    r = client.post(
        "/api/licences", json=application(company, geometry=geometry), headers=auth("officer")
    )
    assert r.status_code == 201, r.get_json()


def test_a_multipolygon_with_bbox_and_height_is_accepted(client, auth, company):
    ring = [[x, y, 12.5] for x, y in AREA["coordinates"][0]]
    geometry = {"type": "MultiPolygon", "coordinates": [[ring]], "bbox": [-11, 8, -10, 9]}
    r = client.post(
        "/api/licences", json=application(company, geometry=geometry), headers=auth("officer")
    )
    assert r.status_code == 201, r.get_json()


def test_form_faults_and_the_laws_findings_come_together(client, auth, company):
    body = application(company, licence_type="gravel", district=5)
    body["geometry"] = with_geometry(crs={"type": "name", "properties": {"name": "EPSG:3857"}})
    r = client.post("/api/licences", json=body, headers=auth("officer"))
    assert r.status_code == 422
    assert fields_of(r) == {"district", "geometry.crs", "licence_type"}


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1",
     "application/geo+json", "multipart/form-data; boundary=x"],
)
@pytest.mark.parametrize(
    "url", ["/api/holders", "/api/licences", "/api/availability", "/api/licences/{id}/withdraw"]
)
def test_a_body_not_declared_as_json_is_415(client, auth, company, empty_register, url,
                                            content_type):
    before = counts(empty_register)
    body = json.dumps({"name": "Sewa Mining Ltd", "kind": "company"}).encode()
    headers = dict(auth("supervisor"))
    if content_type:
        headers["Content-Type"] = content_type
    r = client.post(url.format(id=1), data=body, headers=headers)
    assert r.status_code == 415, r.get_data()[:300]
    assert r.mimetype == "application/problem+json"
    assert "application/json" in r.get_json()["detail"]
    assert counts(empty_register) == before


def test_json_with_a_utf8_charset_and_an_empty_action_body_are_fine(client, auth, company):
    r = client.post(
        "/api/holders",
        data=json.dumps({"name": "Sewa Mining Ltd", "kind": "company"}),
        headers={**auth("officer"), "Content-Type": "application/json; charset=UTF-8"},
    )
    assert r.status_code == 201
    lid = client.post(
        "/api/licences", json=application(company), headers=auth("officer")
    ).get_json()["id"]
    r = client.post(f"/api/licences/{lid}/withdraw", headers=auth("officer"))
    assert r.status_code == 200, r.get_json()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "Sewa\x00Mining", "kind": "company"}, "name"),
        ({"name": "Sewa Mining", "kind": "company", "address": "Box\x001"}, "address"),
        ({"name": "Sewa Mining", "kind": "company", "col\x00our": "red"}, "col\\u0000our"),
        ({"name": 5, "kind": "company"}, "name"),
        ({"name": "Sewa Mining", "kind": "company", "phone": 76123456}, "phone"),
        ({"name": "Sewa Mining", "kind": "company", "id": 7}, "id"),
    ],
)
def test_holder_fields_are_text_without_nul(client, auth, company, empty_register, body, field):
    before = counts(empty_register)
    for r in (
        client.post("/api/holders", json=body, headers=auth("officer")),
        client.patch(f"/api/holders/{company}", json=body, headers=auth("officer")),
    ):
        assert r.status_code == 422
        assert field in fields_of(r)
    assert counts(empty_register) == before


def test_nul_in_an_application_or_a_reason_names_the_field(client, auth, company):
    r = client.post(
        "/api/licences",
        json=application(company, commodities=["gold\x00"], district="Kono\x00"),
        headers=auth("officer"),
    )
    assert r.status_code == 422
    assert fields_of(r) == {"commodities[0]", "district"}
    lid = client.post(
        "/api/licences", json=application(company), headers=auth("officer")
    ).get_json()["id"]
    r = client.post(
        f"/api/licences/{lid}/grant", json={"reason": "ok\x00"}, headers=auth("supervisor")
    )
    assert r.status_code == 422 and fields_of(r) == {"reason"}
    assert client.get(f"/api/licences/{lid}").get_json()["status"] == "application"


def test_a_member_given_twice_is_refused_not_the_last_one_taken(client, auth, company):
    raw = '{"name": "Sewa Mining Ltd", "kind": "company", "name": "Other Ltd"}'
    r = client.post("/api/holders", data=raw, content_type="application/json",
                    headers=auth("officer"))
    assert r.status_code == 422 and fields_of(r) == {"name"}
    body = json.dumps(application(company)).replace(
        '"type": "Polygon"', '"type": "Polygon", "type": "MultiPolygon"'
    )
    r = client.post("/api/licences", data=body, content_type="application/json",
                    headers=auth("officer"))
    assert r.status_code == 422 and fields_of(r) == {"type"}


@pytest.mark.parametrize(
    "raw, field",
    [
        ('{"name": "Sewa \\ud800 Mining", "kind": "company"}', "name"),
        ('{"name": "Sewa Mining", "kind": "company", "address": "Box \\udfff"}', "address"),
    ],
)
def test_a_lone_surrogate_is_refused_not_a_500(client, auth, company, empty_register, raw, field):
    # JSON's \ud800 escape decodes to a string UTF-8 (and so PostgreSQL) cannot hold
    before = counts(empty_register)
    for r in (
        client.post("/api/holders", data=raw, content_type="application/json",
                    headers=auth("officer")),
        client.patch(f"/api/holders/{company}", data=raw, content_type="application/json",
                     headers=auth("officer")),
    ):
        assert r.status_code == 422
        assert fields_of(r) == {field}
    assert counts(empty_register) == before


def test_a_lone_surrogate_in_an_application_or_a_reason_names_the_field(client, auth, company):
    body = json.dumps(application(company, commodities=["gold"], district="Kono"))
    raw = body.replace('"gold"', '"gold\\ud800"').replace('"Kono"', '"Kono\\udc00"')
    r = client.post("/api/licences", data=raw, content_type="application/json",
                    headers=auth("officer"))
    assert r.status_code == 422
    assert fields_of(r) == {"commodities[0]", "district"}
    lid = client.post(
        "/api/licences", json=application(company), headers=auth("officer")
    ).get_json()["id"]
    r = client.post(f"/api/licences/{lid}/grant", data='{"reason": "ok \\ud83d"}',
                    content_type="application/json", headers=auth("supervisor"))
    assert r.status_code == 422 and fields_of(r) == {"reason"}
    assert client.get(f"/api/licences/{lid}").get_json()["status"] == "application"
