"""What the state charges for a licence, and when: the fee schedule's arithmetic.

A schedule takes effect on a date; a charge is computed by the schedule in force on the day
it falls due, so a new schedule never changes an old charge. The annual charge is counted in
years of the licence's term from its grant date: year 1 starts on the grant, year n on the
(n-1)th anniversary (29 February falls back to the 28th, as the term itself does). It may be
per licence, per hectare or per square kilometre, escalate by year of term, and be charged
pro rata by days for a last period shorter than a year, where the schedule says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cadastre.domain.calendar import add_years
from cadastre.domain.money import Money, cents

#: One-off fees a schedule may set per licence type, and the event that raises each.
FEE_KINDS = ("application", "renewal", "transfer", "amendment")
#: Every kind of order to pay (``legacy`` is a balance brought in by an import).
ORDER_KINDS = ("application", "annual_charge", "renewal", "transfer", "amendment", "legacy")
#: How an annual charge is counted.
PER = ("licence", "hectare", "km2")


@dataclass(frozen=True)
class AnnualCharge:
    """The annual charge of one licence type under one schedule."""

    currency: str
    per: str
    #: By year of term: year n pays ``rates[n-1]``; years past the list pay the last rate.
    rates: tuple[Decimal, ...]
    #: A period shorter than a year (the last before expiry) is charged by its days.
    pro_rata: bool = False
    #: The least charge for a period (before any pro rata), if the schedule sets one.
    minimum: Decimal | None = None

    def rate(self, year_of_term: int) -> Decimal:
        """The rate for a year of term (1 = the first year)."""
        return self.rates[min(max(year_of_term, 1), len(self.rates)) - 1]


@dataclass(frozen=True)
class TypeFees:
    """One licence type's fees under one schedule (None: the schedule charges nothing)."""

    application: Money | None = None
    annual_charge: AnnualCharge | None = None
    renewal: Money | None = None
    transfer: Money | None = None
    amendment: Money | None = None


@dataclass(frozen=True)
class FeeSchedule:
    """A schedule of fees and annual charges, in force from ``effective_from``."""

    effective_from: date
    #: Where the amounts come from, or ``illustrative: ...`` when they are not confirmed.
    source: str
    types: dict[str, TypeFees] = field(default_factory=dict)


@dataclass(frozen=True)
class FeeRules:
    """The profile's money section: schedules, and what the procedure makes wait for money."""

    schedules: tuple[FeeSchedule, ...] = ()
    #: Licence types whose grant waits until the application fee and the first annual
    #: charge are paid (Sierra Leone's artisanal procedure: order to pay, bank, Finance).
    pay_before_grant: tuple[str, ...] = ()
    #: Days after an order falls due before a default notice may be issued.
    grace_days: int = 30
    grace_source: str = "guess: not set in the profile"
    #: Days an order raised by an event gives the holder to pay.
    pay_within_days: int = 30

    def schedule_on(self, day: date) -> FeeSchedule | None:
        """The schedule in force on ``day`` (None before the first one)."""
        in_force = None
        for schedule in self.schedules:
            if schedule.effective_from <= day:
                in_force = schedule
        return in_force

    def type_fees(self, licence_type: str, day: date) -> tuple[TypeFees | None, FeeSchedule | None]:
        """A type's fees under the schedule in force on ``day``, with that schedule."""
        schedule = self.schedule_on(day)
        if schedule is None:
            return None, None
        return schedule.types.get(licence_type), schedule


@dataclass(frozen=True)
class Charge:
    """An amount due, how it was reached (in words), and the schedule it follows."""

    money: Money
    basis: str
    schedule_from: date


def one_off_fee(rules: FeeRules, licence_type: str, kind: str, day: date) -> Charge | None:
    """The ``kind`` fee (application, renewal, transfer, amendment) due on ``day``."""
    if kind not in FEE_KINDS:
        raise ValueError(f"{kind!r} is not a fee ({', '.join(FEE_KINDS)})")
    fees, schedule = rules.type_fees(licence_type, day)
    money = getattr(fees, kind) if fees is not None else None
    if money is None or schedule is None:
        return None
    return Charge(
        money,
        f"{kind} fee of the schedule in force from {schedule.effective_from.isoformat()}",
        schedule.effective_from,
    )


@dataclass(frozen=True)
class Period:
    """One year (or last part year) of a licence's term, and its number."""

    year_of_term: int
    start: date
    end: date  # the day after the period's last day

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days

    @property
    def full_days(self) -> int:
        """How many days a whole year from its start has (365 or 366)."""
        return (add_years(self.start, 1) - self.start).days


def period_of_year(granted_on: date, year_of_term: int, expires_on: date | None) -> Period:
    """Year ``year_of_term`` of a licence granted on ``granted_on`` (cut at its expiry)."""
    start = anniversary(granted_on, year_of_term - 1)
    end = anniversary(granted_on, year_of_term)
    if expires_on is not None and expires_on < end:
        end = expires_on
    return Period(year_of_term, start, end)


def anniversary(granted_on: date, years: int) -> date:
    """The ``years``-th anniversary of a grant, always counted from the grant date itself
    (a licence granted on 29 February pays on the 28th in common years, the 29th in leap
    years)."""
    return add_years(granted_on, years)


def periods_due(
    granted_on: date, expires_on: date | None, as_of: date, *, first_year: int = 1
) -> list[Period]:
    """Every period from ``first_year`` that has started by ``as_of`` and before expiry."""
    periods = []
    year = first_year
    while True:
        period = period_of_year(granted_on, year, expires_on)
        if period.start > as_of or (expires_on is not None and period.start >= expires_on):
            return periods
        periods.append(period)
        year += 1


def annual_charge(
    rules: FeeRules, licence_type: str, area_ha: float | Decimal, period: Period
) -> Charge | None:
    """The annual charge for ``period`` by the schedule in force on its first day."""
    fees, schedule = rules.type_fees(licence_type, period.start)
    spec = fees.annual_charge if fees is not None else None
    if spec is None or schedule is None:
        return None
    rate = spec.rate(period.year_of_term)
    area = Decimal(str(area_ha)).quantize(Decimal("0.0001"))
    if spec.per == "licence":
        amount, basis = rate, f"{rate} {spec.currency} per licence"
    elif spec.per == "hectare":
        amount, basis = rate * area, f"{area} ha × {rate} {spec.currency} per hectare"
    else:
        km2 = area / 100
        amount, basis = rate * km2, f"{km2} km² × {rate} {spec.currency} per km²"
    if spec.minimum is not None and amount < spec.minimum:
        amount, basis = spec.minimum, f"{basis}, raised to the minimum {spec.minimum}"
    if spec.pro_rata and period.days < period.full_days:
        amount = amount * period.days / period.full_days
        basis = f"{basis}, pro rata {period.days}/{period.full_days} days"
    basis = f"year {period.year_of_term}: {basis}"
    return Charge(Money(cents(amount), spec.currency), basis, schedule.effective_from)
