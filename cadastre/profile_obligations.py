"""The profile's ``obligations`` section read into ``domain.obligations.ObligationRules`` (file,
key, problem on any fault). Kept apart from ``profile.py`` so the shape of an obligation reads
in one place."""

from __future__ import annotations

from datetime import date
from typing import Any

from cadastre.domain.documents import DOCUMENT_KINDS
from cadastre.domain.obligations import (
    EVERY,
    IN_YEAR,
    OF,
    PERIODS,
    Due,
    Obligation,
    ObligationRules,
)

_KEYS = {"name", "label", "document", "every", "periods", "due", "source"}
_DUE_KEYS = {"after_grant_days", "days_after", "of", "month", "day", "in_year"}
_NAME_OK = set("abcdefghijklmnopqrstuvwxyz0123456789_")
#: Longest obligation name: the register's key is ``name:YYYY-Qn`` in 60 characters.
MAX_NAME = 40
#: Most days a due rule may count (ten years).
MAX_DAYS = 3660
#: Most days ahead a holder may be reminded of an obligation (a year).
MAX_REMIND = 366
#: The section's own settings (every other key is a licence type).
_SETTINGS = {"since", "remind_days", "remind_source"}
#: Days in each month of a leap year (a due day of 29 February is allowed).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def obligation_rules(r: Any, data: dict | None, type_names: set[str]) -> ObligationRules:
    """The ``obligations`` section (absent: no licence carries any obligation)."""
    if data is None:
        return ObligationRules(by_type={})
    where = "obligations"
    since = _since(r, data.get("since"), f"{where}.since") if "since" in data else None
    remind = {}
    if "remind_days" in data:
        remind["remind_days"] = _whole(r, data, "remind_days", where)
        if not 0 <= remind["remind_days"] <= MAX_REMIND:
            raise r.fail(
                f"{where}.remind_days",
                f"must be 0 to {MAX_REMIND} days, got {remind['remind_days']}",
            )
    if "remind_source" in data:
        remind["remind_source"] = str(r.get(data, "remind_source", str, where)).strip()
    by_type = {}
    for name, spec in data.items():
        if name in _SETTINGS:
            continue
        at = f"{where}.{name}"
        if name not in type_names:
            raise r.fail(at, "is not a licence type of the profile")
        if spec is None:
            by_type[name] = ()
            continue
        if not isinstance(spec, list):
            raise r.fail(at, "must be a list of obligations (name, label, document, every, due)")
        rules = tuple(_obligation(r, s, f"{at}[{i}]") for i, s in enumerate(spec))
        names = [o.name for o in rules]
        for i, n in enumerate(names):
            if n in names[:i]:
                raise r.fail(f"{at}[{i}].name", f"'{n}' names two obligations of this type")
        by_type[name] = rules
    return ObligationRules(by_type=by_type, since=since, **remind)


def _obligation(r: Any, spec: Any, where: str) -> Obligation:
    if not isinstance(spec, dict):
        raise r.fail(where, "must be a mapping (name, label, document, every, due)")
    unknown = sorted(set(spec) - _KEYS)
    if unknown:
        raise r.fail(
            f"{where}.{unknown[0]}", f"is not an obligation key ({', '.join(sorted(_KEYS))})"
        )
    name = r.get(spec, "name", str, where)
    if not name or not set(name) <= _NAME_OK or len(name) > MAX_NAME:
        raise r.fail(
            f"{where}.name", f"{name!r}: use lower-case letters, digits and _ (at most {MAX_NAME})"
        )
    label = str(r.get(spec, "label", str, where)).strip()
    if not label:
        raise r.fail(f"{where}.label", "must not be empty")
    document = r.get(spec, "document", str, where)
    if document not in DOCUMENT_KINDS:
        raise r.fail(
            f"{where}.document",
            f"'{document}' is not a document kind ({', '.join(DOCUMENT_KINDS)})",
        )
    every = r.get(spec, "every", str, where)
    if every not in EVERY:
        raise r.fail(f"{where}.every", f"'{every}' is not one of {', '.join(EVERY)}")
    periods = r.opt(spec, "periods", str, where, "licence_year")
    if periods not in PERIODS:
        raise r.fail(f"{where}.periods", f"'{periods}' is not one of {', '.join(PERIODS)}")
    if every == "quarterly":
        periods = "calendar"
    if "due" not in spec or spec["due"] is None:
        raise r.fail(f"{where}.due", "is missing: every obligation needs a due rule")
    due = _due(r, r.get(spec, "due", dict, where), f"{where}.due", every, periods)
    source = str(r.opt(spec, "source", str, where, "guess: not set in the profile")).strip()
    return Obligation(name, label, document, every, due, periods, source or "guess: not set")


