"""The money reports page for Finance and officers: revenue received (shown on the page),
and the EITI and outstanding reports to download as CSV or XLSX (the API's files).

Parameters are read by the same checks as the API; a bad one redisplays the page with the
message beside its field (422), never an error page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request

from cadastre.auth import WEB
from cadastre.domain.money import format_amount
from cadastre.domain.money_reports import (
    REVENUE_BY,
    parse_choice,
    parse_day,
    parse_range,
    parse_year,
)
from cadastre.domain.roles import MONEY_REPORTS
from cadastre.errors import ValidationError
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading
from cadastre.services.revenue import revenue

BY_LABELS = {
    "period": "Month",
    "licence_type": "Licence type",
    "district": "District",
    "commodity": "Commodity",
}


def _checked(errors: list[dict], check, fallback):
    try:
        return check()
    except ValidationError as exc:
        errors.extend(exc.errors)
        return fallback


@bp.get("/reports")
@WEB.required(MONEY_REPORTS, "read money reports")
def reports():
    """Revenue by a grouping over a range, and the download links of the other reports."""
    today = datetime.now(UTC).date()
    args, errors = request.args, []
    first, last = _checked(
        errors, lambda: parse_range(args.get("from"), args.get("to"), today),
        (today.replace(month=1, day=1), today),
    )  # fmt: skip
    by = _checked(
        errors, lambda: parse_choice(args.get("by"), "by", REVENUE_BY, "period"), "period"
    )
    year = _checked(errors, lambda: parse_year(args.get("year"), today.year), today.year)
    as_of = _checked(errors, lambda: parse_day(args.get("as_of"), "as_of", today), today)
    report = None
    if not any(e["field"] in ("from", "to", "by") for e in errors):
        with reading() as s:
            report = revenue(s, first, last, by)
    return render_template(
        "reports/index.html",
        report=report,
        values={
            "from": args.get("from", first.isoformat()),
            "to": args.get("to", last.isoformat()),
            "by": by,
            "year": args.get("year", str(year)),
            "as_of": args.get("as_of", as_of.isoformat()),
        },
        year=year,
        as_of=as_of,
        by_labels=BY_LABELS,
        errors=field_errors(errors),
        format_amount=format_amount,
    ), (422 if errors else 200)
