"""What the money reports group by, the payment streams EITI reports name, and the checks
of a report's parameters (422 naming the parameter).

Payment streams follow the EITI summary data template's practice of one row per company,
revenue stream and currency. The GFS classification beside each stream is the register's
suggestion from the IMF's GFSM 2014 codes the template uses; the multi-stakeholder group
(MSG) classifies the streams, so the column says "suggested".
"""

from __future__ import annotations

from datetime import date

from cadastre.errors import field_error

#: What a revenue report may group by.
REVENUE_BY = ("period", "licence_type", "district", "commodity")
#: Output formats of the tabular reports.
FORMATS = ("json", "csv", "xlsx")
#: An order kind's payment stream in an EITI report.
PAYMENT_STREAMS = {
    "application": "Application fees",
    "annual_charge": "Annual charges (mineral rights)",
    "renewal": "Renewal fees",
    "transfer": "Transfer fees",
    "amendment": "Amendment fees",
    "legacy": "Arrears brought forward (legacy balances)",
}
#: Money received and not (yet) set against any order: credit on the holder's account.
ON_ACCOUNT = "Payments on account (not yet allocated)"
#: Suggested GFS classification of each stream (the MSG decides).
GFS_SUGGESTED = {
    "application": "114521E Licence fees",
    "annual_charge": "1415E5 Other rent payments",
    "renewal": "114521E Licence fees",
    "transfer": "114521E Licence fees",
    "amendment": "114521E Licence fees",
}
#: Earliest and latest year a report may be asked for.
FIRST_YEAR, LAST_YEAR = 1900, 9999
#: Longest span of a revenue report, in days (a decade: one query, one page).
MAX_SPAN_DAYS = 3660


def stream_of(kind: str | None) -> str:
    """The payment stream of an order kind (None: money not set against any order)."""
    return PAYMENT_STREAMS.get(kind, ON_ACCOUNT) if kind else ON_ACCOUNT


def parse_day(value: str | None, field: str, default: date | None = None) -> date:
    """A date such as 2026-12-31 given as ``field`` (422 naming it otherwise)."""
    if value is None or value == "":
        if default is not None:
            return default
        raise field_error(field, f"Give '{field}' as a date such as 2026-01-31.")
    try:
        return date.fromisoformat(value) if len(value) == 10 else _bad_day(value, field)
    except ValueError:
        return _bad_day(value, field)


def _bad_day(value: str, field: str) -> date:
    raise field_error(field, f"'{value[:20]}' is not a date: write it as 2026-01-31.")


def parse_range(start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """The ``from`` and ``to`` days of a report (default: the year so far), in order and at
    most a decade apart."""
    first = parse_day(start, "from", date(today.year, 1, 1))
    last = parse_day(end, "to", today)
    if last < first:
        raise field_error("to", f"'to' ({last.isoformat()}) is before 'from' ({first}).")
    if (last - first).days > MAX_SPAN_DAYS:
        raise field_error("to", "A revenue report covers at most ten years: narrow the range.")
    return first, last


def parse_choice(value: str | None, field: str, choices: tuple[str, ...], default: str) -> str:
    """One of ``choices`` (``default`` when not given; 422 naming ``field`` otherwise)."""
    if value is None or value == "":
        return default
    if value not in choices:
        raise field_error(
            field, f"'{value[:30]}' is not one of {', '.join(choices)} (for '{field}')."
        )
    return value


def parse_year(value: str | None, default: int | None) -> int | None:
    """A calendar year such as 2026 (``default`` when not given)."""
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise field_error("year", f"'{value[:20]}' is not a year such as 2026.")
    return int(value)
