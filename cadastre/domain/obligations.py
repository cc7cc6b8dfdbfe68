"""What a licence's holder owes besides money: reports, programmes, agreements, each due on a
day the profile's rule fixes, and satisfied by a document of the kind the rule names.

A rule (``Obligation``) comes once (due some days after the grant), every licence year
(from the grant's anniversary), every calendar year or every calendar quarter; its ``Due``
puts the due day after the period's first or last day, or on a day of the calendar. The
periods run from the grant to the expiry: after a renewal (a later expiry) they go on to the
new one; none begins on or after the expiry. Leap years: a licence granted on 29 February
has its later licence years start on 28 February in common years (``calendar.add_years``),
and a due day of 29 February falls on the 28th in common years.

Pure: dates and rules in, the ``Occurrence`` of each period out, keyed for the register
(``work_programme:2027``, ``production_return:2027-Q1``, ``environmental_licence``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from cadastre.domain.calendar import add_years

#: How often an obligation comes round.
EVERY = ("once", "annual", "quarterly")
#: What an annual obligation's year is: the licence's year (from the grant's anniversary) or
#: the calendar year. Quarters are always the calendar's.
PERIODS = ("licence_year", "calendar")
#: Which end of its period a ``days_after`` rule counts from.
OF = ("period_start", "period_end")
#: Which year a calendar due day (``month``/``day``) falls in: the period's, or the next.
IN_YEAR = ("same", "following")
#: Statuses of an obligation in the register.
STATUSES = ("open", "received", "waived")


@dataclass(frozen=True)
class Due:
    """When an obligation's period falls due: one of three forms.

    * ``after_grant_days``: so many days after the grant (``once`` only);
    * ``days_after`` and ``of``: so many days after the period's first or last day;
    * ``month`` and ``day`` (and ``in_year``): a day of the calendar, in the period's year or
      the following one (calendar-year obligations only).
    """

    after_grant_days: int | None = None
    days_after: int | None = None
    of: str | None = None
    month: int | None = None
    day: int | None = None
    in_year: str = "following"


@dataclass(frozen=True)
class Obligation:
    """One duty of a licence type's holders, as the profile sets it."""

    name: str
    label: str
    #: The document kind (``domain.documents.DOCUMENT_KINDS``) that satisfies it.
    document: str
    every: str
    due: Due
    periods: str = "licence_year"
    #: Where the rule comes from (the Act's section, or ``guess: ...``).
    source: str = "guess: not set in the profile"


@dataclass(frozen=True)
class ObligationRules:
    """The profile's obligations by licence type, and the day the register tracks them from."""

    by_type: dict[str, tuple[Obligation, ...]] = field(default_factory=dict)
    #: Obligations falling due before this day are not generated (None: all are).
    since: date | None = None
    #: Days before its due day that the holder is reminded of an open obligation.
    remind_days: int = 30
    #: Where the reminder period comes from (the default is a guess).
    remind_source: str = "guess: a month's warning, not set in the profile"

    def of_type(self, licence_type: str) -> tuple[Obligation, ...]:
        """The obligations of ``licence_type`` (none when the profile sets none)."""
        return self.by_type.get(licence_type, ())

    @property
    def types(self) -> tuple[str, ...]:
        """The licence types that carry any obligation."""
        return tuple(t for t, rules in self.by_type.items() if rules)


@dataclass(frozen=True)
class Occurrence:
    """One period of one obligation of one licence: what is owed, for when, by when."""

    key: str
    kind: str
    label: str
    document: str
    #: The period's first and last day (both None for a ``once`` obligation).
    period_start: date | None
    period_end: date | None
    due_on: date


def calendar_day(year: int, month: int, day: int) -> date:
    """``year-month-day``; 29 February falls back to the 28th in a common year."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)


def _periods(rule: Obligation, granted: date, expires: date | None) -> Iterator[tuple]:
    """(key suffix, first day, last day) of each period from the grant, clipped to the term
    (``expires`` is the first day the licence no longer runs; None: it runs on)."""
    if rule.every == "annual" and rule.periods == "licence_year":
        n = 0
        while True:
            start, following = add_years(granted, n), add_years(granted, n + 1)
            if expires is not None and start >= expires:
                return
            end = following - timedelta(days=1)
            yield str(start.year), start, _clip(end, expires)
            n += 1
    elif rule.every == "annual":
        year = granted.year
        while True:
            start = max(date(year, 1, 1), granted)
            if expires is not None and start >= expires:
                return
            yield str(year), start, _clip(date(year, 12, 31), expires)
            year += 1
    else:  # quarterly, calendar quarters
        year, quarter = granted.year, (granted.month - 1) // 3
        while True:
            first = date(year, 3 * quarter + 1, 1)
            start = max(first, granted)
            if expires is not None and start >= expires:
                return
            nxt = date(year + 1, 1, 1) if quarter == 3 else date(year, 3 * quarter + 4, 1)
            yield f"{year}-Q{quarter + 1}", start, _clip(nxt - timedelta(days=1), expires)
            year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)


def _clip(end: date, expires: date | None) -> date:
    return end if expires is None else min(end, expires - timedelta(days=1))


def due_day(rule: Obligation, granted: date, start: date | None, end: date | None) -> date:
    """The due day of one period of ``rule`` (``once``: from the grant)."""
    due = rule.due
    if due.after_grant_days is not None:
        return granted + timedelta(days=due.after_grant_days)
    if due.month is not None and due.day is not None:
        assert end is not None
        year = end.year + (1 if due.in_year == "following" else 0)
        return calendar_day(year, due.month, due.day)
    assert start is not None and end is not None and due.days_after is not None
    anchor = start if due.of == "period_start" else end
    return anchor + timedelta(days=due.days_after)


def occurrences(
    rule: Obligation,
    granted: date,
    expires: date | None,
    as_of: date,
    *,
    since: date | None = None,
) -> list[Occurrence]:
    """Every period of ``rule`` that has begun by ``as_of`` within the licence's term
    (granted on ``granted``, running until the day before ``expires``), with its due day;
    those falling due before ``since`` left out."""
    found = []
    if granted > as_of or (expires is not None and granted >= expires):
        return found
    if rule.every == "once":
        due = due_day(rule, granted, None, None)
        if since is None or due >= since:
            occ = Occurrence(rule.name, rule.name, rule.label, rule.document, None, None, due)
            found.append(occ)
        return found
    for suffix, start, end in _periods(rule, granted, expires):
        if start > as_of:
            break
        due = due_day(rule, granted, start, end)
        if since is not None and due < since:
            continue
        label = f"{rule.label} {suffix}"
        found.append(
            Occurrence(f"{rule.name}:{suffix}", rule.name, label, rule.document, start, end, due)
        )
    return found


def licence_occurrences(
    rules: ObligationRules,
    licence_type: str,
    granted: date,
    expires: date | None,
    as_of: date,
) -> list[Occurrence]:
    """Every occurrence of every obligation of a licence of ``licence_type``, by ``as_of``."""
    found = []
    for rule in rules.of_type(licence_type):
        found.extend(occurrences(rule, granted, expires, as_of, since=rules.since))
    return found


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """Open and its due day passed (due today is not yet overdue)."""
    return status == "open" and due_on < today
