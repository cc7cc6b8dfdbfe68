"""The default notice: refused until an order is past due and the grace period (saying from
which day), issued by a supervisor through the notices service, recorded on the orders and
in the ledger, and marked remedied when payments settle every order it names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from licence_support import KONO, grant_paid, rect
from sqlalchemy import select, update

from cadastre.models import LedgerEvent, OrderToPay
from cadastre.services.defaults import issue_default_notice
from cadastre.services.lifecycle import perform_action
from cadastre.services.users import add_user
from tests.api.test_licences_api import PROBLEM, apply
from tests.page_support import PASSWORD, login

TODAY = datetime.now(UTC).date()


@pytest.fixture
def granted(client, auth, company):
    """An exploration licence, granted, with its application fee and first annual charge
    open (USD): its procedure had them paid, and the bank then returned both payments, which
    Finance reversed."""
    r = apply(client, auth, company, rect(*KONO, 2000))
    assert r.status_code == 201, r.get_json()
    lic = r.get_json()
    r = grant_paid(client, auth, lic["id"])
    assert r.status_code == 200 and r.get_json()["status"] == "granted", r.get_json()
    charges = client.get(f"/api/licences/{lic['id']}/charges", headers=auth("viewer")).get_json()
    assert len(charges["payments"]) == 2
    for payment in charges["payments"]:
        r = client.post(f"/api/payments/{payment['id']}/reverse", headers=auth("finance"),
                        json={"reason": "Returned unpaid by the bank"})  # fmt: skip
        assert r.status_code == 201, r.get_json()
    charges = client.get(f"/api/licences/{lic['id']}/charges", headers=auth("viewer")).get_json()
    assert [o["status"] for o in charges["orders"]] == ["open", "open"]
    return lic


def fell_due(session, licence_id: int, days_ago: int) -> None:
    """Move every order of the licence to have fallen due ``days_ago`` days ago."""
    session.execute(
        update(OrderToPay)
        .where(OrderToPay.licence_id == licence_id)
        .values(due_on=TODAY - timedelta(days=days_ago))
    )
    session.commit()


def default_notice(client, auth, licence_id, role="supervisor"):
    return client.post(f"/api/licences/{licence_id}/default-notice", headers=auth(role))


def test_refused_until_past_due_and_grace_saying_from_when(client, auth, granted, session, profile):
    grace = profile.fees.grace_days
    r = default_notice(client, auth, granted["id"])
    assert r.status_code == 409 and r.mimetype == PROBLEM
    due = session.scalars(select(OrderToPay.due_on)).first()
    possible = due + timedelta(days=grace + 1)
    assert r.get_json()["possible_from"] == possible.isoformat()
    assert possible.isoformat() in r.get_json()["detail"]
    fell_due(session, granted["id"], grace)  # the last day of grace: still refused
    r = default_notice(client, auth, granted["id"])
    assert (
        r.status_code == 409
        and r.get_json()["possible_from"] == (TODAY + timedelta(days=1)).isoformat()
    )


def test_supervisor_issues_it_and_payment_remedies_it(client, auth, granted, session, profile):
    fell_due(session, granted["id"], profile.fees.grace_days + 1)
    for role in ("viewer", "officer", "finance"):
        assert default_notice(client, auth, granted["id"], role).status_code == 403
    r = default_notice(client, auth, granted["id"])
    assert r.status_code == 201, r.get_json()
    notice = r.get_json()
    orders = session.scalars(select(OrderToPay).order_by(OrderToPay.id)).all()
    assert [o["number"] for o in notice["orders"]] == [o.number for o in orders]
    for o in orders:
        assert o.number in notice["breach"] and o.due_on.isoformat() in notice["breach"]
        assert o.default_notice_id == notice["id"]
    assert profile.fees.grace_source in notice["breach"]
    assert notice["letter"].endswith(f"/licences/{granted['id']}/notices/{notice['id']}")
    event = session.scalars(select(LedgerEvent).where(LedgerEvent.action == "default_notice")).one()
    assert event.after["notice_id"] == notice["id"] and len(event.after["orders"]) == 2
    # the same orders are not noticed twice while the notice stands
    again = default_notice(client, auth, granted["id"])
    assert again.status_code == 409 and "already named" in again.get_json()["detail"]
    # the letter prints from the notice page
    add_user(session, "t_supervisor", "supervisor", password=PASSWORD)
    session.commit()
    login(client, "supervisor")
    letter = client.get(f"/licences/{granted['id']}/notices/{notice['id']}")
    assert letter.status_code == 200 and orders[0].number in letter.get_data(as_text=True)
    owed = sum(o.amount for o in orders)
    r = client.post(
        "/api/payments",
        headers=auth("finance"),
        json={
            "licence_id": granted["id"],
            "amount": str(owed),
            "currency": "USD",
            "paid_on": TODAY.isoformat(),
            "receipt_number": "DEF-1",
        },
    )
    assert r.status_code == 201, r.get_json()
    got = client.get(
        f"/api/licences/{granted['id']}/notices/{notice['id']}", headers=auth("viewer")
    ).get_json()
    assert got["remedied"] is True and "paid" in got["remedy_note"]


def test_a_part_payment_leaves_the_notice_standing(client, auth, granted, session, profile):
    fell_due(session, granted["id"], profile.fees.grace_days + 1)
    notice = default_notice(client, auth, granted["id"]).get_json()
    r = client.post(
        "/api/payments",
        headers=auth("finance"),
        json={
            "licence_id": granted["id"],
            "amount": "100.00",
            "currency": "USD",
            "paid_on": TODAY.isoformat(),
            "receipt_number": "DEF-2",
        },
    )
    assert r.status_code == 201
    got = client.get(
        f"/api/licences/{granted['id']}/notices/{notice['id']}", headers=auth("viewer")
    ).get_json()
    assert got["remedied"] is False


def test_suspension_may_follow_once_the_remedy_period_ran_out(granted, session, profile):
    fell_due(session, granted["id"], 200)
    long_ago = datetime.now(UTC) - timedelta(days=profile.notices.remedy_days + 1)
    notice, _orders = issue_default_notice(
        session, profile, granted["id"], actor="sup", today=long_ago.date(), at=long_ago
    )
    session.commit()
    licence = perform_action(
        session,
        profile,
        granted["id"],
        "suspend",
        actor="sup",
        reason="Annual charge unpaid after the default notice.",
    )
    assert licence.status == "suspended"
    assert notice.remedied_at is None


def test_unknown_licence_and_no_debt(client, auth, company, empty_register):
    assert default_notice(client, auth, 999999).status_code == 404
    r = apply(client, auth, company, rect(*KONO, 2000))
    lic = r.get_json()
    session = empty_register
    session.execute(update(OrderToPay).values(status="cancelled"))
    session.commit()
    r = default_notice(client, auth, lic["id"])
    assert r.status_code == 409 and "no unpaid order" in r.get_json()["detail"]
