"""An individual's identity number and contact details are not public: not by reading, not by
searching (issue 14); officers and above see everything."""

from __future__ import annotations

import pytest

PERSON = {
    "name": "Fatmata Kamara",
    "kind": "individual",
    "registration_number": "NIN-1990-7731",
    "nationality": "Sierra Leone",
    "phone": "+232 76 123456",
}
COMPANY = {"name": "Sewa Diamonds Ltd", "kind": "company", "registration_number": "SL-CR-7731"}
HIDDEN = {"registration_number", "nationality", "address", "phone", "email"}


@pytest.fixture
def person(client, auth) -> int:
    r = client.post("/api/holders", json=PERSON, headers=auth("officer"))
    assert r.status_code == 201, r.get_json()
    assert client.post("/api/holders", json=COMPANY, headers=auth("officer")).status_code == 201
    return r.get_json()["id"]


@pytest.mark.parametrize("role", [None, "viewer"])
def test_public_reads_hide_an_individuals_identity_number(client, auth, person, role):
    body = client.get(f"/api/holders/{person}", headers=auth(role)).get_json()
    assert body["name"] == PERSON["name"] and body["kind"] == "individual"
    assert not HIDDEN & set(body)
    listed = client.get("/api/holders", headers=auth(role)).get_json()["holders"]
    by_name = {h["name"]: h for h in listed}
    assert not HIDDEN & set(by_name[PERSON["name"]])
    assert by_name[COMPANY["name"]]["registration_number"] == COMPANY["registration_number"]


@pytest.mark.parametrize("role", [None, "viewer"])
def test_search_does_not_find_an_individual_by_identity_number(client, auth, person, role):
    found = client.get("/api/holders?q=NIN-1990", headers=auth(role)).get_json()
    assert found["numberMatched"] == 0 and found["holders"] == []
    # the shared digits still find the company, whose number is public
    found = client.get("/api/holders?q=7731", headers=auth(role)).get_json()
    assert [h["name"] for h in found["holders"]] == [COMPANY["name"]]
    # and the individual is still found by name
    assert client.get("/api/holders?q=kamara", headers=auth(role)).get_json()["numberMatched"] == 1


@pytest.mark.parametrize("role", ["officer", "supervisor", "admin"])
def test_officers_and_above_see_and_search_everything(client, auth, person, role):
    body = client.get(f"/api/holders/{person}", headers=auth(role)).get_json()
    assert body["registration_number"] == PERSON["registration_number"]
    assert body["phone"] == PERSON["phone"]
    found = client.get("/api/holders?q=NIN-1990", headers=auth(role)).get_json()
    assert [h["id"] for h in found["holders"]] == [person]


def test_the_openapi_document_says_who_sees_personal_fields(client):
    # the published contract must match holder_privacy: officers and above, not viewers
    doc = client.get("/api/openapi.json").get_json()
    text = str(doc["paths"]["/api/holders"]) + str(doc["paths"]["/api/holders/{holder_id}"])
    assert "viewer" not in text
    props = doc["paths"]["/api/holders"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]["properties"]
    for name in ("address", "phone", "email", "registration_number", "nationality"):
        assert "officer" in props[name].get("description", ""), name
