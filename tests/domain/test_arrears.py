"""The pure rules behind default notices, money report parameters and the report roles."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cadastre.domain.arrears import (
    UnpaidOrder,
    breach_text,
    notice_possible_on,
    orders_for_default_notice,
)
from cadastre.domain.money_reports import parse_range, parse_year, stream_of
from cadastre.domain.roles import MONEY_REPORTS, refusal, role_allows
from cadastre.errors import Conflict, ValidationError


def order(i, due, amount="100.00", noticed=False):
    return UnpaidOrder(i, f"OP/2026/{i:06d}", "annual_charge", due, Decimal(amount), "SLE", noticed)


def test_a_notice_is_possible_the_day_after_grace_runs_out():
    due = date(2026, 1, 31)
    assert notice_possible_on(due, 30) == date(2026, 3, 3)
    orders = [order(1, due), order(2, date(2026, 3, 1))]
    with pytest.raises(Conflict) as refused:
        orders_for_default_notice(orders, 30, date(2026, 3, 2))
    assert refused.value.extra["possible_from"] == "2026-03-03"
    assert [o.id for o in orders_for_default_notice(orders, 30, date(2026, 3, 3))] == [1]


def test_orders_already_noticed_are_not_named_again():
    orders = [order(1, date(2026, 1, 1), noticed=True), order(2, date(2026, 1, 5))]
    assert [o.id for o in orders_for_default_notice(orders, 0, date(2026, 2, 1))] == [2]
    with pytest.raises(Conflict, match="already named"):
        orders_for_default_notice(orders[:1], 0, date(2026, 2, 1))
    with pytest.raises(Conflict, match="no unpaid order"):
        orders_for_default_notice([order(3, date(2026, 1, 1), "0.00")], 0, date(2026, 2, 1))


def test_breach_lists_orders_amounts_due_dates_and_grace_source_within_a_page():
    text = breach_text([order(1, date(2026, 1, 31), "1500.00")], 30, "guess: not confirmed")
    assert "OP/2026/000001" in text and "1,500.00 SLE" in text and "2026-01-31" in text
    assert "30 days (guess: not confirmed)" in text
    many = [order(i, date(2026, 1, 1)) for i in range(1, 400)]
    long = breach_text(many, 30, "x")
    assert len(long) < 4000 and "more order(s)" in long and "39,900.00 SLE" in long


def test_report_parameters():
    today = date(2026, 12, 3)
    assert parse_range(None, None, today) == (date(2026, 1, 1), today)
    for bad, field in ((("2026-1-1", None), "from"), (("2026-05-01", "2026-04-01"), "to")):
        with pytest.raises(ValidationError) as refused:
            parse_range(*bad, today)
        assert refused.value.errors[0]["field"] == field
    assert parse_year("2025", 2026) == 2025 and parse_year(None, 2026) == 2026
    assert stream_of("annual_charge") == "Annual charges (mineral rights)"
    assert stream_of(None).startswith("Payments on account")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("viewer", False),
        ("officer", True),
        ("supervisor", True),
        ("admin", True),
        ("finance", True),
        (None, False),
    ],
)
def test_money_reports_are_for_finance_or_officers_and_above(role, allowed):
    assert role_allows(role, MONEY_REPORTS) is allowed
    if role is not None:
        assert (refusal(role, MONEY_REPORTS) is None) is allowed
    assert refusal("viewer", MONEY_REPORTS, "read reports") == (
        "Your role 'viewer' may not read reports; it needs 'officer' or higher or 'finance'."
    )
