"""``cadastre charges run``: each year's annual charge on its anniversary, nothing twice."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from licence_support import KONO, geojson, grant_paid, grant_settled, make_holder, rect
from sqlalchemy import func, select

from cadastre.domain.licence_rules import add_years
from cadastre.models import LedgerEvent, OrderToPay
from cadastre.services.applications import register_application
from cadastre.services.charges import run_charges
from tests.api.test_licences_api import apply
from tests.domain.test_fees import profile_with, schedule


def run(runner, day: date) -> dict:
    result = runner.invoke(args=["charges", "run", "--as-of", day.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def annual(session, licence_id):
    return session.execute(
        select(OrderToPay.key, OrderToPay.period_start, OrderToPay.amount, OrderToPay.due_on)
        .where(OrderToPay.licence_id == licence_id, OrderToPay.kind == "annual_charge")
        .order_by(OrderToPay.year_of_term)
    ).all()


def test_each_year_on_its_anniversary_and_never_twice(client, auth, company, runner, session):
    lic = apply(client, auth, company, rect(*KONO, 2000)).get_json()  # exploration, 3 years
    granted = grant_paid(client, auth, lic["id"]).get_json()
    today = date.fromisoformat(granted["granted_at"])
    assert [k for k, *_ in annual(session, lic["id"])] == ["annual:1"]  # raised with the grant
    assert run(runner, today)["orders_raised"] == 0
    assert run(runner, add_years(today, 1) - timedelta(days=1))["orders_raised"] == 0
    first = run(runner, add_years(today, 1))
    assert first["orders_raised"] == 1
    assert run(runner, add_years(today, 1))["orders_raised"] == 0  # idempotent
    # skipped runs catch up; the year the term ends on raises nothing (it has expired)
    assert run(runner, add_years(today, 5))["orders_raised"] == 1
    rows = annual(session, lic["id"])
    assert [k for k, *_ in rows] == ["annual:1", "annual:2", "annual:3"]
    assert [s for _, s, _, _ in rows] == [add_years(today, n) for n in range(3)]
    assert all(due == start for _, start, _, due in rows[1:])  # due on the anniversary
    # exploration escalates: years 1-2 at 20 USD/km², year 3 at 40 (illustrative schedule)
    assert rows[2][2] == 2 * rows[1][2] or rows[2][2] == Decimal("500.00")
    events = session.scalar(
        select(func.count())
        .select_from(LedgerEvent)
        .where(LedgerEvent.licence_id == lic["id"], LedgerEvent.action == "order_raised")
    )
    assert events == 1 + 3  # the application fee and three years, each once
    assert "history chain OK" in runner.invoke(args=["history", "verify"]).output


def test_a_leap_day_grant_is_charged_on_the_28th_then_the_29th(empty_register, profile):
    session = empty_register
    holder = make_holder(session, "company", "Leap Day Mining Ltd")
    lic = register_application(
        session,
        profile,
        holder_id=holder,
        licence_type="large_scale",
        commodities=["gold"],
        geometry=geojson(rect(*KONO, 3000)),
        actor="officer",
        received_at=datetime(2024, 2, 1, tzinfo=UTC),
    )
    grant_settled(session, profile, lic.id, at=datetime(2024, 2, 29, 10, tzinfo=UTC))
    result = run_charges(session, profile, date(2028, 2, 29))
    assert result.raised == 4
    starts = [s for _, s, _, _ in annual(session, lic.id)]
    assert starts == [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28),
                      date(2027, 2, 28), date(2028, 2, 29)]  # fmt: skip
    assert run_charges(session, profile, date(2028, 2, 29)).raised == 0


def test_a_new_schedule_charges_new_years_and_leaves_old_orders(empty_register):
    money = {"schedules": [
        schedule("2020-01-01", artisanal={"annual_charge": {"per": "licence", "amount": "1000",
                                                            "currency": "SLE"}}),
    ]}  # fmt: skip
    old = profile_with(money)
    session = empty_register
    holder = make_holder(session, "individual", "Sia Koroma")
    lic = register_application(
        session,
        old,
        holder_id=holder,
        licence_type="artisanal",
        commodities=["diamond"],
        geometry=geojson(rect(*KONO, 90)),
        actor="officer",
        district="Kono",
        received_at=datetime(2021, 1, 1, tzinfo=UTC),
    )
    grant_settled(session, old, lic.id, at=datetime(2021, 3, 1, tzinfo=UTC))
    # artisanal is renewed year by year: keep it in force for the test
    lic.expires_at = date(2027, 3, 1)
    session.flush()
    assert run_charges(session, old, date(2023, 3, 1)).raised == 2
    money["schedules"].append(
        schedule("2024-01-01", artisanal={"annual_charge": {"per": "licence", "amount": "1200",
                                                            "currency": "SLE"}})
    )  # fmt: skip
    new = profile_with(money)
    assert run_charges(session, new, date(2025, 3, 1)).raised == 2
    amounts = [a for _, _, a, _ in annual(session, lic.id)]
    assert amounts == [Decimal("1000.00")] * 3 + [Decimal("1200.00")] * 2
