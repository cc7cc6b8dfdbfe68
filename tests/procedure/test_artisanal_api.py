"""The artisanal licence's eight steps over the API: each by its role, in order, with its
documents and payments; every refusal says what is missing and stores nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from licence_support import KONO, geojson, make_holder, rect

from cadastre.services.procedure_walk import placeholder_pdf


@pytest.fixture
def miner(empty_register) -> int:
    holder_id = make_holder(empty_register, "individual", "Kadiatu Conteh")
    empty_register.commit()
    return holder_id


def apply(client, auth, holder_id, licence_type="artisanal", lon=KONO[0]):
    body = {"licence_type": licence_type, "holder_id": holder_id, "commodities": ["diamond"],
            "district": "Kono", "geometry": geojson(rect(lon, KONO[1], 90))}  # fmt: skip
    r = client.post("/api/licences", json=body, headers=auth("officer"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def upload(client, auth, licence_id, kind):
    data = {"kind": kind, "title": kind.replace("_", " "),
            "file": (__import__("io").BytesIO(placeholder_pdf(kind)), f"{kind}.pdf")}  # fmt: skip
    r = client.post(f"/api/licences/{licence_id}/documents", data=data, headers=auth("officer"),
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 201, r.get_json()


def pay(client, auth, licence_id):
    charges = client.get(f"/api/licences/{licence_id}/charges", headers=auth("viewer")).get_json()
    for balance in charges["balances"]:
        if Decimal(balance["balance"]) > 0:
            r = client.post("/api/payments", headers=auth("finance"), json={
                "licence_id": licence_id, "amount": balance["balance"],
                "currency": balance["currency"], "paid_on": charges["orders"][-1]["raised_on"],
                "receipt_number": f"T-{uuid.uuid4().hex[:10]}"})  # fmt: skip
            assert r.status_code == 201, r.get_json()


def stage(client, auth, licence_id, name, role):
    return client.post(f"/api/licences/{licence_id}/stages/{name}", json={}, headers=auth(role))


def test_eight_steps_each_by_its_role(client, auth, miner):
    lid = apply(client, auth, miner)
    proc = client.get(f"/api/licences/{lid}/procedure", headers=auth("viewer")).get_json()
    assert [s["name"] for s in proc["stages"]][:2] == ["plot_allocation", "survey"]
    assert len(proc["stages"]) == 8 and proc["current_stage"] == "plot_allocation"
    assert proc["clock"]["due"] and proc["clock"]["days"] == 90
    assert stage(client, auth, lid, "plot_allocation", "officer").status_code == 200
    # survey without its sheet: 409 naming it
    r = stage(client, auth, lid, "survey", "officer")
    assert r.status_code == 409 and "survey_sheet" in r.get_json()["detail"]
    upload(client, auth, lid, "survey_sheet")
    assert stage(client, auth, lid, "survey", "officer").status_code == 200
    upload(client, auth, lid, "surface_rent_agreement")
    assert stage(client, auth, lid, "surface_rent_agreement", "officer").status_code == 200
    assert stage(client, auth, lid, "file_check", "officer").status_code == 200
    upload(client, auth, lid, "environmental_management_plan")
    r = stage(client, auth, lid, "verification", "officer")
    assert r.status_code == 409 and "application fee" in r.get_json()["detail"]
    pay(client, auth, lid)
    assert stage(client, auth, lid, "verification", "officer").status_code == 200
    # the Regional Manager's approval: an officer may not
    r = stage(client, auth, lid, "approval", "officer")
    assert r.status_code == 403
    r = stage(client, auth, lid, "approval", "supervisor")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "approved"
    assert stage(client, auth, lid, "order_to_pay", "officer").status_code == 200
    r = stage(client, auth, lid, "finalisation", "officer")
    assert r.status_code == 409 and "annual charge" in r.get_json()["detail"]
    pay(client, auth, lid)
    r = stage(client, auth, lid, "finalisation", "officer")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "granted"
    proc = client.get(f"/api/licences/{lid}/procedure", headers=auth("viewer")).get_json()
    assert all(s["status"] == "complete" for s in proc["stages"])
    assert {s["completed_by"] for s in proc["stages"]} == {"test-officer", "test-supervisor"}


def test_out_of_order_and_direct_grant_refused(client, auth, miner):
    lid = apply(client, auth, miner)
    r = stage(client, auth, lid, "survey", "officer")
    assert r.status_code == 409 and "plot_allocation" in r.get_json()["detail"]
    r = client.post(f"/api/licences/{lid}/grant", headers=auth("supervisor"))
    assert r.status_code == 409 and r.get_json()["current_stage"] == "plot_allocation"
    r = client.post(f"/api/licences/{lid}/refuse", json={"reason": "no"},
                    headers=auth("supervisor"))  # fmt: skip
    assert r.status_code == 409 and "file_check" in r.get_json()["detail"]
    proc = client.get(f"/api/licences/{lid}/procedure", headers=auth("viewer")).get_json()
    assert proc["current_stage"] == "plot_allocation"
    assert not any(s["status"] == "complete" for s in proc["stages"])