def _due(r: Any, spec: dict, where: str, every: str, periods: str) -> Due:
    unknown = sorted(set(spec) - _DUE_KEYS)
    if unknown:
        raise r.fail(
            f"{where}.{unknown[0]}", f"is not a due rule key ({', '.join(sorted(_DUE_KEYS))})"
        )
    # which of the three forms the rule uses
    forms = [k for k, keys in _FORMS.items() if any(key in spec for key in keys)]
    if not forms:
        raise r.fail(
            where,
            "needs a due rule: after_grant_days (once), days_after with of "
            "(period_start/period_end), or month and day (calendar years)",
        )
    if len(forms) > 1:
        raise r.fail(where, f"mixes two due rules ({' and '.join(forms)}); give one")
    form = forms[0]
    if every == "once" and form != "after_grant_days":
        raise r.fail(where, "an obligation due once is due after_grant_days days after the grant")
    if every != "once" and form == "after_grant_days":
        raise r.fail(
            f"{where}.after_grant_days",
            f"is for obligations due once; a {every} one is due days_after a period's "
            "start or end, or on a month and day",
        )
    if form == "after_grant_days":
        return Due(after_grant_days=_days(r, spec, "after_grant_days", where))
    if form == "days_after":
        of = r.get(spec, "of", str, where)
        if of not in OF:
            raise r.fail(f"{where}.of", f"'{of}' is not one of {', '.join(OF)}")
        return Due(days_after=_days(r, spec, "days_after", where), of=of)
    if not (every == "annual" and periods == "calendar"):
        raise r.fail(
            where,
            "a due day of the calendar (month, day) is for annual obligations of calendar "
            "years (periods: calendar); use days_after with of for the others",
        )
    month = _whole(r, spec, "month", where)
    if not 1 <= month <= 12:
        raise r.fail(f"{where}.month", f"must be 1 to 12, got {month}")
    day = _whole(r, spec, "day", where)
    if not 1 <= day <= _MONTH_DAYS[month - 1]:
        raise r.fail(f"{where}.day", f"month {month} has no day {day}")
    in_year = r.opt(spec, "in_year", str, where, "following")
    if in_year not in IN_YEAR:
        raise r.fail(f"{where}.in_year", f"'{in_year}' is not one of {', '.join(IN_YEAR)}")
    return Due(month=month, day=day, in_year=in_year)


_FORMS = {
    "after_grant_days": ("after_grant_days",),
    "days_after": ("days_after", "of"),
    "month and day": ("month", "day", "in_year"),
}


def _days(r: Any, spec: dict, key: str, where: str) -> int:
    value = _whole(r, spec, key, where)
    if value > MAX_DAYS:
        raise r.fail(f"{where}.{key}", f"must be at most {MAX_DAYS} days, got {value!r}")
    return value


def _whole(r: Any, spec: dict, key: str, where: str) -> int:
    value = r.get(spec, key, int, where)
    if isinstance(value, float) and not value.is_integer():
        raise r.fail(f"{where}.{key}", f"must be a whole number, not {value!r}")
    return int(value)


def _since(r: Any, value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise r.fail(where, f"{value!r} is not a date") from None
