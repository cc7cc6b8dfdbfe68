"""The decision clock: calendar days from receipt, or business days skipping weekends and the
profile's public holidays, across a year end too."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cadastre.domain.procedure import Clock, decision_due

#: Christmas 2026 (Friday), Boxing Day (Saturday) and New Year 2027 (Friday).
HOLIDAYS = frozenset({date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)})


def test_calendar_days_count_every_day_across_the_year_end():
    clock = Clock(days=10, count="calendar", holidays=HOLIDAYS)
    assert decision_due(clock, date(2026, 12, 24)) == date(2027, 1, 3)  # a Sunday: still due


def test_ninety_calendar_days_from_receipt():
    assert decision_due(Clock(days=90), date(2026, 3, 1)) == date(2026, 5, 30)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (date(2026, 12, 14), 5, date(2026, 12, 21)),  # Mon + 5 -> next Mon (weekend skipped)
        (date(2026, 12, 18), 1, date(2026, 12, 21)),  # Fri + 1 -> Mon
        (date(2026, 12, 19), 1, date(2026, 12, 21)),  # received on a Saturday
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # Thu + 1: Christmas Fri, weekend
        (date(2026, 12, 24), 3, date(2026, 12, 30)),
        (date(2026, 12, 24), 6, date(2027, 1, 5)),  # New Year's Day skipped too
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # Thu + 1: holiday Fri, weekend
    ],
)
def test_business_days_skip_weekends_and_holidays(received, days, due):
    clock = Clock(days=days, count="business", holidays=HOLIDAYS)
    assert decision_due(clock, received) == due


def test_without_the_holidays_only_weekends_are_skipped():
    clock = Clock(days=6, count="business")
    assert decision_due(clock, date(2026, 12, 24)) == date(2027, 1, 1)


def test_the_profile_holidays_reach_every_clock(profile):
    procedure = profile.procedure("exploration")
    assert {date(2026, 12, 25), date(2027, 1, 1)} <= procedure.clock.holidays
    assert procedure.clock.count == "calendar" and procedure.clock.days == 90
    business = replace(procedure.clock, count="business", days=6)
    assert decision_due(business, date(2026, 12, 24)) == date(2027, 1, 5)
    assert decision_due(procedure.clock, date(2026, 12, 24)) == date(2027, 3, 24)
