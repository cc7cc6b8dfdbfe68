"""/api/licences: apply (201/409/422), read with ETag, list with filters, act, history."""

from __future__ import annotations

import math

import pytest
from licence_support import (
    BOW_TIE,
    GUINEA,
    KONO,
    SEA,
    geojson,
    grant_paid,
    grant_settled,
    rect,
    walk_api,
)
from pyproj import Transformer

PROBLEM = "application/problem+json"


def apply(client, auth, holder_id, shape, licence_type="exploration", **extra):
    body = {
        "licence_type": licence_type,
        "holder_id": holder_id,
        "commodities": ["diamond"],
        "district": "Kono",  # an artisanal procedure's first stage asks for it
        "geometry": geojson(shape) if shape is not None else None,
        **extra,
    }
    if body["geometry"] is None:
        del body["geometry"]
    return client.post("/api/licences", json=body, headers=auth("officer"))


def act(client, auth, licence_id, action, role="supervisor", headers=None, **body):
    return client.post(
        f"/api/licences/{licence_id}/{action}",
        json=body or None,
        headers={**auth(role), **(headers or {})},
    )


def test_application_201_has_the_stable_shape(client, auth, company):
    r = apply(client, auth, company, rect(*KONO, 2000))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    for key in ("id", "code", "status", "area_ha", "received_at", "border", "risk", "notes"):
        assert key in body
    assert body["status"] == "application" and body["code"].startswith("EL/")
    assert body["area_ha"] == pytest.approx(400, rel=0.01)
    assert set(body["border"]) >= {
        "distance_km",
        "tier",
        "nearest_border",
        "boundary_source",
        "uncertainty_km",
    }
    assert set(body["risk"]) >= {"level", "reasons"}
    assert body["geometry"]["type"] == "MultiPolygon"
    assert r.headers["Location"] == f"/api/licences/{body['id']}"
    assert r.headers["ETag"] == f'"{body["id"]}-v1"'
    assert body["allowed_actions"] == ["approve", "grant", "refuse", "withdraw"]


