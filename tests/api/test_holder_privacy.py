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
