"""The fee schedule's arithmetic: per licence, hectare or km², escalation by year of term,
pro rata part years, minimums, anniversaries across leap years, schedules by date."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest
import yaml

from cadastre.domain.fees import (
    anniversary,
    annual_charge,
    one_off_fee,
    period_of_year,
    periods_due,
)
from cadastre.errors import ConfigurationError
from cadastre.profile import parse_profile

PROFILE = "fixtures/profiles/sierra-leone.yaml"


def profile_with(money: dict):
    with open(PROFILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    data = copy.deepcopy(data)
    data["money"] = money
    return parse_profile(data, PROFILE)


def schedule(day: str, **types) -> dict:
    return {"effective_from": day, "source": "illustrative: test", "types": types}


def test_anniversaries_of_a_leap_day_grant_fall_on_the_28th_in_common_years():
    granted = date(2024, 2, 29)
    assert [anniversary(granted, n) for n in range(1, 5)] == [
        date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29),
    ]  # fmt: skip
    # counted from the grant each time, not from the last anniversary (no drift to the 28th)
    assert periods_due(granted, None, date(2028, 2, 29))[-1].start == date(2028, 2, 29)
    assert periods_due(granted, None, date(2028, 2, 28))[-1].start == date(2027, 2, 28)


def test_periods_stop_at_expiry_and_the_last_may_be_short():
    periods = periods_due(date(2023, 7, 1), date(2025, 10, 1), date(2030, 1, 1))
    assert [(p.year_of_term, p.start, p.end) for p in periods] == [
        (1, date(2023, 7, 1), date(2024, 7, 1)),
        (2, date(2024, 7, 1), date(2025, 7, 1)),
        (3, date(2025, 7, 1), date(2025, 10, 1)),
    ]
    assert periods[0].days == 366 and periods[0].full_days == 366  # 2024 is a leap year
    assert periods_due(date(2026, 1, 1), None, date(2025, 12, 31)) == []


def test_per_km2_escalating_with_minimum_and_pro_rata():
    p = profile_with({"schedules": [schedule("2023-01-01", exploration={"annual_charge": {
        "per": "km2", "by_year": ["10", "20", "30.50"], "currency": "USD", "pro_rata": True,
        "minimum": "100"}})]})  # fmt: skip
    year = lambda n, end=None: period_of_year(date(2024, 3, 1), n, end)  # noqa: E731
    # 1,234.5 ha = 12.345 km²
    assert annual_charge(p.fees, "exploration", 1234.5, year(1)).money.amount == Decimal("123.45")
    assert annual_charge(p.fees, "exploration", 1234.5, year(2)).money.amount == Decimal("246.90")
    # years past the list pay the last rate
    assert annual_charge(p.fees, "exploration", 1234.5, year(7)).money.amount == Decimal("376.52")
    # a small area pays the minimum
    assert annual_charge(p.fees, "exploration", 50, year(1)).money.amount == Decimal("100.00")
    # a last part year: 2027-03-01 .. 2027-06-01 is 92 days of a year that holds 29 February
    # 2028 (366 days), of 12.345 km² × 30.50
    short = year(4, date(2027, 6, 1))
    charge = annual_charge(p.fees, "exploration", 1234.5, short)
    assert charge.money.amount == Decimal("94.65")  # 376.5225 × 92 / 366 = 94.6450
    assert "pro rata 92/366 days" in charge.basis and charge.money.currency == "USD"
    # the same in a common year: 2026-03-01 .. 2026-06-01, 92 of 365 days of year 3
    common = annual_charge(p.fees, "exploration", 1234.5, year(3, date(2026, 6, 1)))
    assert common.money.amount == Decimal("94.90")  # 376.5225 × 92 / 365 = 94.9020


def test_without_pro_rata_a_short_year_pays_in_full_and_per_hectare_counts_exactly():
    p = profile_with({"schedules": [schedule("2023-01-01", small_scale={"annual_charge": {
        "per": "hectare", "amount": "150", "currency": "SLE"}})]})  # fmt: skip
    short = period_of_year(date(2024, 1, 1), 1, date(2024, 2, 1))
    assert annual_charge(p.fees, "small_scale", 12.3456, short).money.amount == Decimal(
        "1851.84"
    )  # 12.3456 ha × 150
    assert annual_charge(p.fees, "artisanal", 1, short) is None  # the schedule charges nothing


def test_a_charge_follows_the_schedule_in_force_on_its_day():
    p = profile_with({"schedules": [
        schedule("2023-05-12", artisanal={"application": {"amount": "250", "currency": "SLE"},
                                          "annual_charge": {"per": "licence", "amount": "1500",
                                                            "currency": "SLE"}}),
        schedule("2026-01-01", artisanal={"application": {"amount": "300", "currency": "SLE"},
                                          "annual_charge": {"per": "licence", "amount": "1800",
                                                            "currency": "SLE"}}),
    ]})  # fmt: skip
    fee = lambda day: one_off_fee(p.fees, "artisanal", "application", day)  # noqa: E731
    assert fee(date(2023, 5, 11)) is None  # before the first schedule nothing is charged
    assert fee(date(2025, 12, 31)).money.amount == Decimal("250.00")
    assert fee(date(2026, 1, 1)).money.amount == Decimal("300.00")
    year1 = period_of_year(date(2025, 6, 1), 1, None)
    year2 = period_of_year(date(2025, 6, 1), 2, None)
    first = annual_charge(p.fees, "artisanal", 1, year1)
    assert (first.money.amount, first.schedule_from) == (Decimal("1500.00"), date(2023, 5, 12))
    second = annual_charge(p.fees, "artisanal", 1, year2)
    assert (second.money.amount, second.schedule_from) == (Decimal("1800.00"), date(2026, 1, 1))


@pytest.mark.parametrize(
    ("money", "key"),
    [
        ({"schedules": [schedule("2023-01-01", nowhere={})]}, "types.nowhere"),
        ({"schedules": [schedule("2023-01-01", artisanal={"rent": {}})]}, "artisanal.rent"),
        ({"schedules": [schedule("2023-01-01", artisanal={"application": {
            "amount": "-1", "currency": "SLE"}})]}, "application.amount"),
        ({"schedules": [schedule("2023-01-01", artisanal={"application": {
            "amount": "1", "currency": "leones"}})]}, "application.currency"),
        ({"schedules": [schedule("2023-01-01", artisanal={"annual_charge": {
            "per": "acre", "amount": "1", "currency": "SLE"}})]}, "annual_charge.per"),
        ({"schedules": [schedule("someday")]}, "effective_from"),
        ({"schedules": [schedule("2023-01-01"), schedule("2023-01-01")]}, "schedules"),
        ({"pay_before_grant": ["quarry"]}, "pay_before_grant"),
    ],
)  # fmt: skip
def test_a_bad_schedule_stops_start_up_naming_the_key(money, key):
    with pytest.raises(ConfigurationError) as caught:
        profile_with(money)
    assert key in caught.value.detail


def test_the_shipped_profile_marks_unconfirmed_amounts_illustrative():
    p = profile_with(yaml.safe_load(open(PROFILE, encoding="utf-8"))["money"])
    assert p.fees.pay_before_grant == ("artisanal",)
    assert all(s.source.startswith("illustrative") for s in p.fees.schedules)
    text = open(PROFILE, encoding="utf-8").read()
    assert text.count("# illustrative") >= 20