def test_application_from_utm_corners(client, auth, company):
    to_utm = Transformer.from_crs(4326, 32629, always_xy=True)
    corners = [(-10.975, 8.635), (-10.965, 8.635), (-10.965, 8.645), (-10.975, 8.645)]
    text = "\n".join("{:.1f} {:.1f}".format(*to_utm.transform(x, y)) for x, y in corners)
    r = client.post(
        "/api/licences",
        json={
            "licence_type": "small_scale",
            "holder_id": company,
            "commodities": ["gold"],
            "corners": text,
            "notation": "utm29",
        },
        headers=auth("officer"),
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["area_ha"] == pytest.approx(121.8, rel=0.02)


@pytest.mark.parametrize(
    "shape, needle",
    [
        (BOW_TIE, "cross"),
        (geojson(rect(*SEA, 1000)), "entirely outside Sierra Leone"),
        (geojson(rect(*GUINEA, 1000)), "entirely outside Sierra Leone"),
        (geojson(rect(*KONO, 20_000)), "at most 17,500 ha"),
    ],
    ids=["bow-tie", "sea", "guinea", "over-limit"],
)
def test_unlawful_areas_422(client, auth, company, shape, needle):
    r = client.post(
        "/api/licences",
        json={
            "licence_type": "exploration",
            "holder_id": company,
            "commodities": ["diamond"],
            "geometry": shape,
        },
        headers=auth("officer"),
    )
    assert r.status_code == 422 and r.mimetype == PROBLEM
    body = r.get_json()
    assert needle in body["detail"]
    assert body["errors"][0]["field"] == "geometry"
    # ground outside the country is a well-formed application refused: kept on record
    outside = needle.startswith("entirely")
    assert ("refused_application" in body) is outside
    assert client.get("/api/licences").get_json()["numberMatched"] == (1 if outside else 0)


def test_every_field_at_fault_is_named(client, auth):
    r = client.post(
        "/api/licences",
        json={
            "licence_type": "gravel",
            "holder_id": "x",
            "commodities": "gold",
            "geometry": BOW_TIE,
        },
        headers=auth("officer"),
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert fields == {"licence_type", "holder_id", "commodities", "geometry"}


def test_overlap_409_lists_the_conflicts(client, auth, company):
    first = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    assert grant_paid(client, auth, first["id"]).get_json()["status"] == "granted"
    dx = 1000 / (111_320 * math.cos(math.radians(KONO[1])))
    r = apply(client, auth, company, rect(KONO[0] + dx, KONO[1], 2000))
    assert r.status_code == 409 and r.mimetype == PROBLEM
    conflicts = r.get_json()["conflicts"]
    assert [(c["id"], c["code"]) for c in conflicts] == [(first["id"], first["code"])]
    assert conflicts[0]["overlap_ha"] == pytest.approx(200, rel=0.015)
    # the earlier pending application blocks too
    pending = apply(client, auth, company, rect(KONO[0], KONO[1] + 0.1, 1000)).get_json()
    r = apply(client, auth, company, rect(KONO[0], KONO[1] + 0.1, 300), "small_scale")
    assert r.status_code == 409 and r.get_json()["conflicts"][0]["id"] == pending["id"]


def test_availability_gives_conflicts_and_the_free_part(client, auth, company):
    first = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    dx = 1000 / (111_320 * math.cos(math.radians(KONO[1])))
    wanted = geojson(rect(KONO[0] + dx, KONO[1], 2000))
    r = client.post("/api/availability", json={"geometry": wanted})
    assert r.status_code == 200
    body = r.get_json()
    assert body["available"] is False and [c["id"] for c in body["conflicts"]] == [first["id"]]
    overlap = body["conflicts"][0]["overlap_ha"]
    assert body["free"]["area_ha"] == pytest.approx(body["area_ha"] - overlap, rel=0.001)
    assert body["free"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # the free part is itself available
    again = client.post("/api/availability", json={"geometry": body["free"]["geometry"]})
    assert again.get_json()["available"] is True, again.get_json()
    # a non-exclusive type is never blocked
    r = client.post(
        "/api/availability", json={"geometry": wanted, "licence_type": "reconnaissance"}
    )
    assert r.get_json()["available"] is True
    assert client.post("/api/availability", json={"geometry": BOW_TIE}).status_code == 422


def test_read_with_etag_and_304(client, auth, company):
    lic = apply(client, auth, company, rect(*KONO, 1000)).get_json()
    r = client.get(f"/api/licences/{lic['id']}")
    assert r.status_code == 200 and r.headers["ETag"] == f'"{lic["id"]}-v1"'
    assert r.get_json()["holder"]["name"] == "Kono Test Diamonds Ltd"
    assert "email" not in r.get_json()["holder"]
    r = client.get(f"/api/licences/{lic['id']}", headers={"If-None-Match": r.headers["ETag"]})
    assert r.status_code == 304
    assert client.get("/api/licences/999999").status_code == 404
    assert client.get("/api/licences/99999999999999999999").status_code == 404


def test_actions_honour_if_match(client, auth, company, empty_register, profile):
    from licence_support import lapsed_notice

    lic = apply(client, auth, company, rect(*KONO, 1000)).get_json()
    url = f"/api/licences/{lic['id']}"
    walk_api(client, auth, lic["id"], before="grant")  # to the stage that grants it
    tag = client.get(url).headers["ETag"]
    version = int(tag.strip('"').split("-v")[1])
    r = act(client, auth, lic["id"], "grant", headers={"If-Match": tag}, reason="fees paid")
    assert r.status_code == 200 and r.get_json()["status"] == "granted"
    assert r.headers["ETag"] == f'"{lic["id"]}-v{version + 1}"'
    lapsed_notice(empty_register, profile, lic["id"])  # suspension rests on a notice run out
    empty_register.commit()
    # the old tag is stale now: 412 and nothing changes
    r = act(client, auth, lic["id"], "suspend", headers={"If-Match": tag})
    assert r.status_code == 412 and r.mimetype == PROBLEM
    r = act(client, auth, lic["id"], "suspend", headers={"If-Match": '"garbage"'})
    assert r.status_code == 412
    # digits that int() refuses ("²") or cannot read (thousands of them) are just stale tags
    for odd in (f'"{lic["id"]}-v²"', f'"{lic["id"]}-v{"9" * 5000}"', f'"{lic["id"]}-v-1"'):
        r = act(client, auth, lic["id"], "suspend", headers={"If-Match": odd})
        assert r.status_code == 412 and r.mimetype == PROBLEM, odd
    assert client.get(url).get_json()["status"] == "granted"
    # without If-Match the action goes ahead; with * too
    assert act(client, auth, lic["id"], "suspend", headers={"If-Match": "*"}).status_code == 200


def test_forbidden_transition_409_lists_allowed_actions(client, auth, company):
    lic = apply(client, auth, company, rect(*KONO, 1000)).get_json()
    r = act(client, auth, lic["id"], "reinstate")
    assert r.status_code == 409
    body = r.get_json()
    assert body["allowed_actions"] == ["approve", "grant", "refuse", "withdraw"]
    assert "approve, grant, refuse, withdraw" in body["detail"]
    assert act(client, auth, lic["id"], "explode").status_code == 404
    assert act(client, auth, lic["id"], "expire", role="admin").status_code == 403


def test_transfer_renew_and_partial_relinquish_over_the_api(
    client, auth, company, empty_register, profile
):
    from licence_support import grant_near_expiry, make_holder

    other = make_holder(empty_register, "company", "Other Co Ltd")
    empty_register.commit()
    lic = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    grant_near_expiry(empty_register, profile, lic["id"])  # inside the renewal window
    empty_register.commit()
    r = act(client, auth, lic["id"], "transfer", holder_id=other)
    assert r.status_code == 200 and r.get_json()["holder_id"] == other
    r = act(client, auth, lic["id"], "renew")
    assert r.status_code == 200 and r.get_json()["renewals"] == 1
    kept = geojson(rect(*KONO, 1000))
    r = act(client, auth, lic["id"], "relinquish", geometry=kept, reason="kept the core")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "granted" and body["area_ha"] == pytest.approx(100, rel=0.01)
    r = act(client, auth, lic["id"], "relinquish", geometry=geojson(rect(*KONO, 3000)))
    assert r.status_code == 422
    history = client.get(f"/api/licences/{lic['id']}/history", headers=auth("viewer")).get_json()
    actions = [e["action"] for e in history["events"]]
    assert actions[0] == "apply" and "finalise" in actions  # the procedure, then:
    assert actions[-3:] == ["transfer", "renew", "relinquish"]
    last = history["events"][-1]
    assert last["actor"] == "test-supervisor" and last["reason"] == "kept the core"
    assert last["before"]["area_ha"] > last["after"]["area_ha"]
    assert last["after"]["geometry"]["type"] == "MultiPolygon"
    # anonymous readers see the history without who acted
    anon = client.get(f"/api/licences/{lic['id']}/history").get_json()
    assert len(anon["events"]) == len(actions) and anon["events"][0]["actor"] is None


def test_status_read_is_never_stale(client, auth, company, empty_register, profile):
    from datetime import UTC, datetime, timedelta

    from licence_support import make_holder

    miner = make_holder(empty_register, "individual", "Sahr Komba")
    empty_register.commit()
    lic = apply(client, auth, miner, rect(*KONO, 80), "artisanal").get_json()
    grant_settled(empty_register, profile, lic["id"], at=datetime.now(UTC) - timedelta(days=500))
    empty_register.commit()
    body = client.get(f"/api/licences/{lic['id']}").get_json()
    assert body["status"] == "expired" and body["allowed_actions"] == []
    events = client.get(f"/api/licences/{lic['id']}/history").get_json()["events"]
    assert events[-1]["action"] == "expire"
    listed = client.get("/api/licences?status=expired").get_json()
    assert [x["id"] for x in listed["licences"]] == [lic["id"]]


def test_list_filters_and_paging(client, auth, company, empty_register):
    from licence_support import make_holder

    person = make_holder(empty_register, "individual", "Fatmata Kamara")
    empty_register.commit()
    ids = []
    for i in range(5):
        r = apply(client, auth, company, rect(KONO[0] + i * 0.02, KONO[1], 400), "small_scale")
        ids.append(r.get_json()["id"])
    r = client.post(
        "/api/licences",
        json={
            "licence_type": "artisanal",
            "holder_id": person,
            "commodities": ["gold"],
            "geometry": geojson(rect(KONO[0], KONO[1] + 0.05, 80)),
        },
        headers=auth("officer"),
    )
    artisanal = r.get_json()["id"]
    assert grant_paid(client, auth, ids[0]).get_json()["status"] == "granted"
    page = client.get("/api/licences?limit=2&offset=2").get_json()
    assert page["numberMatched"] == 6 and page["numberReturned"] == 2
    assert [x["id"] for x in page["licences"]] == ids[2:4]
    rels = {link["rel"] for link in page["links"]}
    assert rels == {"self", "next", "prev"}
    assert "geometry" not in page["licences"][0]
    assert client.get("/api/licences?type=artisanal").get_json()["numberMatched"] == 1
    assert client.get("/api/licences?status=granted").get_json()["licences"][0]["id"] == ids[0]
    assert client.get(f"/api/licences?holder={person}").get_json()["licences"][0]["id"] == artisanal
    assert client.get("/api/licences?commodity=gold").get_json()["numberMatched"] == 1
    assert client.get("/api/licences?commodity=diamond").get_json()["numberMatched"] == 5
    with_geom = client.get("/api/licences?limit=1&geometry=true").get_json()
    assert with_geom["licences"][0]["geometry"]["type"] == "MultiPolygon"
    for bad in ("limit=0", "limit=x", "offset=-1", "status=dreaming", "type=gravel"):
        r = client.get(f"/api/licences?{bad}")
        assert r.status_code == 422 and r.mimetype == PROBLEM, bad


def test_openapi_document(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.get_json()
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/holders",
        "/api/holders/{holder_id}",
        "/api/licences",
        "/api/licences/{licence_id}",
        "/api/licences/{licence_id}/history",
        "/api/licences/{licence_id}/{action}",
        "/api/availability",
    ):
        assert path in doc["paths"]
    from cadastre.api.openapi import api_openapi_paths

    assert api_openapi_paths() == doc["paths"]


def test_border_is_assessed_on_intake_and_after_a_geometry_change(client, auth, company):
    shape = rect(*KONO, 4000)
    lic = apply(client, auth, company, shape).get_json()
    border = lic["border"]
    assert border["distance_km"] is not None and border["distance_km"] > 0
    assert border["nearest_border"] and "Natural Earth" in border["boundary_source"]
    assert border["uncertainty_km"] > 0
    assert grant_paid(client, auth, lic["id"]).get_json()["status"] == "granted"
    minx, miny, maxx, maxy = shape.bounds
    from shapely.geometry import box

    halves = [box(minx, miny, (minx + maxx) / 2, maxy), box((minx + maxx) / 2, miny, maxx, maxy)]
    # keep the western half: Kono's nearest land border lies to the east
    r = act(client, auth, lic["id"], "relinquish", geometry=geojson(halves[0]))
    assert r.status_code == 200
    distances = (border["distance_km"], r.get_json()["border"]["distance_km"])
    assert distances[1] > distances[0] + 1.0  # about 2 km farther
