"""A refused application is numbered and kept with its reason; a refusal needs a reason."""

from __future__ import annotations

import math

from licence_support import BOW_TIE, KONO, SEA, geojson, rect

PROBLEM = "application/problem+json"
DX = 1000 / (111_320 * math.cos(math.radians(KONO[1])))


def apply(client, auth, holder_id, shape):
    body = {
        "licence_type": "exploration",
        "holder_id": holder_id,
        "commodities": ["diamond"],
        "geometry": shape if isinstance(shape, dict) else geojson(shape),
    }
    return client.post("/api/licences", json=body, headers=auth("officer"))


def test_an_overlapping_application_is_kept_refused_with_its_reason(client, auth, company):
    first = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    r = apply(client, auth, company, rect(KONO[0] + DX, KONO[1], 2000))
    assert r.status_code == 409 and r.mimetype == PROBLEM
    body = r.get_json()
    kept = body["refused_application"]
    assert kept["status"] == "refused" and kept["code"].startswith("EL/")
    assert kept["application_number"] > first["application_number"]
    assert first["code"] in body["refusal_reason"] and "may not overlap" in body["refusal_reason"]
    assert kept["refusal_reason"] == body["refusal_reason"]
    assert kept["code"] in body["detail"]
    assert [c["id"] for c in body["conflicts"]] == [first["id"]]
    # on record: listed, readable, with its reason and its history
    record = client.get(f"/api/licences/{kept['id']}").get_json()
    assert record["status"] == "refused" and record["refusal_reason"] == body["refusal_reason"]
    assert record["allowed_actions"] == []
    assert record["area_ha"] > 390
    listed = client.get("/api/licences?status=refused").get_json()
    assert [lic["id"] for lic in listed["licences"]] == [kept["id"]]
    events = client.get(f"/api/licences/{kept['id']}/history").get_json()["events"]
    assert [e["action"] for e in events] == ["apply", "refuse"]
    assert events[1]["reason"] == body["refusal_reason"]
    assert events[1]["after"]["status"] == "refused"


def test_a_refused_application_holds_no_ground(client, auth, company):
    first = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    wanted = rect(KONO[0] + DX, KONO[1], 2000)
    assert apply(client, auth, company, wanted).status_code == 409
    r = client.post(
        f"/api/licences/{first['id']}/withdraw", json={"reason": "x"}, headers=auth("officer")
    )
    assert r.status_code == 200
    # the ground is free again: the refused record on it does not block the same area
    r = apply(client, auth, company, wanted)
    assert r.status_code == 201, r.get_json()


def test_ground_outside_the_country_is_kept_refused_and_malformed_input_is_not(
    client, auth, company
):
    r = apply(client, auth, company, rect(*SEA, 1000))
    assert r.status_code == 422
    body = r.get_json()
    assert "outside Sierra Leone" in body["refusal_reason"]
    assert body["errors"][0]["field"] == "geometry"
    kept = client.get(f"/api/licences/{body['refused_application']['id']}").get_json()
    assert kept["status"] == "refused" and "outside Sierra Leone" in kept["refusal_reason"]
    # an area that cannot be read, or an unknown type, leaves nothing on record
    assert apply(client, auth, company, BOW_TIE).status_code == 422
    r = client.post(
        "/api/licences",
        json={"licence_type": "gravel", "holder_id": company, "commodities": ["diamond"],
              "geometry": geojson(rect(*SEA, 1000))},
        headers=auth("officer"),
    )  # fmt: skip
    assert r.status_code == 422 and "refused_application" not in r.get_json()
    assert client.get("/api/licences").get_json()["numberMatched"] == 1


def test_refusing_an_application_needs_a_reason(client, auth, company):
    lic = apply(client, auth, company, rect(*KONO, 1000)).get_json()
    url = f"/api/licences/{lic['id']}/refuse"
    for body in (None, {}, {"reason": ""}, {"reason": "   "}, {"reason": None}):
        r = client.post(url, json=body, headers=auth("supervisor"))
        assert r.status_code == 422 and r.mimetype == PROBLEM, body
        assert r.get_json()["errors"][0]["field"] == "reason"
    assert client.get(f"/api/licences/{lic['id']}").get_json()["status"] == "application"
    r = client.post(url, json={"reason": "No environmental plan"}, headers=auth("supervisor"))
    assert r.status_code == 200
    assert r.get_json()["refusal_reason"] == "No environmental plan"
