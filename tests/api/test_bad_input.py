"""No bad input yields a 5xx or stores anything; every refusal is problem+json with words."""

from __future__ import annotations

import json

import pytest
from licence_support import KONO, geojson, rect
from sqlalchemy import func, select

from cadastre.models import Holder, Licence, LicenceEvent

GOOD_AREA = geojson(rect(*KONO, 500))
BODIES = [
    b"{not json",
    b"[1, 2, 3]",
    b'"text"',
    b"null",
    b"\xff\xfe\x00garbage",
    b"[" * 5000 + b"]" * 5000,
    b'{"licence_type": NaN}',
    b'{"holder_id": 1e999}',
]
APPLICATIONS = [
    {},
    {"licence_type": 5, "holder_id": [], "commodities": {}, "geometry": "x"},
    {"licence_type": "exploration", "holder_id": 10**40, "commodities": ["gold"]},
    {"licence_type": "exploration", "holder_id": -1, "commodities": ["gold"]},
    {"licence_type": "exploration", "holder_id": True, "commodities": ["gold"]},
    {"licence_type": "exploration", "holder_id": 1.5, "commodities": ["gold"]},
    {"licence_type": "exploration", "holder_id": 1, "commodities": ["gold"], "colour": "red"},
    {"geometry": {"type": "Polygon", "coordinates": [[[1e308, 1e308]] * 4]}},
    {"geometry": {"type": "Polygon", "coordinates": [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]}},
    {"geometry": {"type": "Point", "coordinates": [-10.9, 8.6]}},
    {"geometry": {"type": "Polygon", "coordinates": [[[-10.9, 8.6]] * 3000]}},
    {"geometry": {"type": "Polygon", "coordinates": []}},
    {"geometry": GOOD_AREA, "corners": "8 -11\n8.1 -11\n8.1 -11.1"},
    {"corners": 12, "notation": "utm28"},
    {"corners": "8 -11\n8.1 -11\n8.1 -11.1", "notation": "klingon"},
    {"corners": "foo\nbar\nbaz"},
    {
        "licence_type": "exploration",
        "commodities": ["gold"],
        "geometry": GOOD_AREA,
        "district": "x" * 500,
    },
    {"licence_type": "exploration", "commodities": ["gold\x00"], "geometry": GOOD_AREA},
]


def counts(session):
    return tuple(
        session.scalar(select(func.count()).select_from(m)) for m in (Holder, Licence, LicenceEvent)
    )


def assert_problem(r):
    assert 400 <= r.status_code < 500, (r.status_code, r.get_data()[:300])
    assert r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["status"] == r.status_code and body["detail"]


@pytest.mark.parametrize("raw", BODIES)
@pytest.mark.parametrize(
    "url", ["/api/holders", "/api/licences", "/api/availability", "/api/licences/{id}/grant"]
)
def test_malformed_bodies(client, auth, company, empty_register, raw, url):
    before = counts(empty_register)
    r = client.post(
        url.format(id=1),
        data=raw,
        content_type="application/json",
        headers=auth("admin"),
    )
    assert_problem(r)
    assert counts(empty_register) == before


@pytest.mark.parametrize("body", APPLICATIONS, ids=range(len(APPLICATIONS)))
def test_bad_applications(client, auth, company, empty_register, body):
    body = dict(body)
    if "holder_id" not in body:
        body["holder_id"] = company
    before = counts(empty_register)
    r = client.post("/api/licences", json=body, headers=auth("admin"))
    assert_problem(r)
    assert r.status_code == 422
    assert r.get_json()["errors"], r.get_json()
    assert counts(empty_register) == before


def test_bad_holder_bodies(client, auth, company, empty_register):
    before = counts(empty_register)
    for body in (
        {"name": 5, "kind": "company"},
        {"name": "x" * 201, "kind": "company"},
        {"name": "A", "kind": "company", "email": "e" * 201},
        {"name": "A", "kind": "company", "nationality": ["x"]},
        {"name": "A\x00B", "kind": "company"},
    ):
        assert_problem(client.post("/api/holders", json=body, headers=auth("admin")))
        assert_problem(client.patch(f"/api/holders/{company}", json=body, headers=auth("admin")))
    assert counts(empty_register) == before


def test_bad_actions(client, auth, company, empty_register):
    r = client.post(
        "/api/licences",
        json={
            "licence_type": "exploration",
            "holder_id": company,
            "commodities": ["gold"],
            "geometry": GOOD_AREA,
        },
        headers=auth("admin"),
    )
    lid = r.get_json()["id"]
    before = counts(empty_register)
    for path, body in (
        (f"/api/licences/{lid}/grant", {"reason": 5}),
        (f"/api/licences/{lid}/grant", {"reason": "x" * 5000}),
        (f"/api/licences/{lid}/grant", {"holder_id": 1}),
        (f"/api/licences/{lid}/grant", {"colour": "red"}),
        (f"/api/licences/{lid}/transfer", {"holder_id": company}),
        ("/api/licences/424242/grant", {}),
        ("/api/licences/99999999999999999999/grant", {}),
        ("/api/licences/abc/grant", {}),
        (f"/api/licences/{lid}/fly", {}),
    ):
        r = client.post(
            path, data=json.dumps(body), content_type="application/json", headers=auth("admin")
        )
        assert_problem(r)
    assert counts(empty_register) == before
    assert client.get(f"/api/licences/{lid}").get_json()["status"] == "application"


@pytest.mark.parametrize(
    "url",
    [
        "/api/holders?q=%00",
        "/api/holders?q=" + "x" * 5000,
        "/api/holders?limit=99999999999999999999",
        "/api/licences?holder=99999999999999999999",
        "/api/licences?commodity=%00",
        "/api/licences?offset=1e3",
        "/api/licences/0",
        "/api/licences/1/history",
        "/api/holders/0",
    ],
)
def test_bad_queries_are_4xx_or_empty(client, url):
    r = client.get(url)
    assert r.status_code < 500, r.get_data()[:300]
    if r.status_code >= 400:
        assert r.mimetype == "application/problem+json"
