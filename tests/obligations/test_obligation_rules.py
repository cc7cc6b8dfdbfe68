"""The due days of each obligation period, pure: leap years, renewals, expiry, calendars."""

from __future__ import annotations

from datetime import date

import pytest

from cadastre.domain.obligations import (
    Due,
    Obligation,
    ObligationRules,
    calendar_day,
    is_overdue,
    licence_occurrences,
    occurrences,
)

WORK = Obligation(
    "work_programme", "Annual work programme", "work_programme", "annual",
    Due(days_after=30, of="period_start"),
)  # fmt: skip
SPENT = Obligation(
    "expenditure_report", "Expenditure report", "expenditure_report", "annual",
    Due(days_after=60, of="period_end"),
)  # fmt: skip
RETURNS = Obligation(
    "production_return", "Production return", "production_return", "quarterly",
    Due(days_after=30, of="period_end"), periods="calendar",
)  # fmt: skip
REPORT = Obligation(
    "annual_report", "Annual report", "annual_report", "annual",
    Due(month=2, day=29), periods="calendar",
)  # fmt: skip
EPA = Obligation(
    "environmental_licence", "EPA licence", "environmental_licence", "once",
    Due(after_grant_days=180),
)  # fmt: skip


def keys(found):
    return [o.key for o in found]


def test_a_leap_day_grant_runs_its_licence_years_from_the_28th_in_common_years():
    found = occurrences(WORK, date(2024, 2, 29), date(2029, 2, 28), date(2028, 3, 1))
    starts = [o.period_start for o in found]
    assert starts == [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28),
                      date(2027, 2, 28), date(2028, 2, 29)]  # fmt: skip
    assert [o.due_on for o in found] == [date(2024, 3, 30), date(2025, 3, 30),
                                         date(2026, 3, 30), date(2027, 3, 30),
                                         date(2028, 3, 30)]  # fmt: skip
    assert keys(found) == [f"work_programme:{y}" for y in range(2024, 2029)]
    # each year ends the day before the next anniversary
    assert found[0].period_end == date(2025, 2, 27) and found[3].period_end == date(2028, 2, 28)


def test_a_due_day_of_29_february_falls_on_the_28th_in_common_years():
    found = occurrences(REPORT, date(2023, 6, 1), None, date(2026, 1, 1))
    assert keys(found) == ["annual_report:2023", "annual_report:2024", "annual_report:2025",
                           "annual_report:2026"]  # fmt: skip
    assert [o.due_on for o in found] == [date(2024, 2, 29), date(2025, 2, 28),
                                         date(2026, 2, 28), date(2027, 2, 28)]  # fmt: skip
    assert found[0].period_start == date(2023, 6, 1)  # the first year from the grant
    assert calendar_day(2100, 2, 29) == date(2100, 2, 28)  # 2100 is no leap year


def test_no_period_begins_on_or_after_the_expiry_and_the_last_is_clipped():
    found = occurrences(SPENT, date(2023, 6, 1), date(2026, 6, 1), date(2030, 1, 1))
    assert keys(found) == ["expenditure_report:2023", "expenditure_report:2024",
                           "expenditure_report:2025"]  # fmt: skip
    assert found[-1].period_end == date(2026, 5, 31)
    assert found[-1].due_on == date(2026, 7, 30)  # 60 days after the term's last day
    clipped = occurrences(SPENT, date(2023, 6, 1), date(2026, 3, 1), date(2030, 1, 1))
    assert clipped[-1].period_end == date(2026, 2, 28)


def test_after_a_renewal_the_periods_go_on_to_the_new_expiry():
    before = occurrences(WORK, date(2023, 6, 1), date(2026, 6, 1), date(2027, 7, 1))
    after = occurrences(WORK, date(2023, 6, 1), date(2028, 6, 1), date(2027, 7, 1))
    assert keys(before) == ["work_programme:2023", "work_programme:2024", "work_programme:2025"]
    assert keys(after) == keys(before) + ["work_programme:2026", "work_programme:2027"]
    assert after[:3] == before  # a renewal changes nothing already come round


def test_only_periods_begun_by_the_as_of_day():
    found = occurrences(WORK, date(2023, 6, 1), None, date(2025, 5, 31))
    assert keys(found) == ["work_programme:2023", "work_programme:2024"]
    assert keys(occurrences(WORK, date(2023, 6, 1), None, date(2025, 6, 1)))[-1] == (
        "work_programme:2025"
    )
    assert occurrences(WORK, date(2027, 1, 1), None, date(2026, 1, 1)) == []


def test_calendar_quarters_from_the_grant_the_first_one_partial():
    found = occurrences(RETURNS, date(2024, 2, 10), date(2024, 11, 15), date(2030, 1, 1))
    assert keys(found) == [f"production_return:2024-Q{q}" for q in (1, 2, 3, 4)]
    assert found[0].period_start == date(2024, 2, 10)
    assert found[0].period_end == date(2024, 3, 31) and found[0].due_on == date(2024, 4, 30)
    assert found[3].period_end == date(2024, 11, 14)  # the term ended mid-quarter
    assert found[3].due_on == date(2024, 12, 14)


def test_once_is_due_days_after_the_grant_and_only_once():
    found = occurrences(EPA, date(2024, 2, 29), None, date(2030, 1, 1))
    assert [(o.key, o.period_start, o.due_on) for o in found] == [
        ("environmental_licence", None, date(2024, 8, 27))
    ]
    assert occurrences(EPA, date(2024, 2, 29), date(2024, 2, 29), date(2030, 1, 1)) == []


def test_since_leaves_out_what_fell_due_before_the_register_tracked_it():
    rules = ObligationRules(by_type={"exploration": (WORK, SPENT)}, since=date(2024, 1, 1))
    found = licence_occurrences(rules, "exploration", date(2022, 6, 1), None, date(2024, 7, 1))
    # work programmes 2022 and 2023 fell due on 1 July 2022 and 2023; the expenditure of
    # the licence year 2022-23 on 30 July 2023: all before the register tracked them
    assert keys(found) == ["work_programme:2024", "expenditure_report:2023",
                           "expenditure_report:2024"]  # fmt: skip
    assert [o.due_on for o in found] == [date(2024, 7, 1), date(2024, 7, 30), date(2025, 7, 30)]
    assert licence_occurrences(rules, "large_scale", date(2022, 6, 1), None, date(2024, 7, 1)) == []


@pytest.mark.parametrize(
    "status, due, today, expected",
    [
        ("open", date(2026, 1, 10), date(2026, 1, 11), True),
        ("open", date(2026, 1, 10), date(2026, 1, 10), False),  # due today: not yet overdue
        ("received", date(2026, 1, 10), date(2027, 1, 1), False),
        ("waived", date(2026, 1, 10), date(2027, 1, 1), False),
    ],
)
def test_overdue_is_open_and_past_its_due_day(status, due, today, expected):
    assert is_overdue(status, due, today) is expected
