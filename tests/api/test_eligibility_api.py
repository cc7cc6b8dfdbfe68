"""Who may hold each licence type, and consent to overlap, through the API (real PostGIS)."""

from __future__ import annotations

from licence_support import KONO, geojson, grant_paid, rect, square_ha

PROBLEM = "application/problem+json"


def new_holder(client, auth, **fields):
    r = client.post("/api/holders", json=fields, headers=auth("officer"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def apply(client, auth, holder_id, shape, licence_type="artisanal", **extra):
    body = {
        "licence_type": licence_type,
        "holder_id": holder_id,
        "commodities": ["diamond"],
        "district": "Kono",  # the artisanal procedure's first stage asks for it
        "geometry": geojson(shape),
        **extra,
    }
    return client.post("/api/licences", json=body, headers=auth("officer"))


def test_nationality_is_stored_as_its_code_and_facts_come_back(client, auth):
    h = new_holder(client, auth, name="Sahr Komba", kind="individual", nationality="Sierra Leone")
    assert h["nationality"] == "SLE"
    c = new_holder(client, auth, name="Tongo Coop", kind="cooperative", citizen_members=True)
    assert c["citizen_members"] is True
    co = new_holder(client, auth, name="Local Ltd", kind="company", local_ownership_pct=40)
    assert co["local_ownership_pct"] == 40
    bad = client.post(
        "/api/holders",
        json={"name": "X", "kind": "company", "local_ownership_pct": 140},
        headers=auth("officer"),
    )
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "local_ownership_pct"


def test_artisanal_refused_to_a_foreigner_a_company_and_an_unrecorded_nationality(client, auth):
    jean = new_holder(client, auth, name="Jean Dupont", kind="individual", nationality="France")
    r = apply(client, auth, jean["id"], square_ha(*KONO, 0.5))
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert r.get_json()["errors"] == [
        {
            "field": "holder_id",
            "message": "An artisanal licence may be held only by a citizen of Sierra Leone or "
            "a cooperative of citizens; Jean Dupont is a national of France.",
        }
    ]
    firm = new_holder(client, auth, name="Koidu Ltd", kind="company")
    r = apply(client, auth, firm["id"], square_ha(*KONO, 0.5))
    assert r.status_code == 422 and "Koidu Ltd is a company" in r.get_json()["detail"]
    nobody = new_holder(client, auth, name="Musu Lahai", kind="individual")
    r = apply(client, auth, nobody["id"], square_ha(*KONO, 0.5))
    assert r.status_code == 422 and "nationality is not recorded" in r.get_json()["detail"]
    sahr = new_holder(client, auth, name="Sahr Komba", kind="individual", nationality="SLE")
    assert apply(client, auth, sahr["id"], square_ha(*KONO, 0.5)).status_code == 201


def test_transfer_to_an_ineligible_holder_is_refused(client, auth):
    sahr = new_holder(client, auth, name="Sahr Komba", kind="individual", nationality="SLE")
    jean = new_holder(client, auth, name="Jean Dupont", kind="individual", nationality="FRA")
    lic = apply(client, auth, sahr["id"], square_ha(*KONO, 0.5)).get_json()
    r = grant_paid(client, auth, lic["id"])
    assert r.status_code == 200 and r.get_json()["status"] == "granted", r.get_json()
    r = client.post(
        f"/api/licences/{lic['id']}/transfer",
        json={"holder_id": jean["id"]},
        headers=auth("supervisor"),
    )
    assert r.status_code == 422
    assert "Jean Dupont is a national of France." in r.get_json()["detail"]


def test_artisanal_on_another_holders_ground_with_its_consent(client, auth, company):
    big = client.post(
        "/api/licences",
        json={
            "licence_type": "exploration",
            "holder_id": company,
            "commodities": ["diamond"],
            "geometry": geojson(rect(*KONO, 3000)),
        },
        headers=auth("officer"),
    ).get_json()
    sahr = new_holder(client, auth, name="Sahr Komba", kind="individual", nationality="SLE")
    plot = square_ha(*KONO, 0.5)
    refused = apply(client, auth, sahr["id"], plot)
    assert refused.status_code == 409
    wrong_giver = {
        "licence_id": big["id"],
        "given_by": sahr["id"],
        "given_on": "2026-01-05",
        "document": "Letter 12",
    }
    r = apply(client, auth, sahr["id"], plot, consents=[wrong_giver])
    assert r.status_code == 422 and "must be given by its holder" in r.get_json()["detail"]
    consent = {**wrong_giver, "given_by": company}
    r = apply(client, auth, sahr["id"], plot, consents=[consent])
    assert r.status_code == 201, r.get_json()
    lic = r.get_json()
    history = client.get(f"/api/licences/{lic['id']}/history", headers=auth("officer"))
    reasons = [e.get("reason") for e in history.get_json()["events"]]
    assert any(r and "consented on 2026-01-05 (document Letter 12)" in r for r in reasons)
    # a second plot on the same ground: two artisanal licences may never overlap
    other = new_holder(client, auth, name="Brima Fofanah", kind="individual", nationality="SLE")
    r = apply(client, auth, other["id"], plot, consents=[{**consent, "licence_id": lic["id"]}])
    assert r.status_code in (409, 422)
    # the consented plot can be granted over the exploration application's ground
    g = grant_paid(client, auth, lic["id"])  # its procedure walked
    assert g.status_code == 200 and g.get_json()["status"] == "granted", g.get_json()
