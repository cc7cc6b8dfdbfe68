"""/api/holders: register, read (contact details for officers up), change, list and search."""

from __future__ import annotations

PROBLEM = "application/problem+json"
FULL = {
    "name": "Sewa Diamonds Ltd",
    "kind": "company",
    "registration_number": "SL-CR-2011-0042",
    "nationality": "Sierra Leone",
    "address": "12 Siaka Stevens Street, Freetown",
    "phone": "+232 76 000000",
    "email": "office@sewa.example",
}


def test_create_read_and_patch(client, auth):
    r = client.post("/api/holders", json=FULL, headers=auth("officer"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["id"] and body["name"] == FULL["name"] and body["email"] == FULL["email"]
    assert r.headers["Location"] == f"/api/holders/{body['id']}"
    url = f"/api/holders/{body['id']}"
    public = client.get(url).get_json()
    assert (
        public["name"] == FULL["name"]
        and public["registration_number"] == FULL["registration_number"]
    )
    assert not {"address", "phone", "email"} & set(public)
    assert not {"address", "phone", "email"} & set(client.get(url, headers=auth("viewer")).json)
    private = client.get(url, headers=auth("officer")).get_json()
    assert private["phone"] == FULL["phone"] and private["licence_count"] == 0
    r = client.patch(url, json={"phone": "+232 77 111111"}, headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["phone"] == "+232 77 111111"
    assert r.get_json()["name"] == FULL["name"]
    assert client.get(url, headers=auth("officer")).get_json()["phone"] == "+232 77 111111"


def test_invalid_holders_422_name_the_fields(client, auth):
    r = client.post(
        "/api/holders",
        json={"name": "", "kind": "alien", "colour": "blue", "phone": "9" * 41},
        headers=auth("officer"),
    )
    assert r.status_code == 422 and r.mimetype == PROBLEM
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert fields == {"name", "kind", "colour", "phone"}
    client.post("/api/holders", json=FULL, headers=auth("officer"))
    r = client.post("/api/holders", json=FULL, headers=auth("officer"))
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["field"] == "registration_number"
    assert client.get("/api/holders").get_json()["numberMatched"] == 1


def test_patch_and_get_unknown_holder_404(client, auth):
    assert client.get("/api/holders/424242").status_code == 404
    r = client.patch("/api/holders/424242", json={"phone": "1"}, headers=auth("officer"))
    assert r.status_code == 404 and r.mimetype == PROBLEM
    assert client.get("/api/holders/99999999999999999999").status_code == 404


def test_list_search_and_paging(client, auth):
    for i, kind in enumerate(["company", "company", "individual", "cooperative"]):
        client.post(
            "/api/holders",
            json={"name": f"Holder {i} {'Moa' if i % 2 else 'Bafi'}", "kind": kind},
            headers=auth("officer"),
        )
    page = client.get("/api/holders?limit=3").get_json()
    assert page["numberMatched"] == 4 and page["numberReturned"] == 3
    assert [link["rel"] for link in page["links"]] == ["self", "next"]
    assert client.get("/api/holders?q=moa").get_json()["numberMatched"] == 2
    assert client.get("/api/holders?q=%25").get_json()["numberMatched"] == 0
    assert client.get("/api/holders?kind=company").get_json()["numberMatched"] == 2
    assert client.get("/api/holders?kind=alien").status_code == 422
    assert "email" not in client.get("/api/holders").get_json()["holders"][0]


def test_changing_kind_must_still_fit_the_live_licences(client, auth, profile, empty_register):
    from licence_support import KONO, make_holder, square_ha

    from cadastre.services.licences import perform_action, register_application

    holder_id = make_holder(empty_register, kind="company", name="Yengema Exploration Ltd")
    licence = register_application(
        empty_register,
        profile,
        holder_id=holder_id,
        licence_type="exploration",
        commodities=["diamond"],
        geometry=square_ha(*KONO, 500),
        actor="test",
    )
    url = f"/api/holders/{holder_id}"
    r = client.patch(url, json={"kind": "individual"}, headers=auth("officer"))
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert r.get_json()["errors"][0]["field"] == "kind"
    assert licence.code in r.get_json()["detail"]
    assert client.get(url).get_json()["kind"] == "company"
    # once the exploration application is withdrawn, nothing stands in the way
    perform_action(empty_register, profile, licence.id, "withdraw", actor="test")
    r = client.patch(url, json={"kind": "individual"}, headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["kind"] == "individual"


def test_names_with_hidden_characters_are_refused_naming_them(client, auth, session):
    for name in ("Sewa\u202eLtd", "Sewa\nDiamonds", "Sewa\u200b Diamonds Ltd"):
        r = client.post("/api/holders", json={**FULL, "name": name}, headers=auth("officer"))
        assert r.status_code == 422 and r.mimetype == PROBLEM, name
        [error] = [e for e in r.get_json()["errors"] if e["field"] == "name"]
        assert "U+" in error["message"], error
    assert client.get("/api/holders?q=Sewa", headers=auth("officer")).get_json()["holders"] == []


def test_a_likely_duplicate_is_409_with_links_unless_confirmed(client, auth):
    first = client.post("/api/holders", json=FULL, headers=auth("officer")).get_json()
    same_name = {"name": "  sewa   DIAMONDS ltd", "kind": "company"}
    r = client.post("/api/holders", json=same_name, headers=auth("officer"))
    assert r.status_code == 409 and r.mimetype == PROBLEM
    body = r.get_json()
    assert body["type"].endswith("/likely-duplicate-holder")
    assert [(d["id"], d["reasons"]) for d in body["duplicates"]] == [(first["id"], ["same name"])]
    assert "Sewa Diamonds Ltd" in body["detail"]
    # the same number written differently is the same number
    other = {
        "name": "Another Name Ltd",
        "kind": "company",
        "registration_number": "sl-cr -2011-0042",
    }
    r = client.post("/api/holders", json=other, headers=auth("officer"))
    assert r.status_code == 409
    assert r.get_json()["duplicates"][0]["reasons"] == ["same registration number"]
    assert client.get("/api/holders").get_json()["numberMatched"] == 1  # nothing registered
    r = client.post(
        "/api/holders", json={**same_name, "confirm_duplicate": True}, headers=auth("officer")
    )
    assert r.status_code == 201 and r.get_json()["name"] == "sewa   DIAMONDS ltd".strip()
    assert "confirm_duplicate" not in r.get_json()
    assert client.get("/api/holders").get_json()["numberMatched"] == 2
    # confirming says "a different holder", never "share one registration number"
    r = client.post(
        "/api/holders", json={**FULL, "confirm_duplicate": True}, headers=auth("officer")
    )
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "registration_number"


def test_confirm_duplicate_takes_a_boolean_only(client, auth):
    r = client.post(
        "/api/holders",
        json={"name": "A Ltd", "kind": "company", "confirm_duplicate": "true"},
        headers=auth("officer"),
    )
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "confirm_duplicate"
    r = client.post(
        "/api/holders",
        json={"name": "A Ltd", "kind": "company", "confirm_duplicate": False},
        headers=auth("officer"),
    )
    assert r.status_code == 201


def test_a_viewer_never_learns_an_individuals_number_from_a_duplicate_warning(
    client, auth, session
):
    from cadastre.services.holders import LikelyDuplicate, create_holder

    person = {"name": "Fatmata Kamara", "kind": "individual", "registration_number": "ID-77"}
    create_holder(session, person)
    session.flush()
    try:
        create_holder(
            session,
            {"name": "fatmata kamara", "kind": "individual"},
            check_duplicates=True,
            role="viewer",
        )
    except LikelyDuplicate as exc:
        seen = exc.extra["duplicates"][0]
    else:
        raise AssertionError("no duplicate warning")
    assert seen["name"] == "Fatmata Kamara" and "registration_number" not in seen


def test_the_openapi_document_names_confirm_duplicate_and_the_409(client):
    doc = client.get("/api/openapi.json").get_json()
    post = doc["paths"]["/api/holders"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["confirm_duplicate"]["type"] == "boolean"
    conflict = post["responses"]["409"]["content"]["application/problem+json"]["schema"]
    assert "duplicates" in conflict["properties"]
    holder = post["responses"]["201"]["content"]["application/json"]["schema"]
    assert "confirm_duplicate" not in holder["properties"]
