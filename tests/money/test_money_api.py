"""Money over the API: orders raised by events, payments by Finance, the grant that waits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from licence_support import KONO, make_holder, rect, walk_api

from tests.api.test_licences_api import PROBLEM, act, apply


@pytest.fixture
def citizen(empty_register) -> int:
    holder_id = make_holder(empty_register, "individual", "Fatmata Kamara")
    empty_register.commit()
    return holder_id


def charges(client, auth, licence_id, role="viewer"):
    r = client.get(f"/api/licences/{licence_id}/charges", headers=auth(role))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def pay(client, auth, role="finance", **body):
    return client.post("/api/payments", json=body, headers=auth(role))


def artisanal(client, auth, holder_id):
    r = apply(client, auth, holder_id, rect(*KONO, 90), licence_type="artisanal")
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_artisanal_grant_waits_for_the_order_to_pay(client, auth, citizen, profile):
    lic = artisanal(client, auth, citizen)
    got = charges(client, auth, lic["id"])
    assert [(o["kind"], o["amount"], o["currency"], o["status"]) for o in got["orders"]] == [
        ("application", "250.00", "SLE", "open")
    ]
    assert got["balance"] == "250.00" and got["currency"] == "SLE"
    # the Mining Engineer's verification (before the approval) wants the application fee paid
    walk_api(client, auth, lic["id"], before="decision")
    assert charges(client, auth, lic["id"])["balance"] == "0.00"
    r = act(client, auth, lic["id"], "grant")  # at the approval stage: approved
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    got = charges(client, auth, lic["id"])
    assert [o["kind"] for o in got["orders"]] == ["application", "annual_charge"]
    assert Decimal(got["balance"]) == Decimal("1500.00")
    r = act(client, auth, lic["id"], "grant")  # the order to pay is issued first
    assert r.status_code == 409 and r.mimetype == PROBLEM
    assert r.get_json()["current_stage"] == "order_to_pay"
    walk_api(client, auth, lic["id"], until="order_to_pay")
    r = act(client, auth, lic["id"], "finalise", role="officer")
    assert r.status_code == 409 and got["orders"][1]["number"] in r.get_json()["detail"]
    # part of it
    r = pay(
        client,
        auth,
        licence_id=lic["id"],
        amount="1000.00",
        currency="SLE",
        paid_on="2026-12-01",
        receipt_number="RCB 0001",
        bank="Rokel Commercial Bank",
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["receipt_number"] == "RCB0001"
    assert body["allocations"] == [
        {"order": got["orders"][1]["number"], "amount": "1000.00", "status": "open"},
    ]
    assert body["licence_balance"] == {"currency": "SLE", "balance": "500.00"}
    assert act(client, auth, lic["id"], "finalise", role="officer").status_code == 409
    r = pay(
        client,
        auth,
        licence_id=lic["id"],
        amount=500,
        currency="SLE",
        paid_on="2026-12-02",
        receipt_number="RCB0002",
    )
    assert r.status_code == 201, r.get_json()
    r = act(client, auth, lic["id"], "finalise", role="officer")
    assert r.status_code == 200 and r.get_json()["status"] == "granted", r.get_json()
    got = charges(client, auth, lic["id"])
    assert got["balance"] == "0.00"
    assert {o["status"] for o in got["orders"]} == {"paid"}


def test_only_finance_records_payments(client, auth, citizen):
    lic = artisanal(client, auth, citizen)
    for role in ("viewer", "officer", "supervisor", "admin"):
        r = pay(
            client,
            auth,
            role=role,
            licence_id=lic["id"],
            amount="250.00",
            currency="SLE",
            paid_on="2026-12-01",
            receipt_number=f"R-{role}",
        )
        assert r.status_code == 403, role
    assert charges(client, auth, lic["id"])["balance"] == "250.00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"amount": "1e3"}, "amount"),
        ({"currency": "USD"}, "currency"),
        ({"currency": "dollars"}, "currency"),
        ({"paid_on": "2999-01-01"}, "paid_on"),
        ({"paid_on": "2026-02-30"}, "paid_on"),
        ({"amount": "300.00"}, "amount"),
        ({"receipt_number": "  "}, "receipt_number"),
        ({"licence_id": 999999}, "licence_id"),
    ],
)
def test_bad_payments_say_what_is_wrong_and_change_nothing(client, auth, citizen, change, field):
    lic = artisanal(client, auth, citizen)
    body = {
        "licence_id": lic["id"],
        "amount": "250.00",
        "currency": "SLE",
        "paid_on": "2026-12-01",
        "receipt_number": "RCB-9",
        **change,
    }
    r = pay(client, auth, **body)
    assert r.status_code == 422 and r.mimetype == PROBLEM, r.get_json()
    assert field in [e["field"] for e in r.get_json()["errors"]]
    assert charges(client, auth, lic["id"])["balance"] == "250.00"
    assert charges(client, auth, lic["id"])["payments"] == []


def test_overpayment_needs_a_destination_and_becomes_credit(client, auth, citizen):
    lic = artisanal(client, auth, citizen)
    r = pay(
        client,
        auth,
        licence_id=lic["id"],
        amount="400.00",
        currency="SLE",
        paid_on="2026-12-01",
        receipt_number="OVER1",
    )
    assert r.status_code == 422 and "150.00 SLE" in r.get_json()["detail"]
    r = pay(
        client,
        auth,
        licence_id=lic["id"],
        amount="400.00",
        currency="SLE",
        paid_on="2026-12-01",
        receipt_number="OVER1",
        overpayment="credit",
    )
    assert r.status_code == 201 and r.get_json()["unallocated"] == "150.00"
    # the credit pays the next order as soon as it is raised
    walk_api(client, auth, lic["id"], before="decision")
    assert act(client, auth, lic["id"], "grant").get_json()["status"] == "approved"
    got = charges(client, auth, lic["id"])
    assert got["orders"][1]["paid"] == "150.00" and got["balance"] == "1350.00"


def test_receipt_used_twice_and_reversal(client, auth, citizen):
    lic = artisanal(client, auth, citizen)
    first = pay(
        client,
        auth,
        licence_id=lic["id"],
        amount="250.00",
        currency="SLE",
        paid_on="2026-12-01",
        receipt_number="dup-1",
    ).get_json()
    r = pay(
        client,
        auth,
        licence_id=lic["id"],
        amount="250.00",
        currency="SLE",
        paid_on="2026-12-01",
        receipt_number="DUP-1",
        overpayment="credit",
    )
    assert r.status_code == 409 and r.get_json()["payment_id"] == first["id"]
    url = f"/api/payments/{first['id']}/reverse"
    assert client.post(url, json={"reason": ""}, headers=auth("finance")).status_code == 422
    assert client.post(url, json={"reason": "x"}, headers=auth("officer")).status_code == 403
    r = client.post(url, json={"reason": "Cheque bounced"}, headers=auth("finance"))
    assert r.status_code == 201 and r.get_json()["amount"] == "-250.00"
    reversal = r.get_json()
    assert charges(client, auth, lic["id"])["balance"] == "250.00"
    assert client.post(url, json={"reason": "again"}, headers=auth("finance")).status_code == 409
    again = f"/api/payments/{reversal['id']}/reverse"
    r = client.post(again, json={"reason": "undo"}, headers=auth("finance"))
    assert r.status_code == 409 and "cannot itself be reversed" in r.get_json()["detail"]


def test_history_verify_covers_the_ledger(client, auth, citizen, runner):
    lic = artisanal(client, auth, citizen)
    pay(
        client,
        auth,
        licence_id=lic["id"],
        amount="250.00",
        currency="SLE",
        paid_on="2026-12-01",
        receipt_number="CHAIN1",
    )
    result = runner.invoke(args=["history", "verify"])
    assert result.exit_code == 0, result.output
    assert "history chain OK" in result.output


def test_a_withdrawn_approval_cancels_its_annual_charge_not_the_fee(client, auth, citizen):
    lic = artisanal(client, auth, citizen)
    walk_api(client, auth, lic["id"], before="decision")  # the fee paid on the way
    assert act(client, auth, lic["id"], "grant").get_json()["status"] == "approved"
    r = act(client, auth, lic["id"], "withdraw", role="officer")
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    got = charges(client, auth, lic["id"])
    assert [(o["kind"], o["status"]) for o in got["orders"]] == [
        ("application", "paid"),
        ("annual_charge", "cancelled"),
    ]
    assert got["balance"] == "0.00"
