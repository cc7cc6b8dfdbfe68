"""``/api/reports``: revenue received, payments per holder in the EITI layout, outstanding
balances, as JSON, CSV or XLSX. Finance and officers and above read them (the money of
individual holders is not for every viewer).

Amounts travel as exact decimal text in JSON and CSV, as numbers in XLSX; per currency,
never summed across currencies. A bad query value is a 422 naming the parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, jsonify, request

from cadastre.api.blueprint import bp
from cadastre.auth import API
from cadastre.domain.money_reports import (
    FORMATS,
    REVENUE_BY,
    parse_choice,
    parse_day,
    parse_range,
    parse_year,
)
from cadastre.domain.roles import MONEY_REPORTS
from cadastre.downloads import complete_download
from cadastre.exports.tables import csv_pieces, json_rows, xlsx_bytes
from cadastre.services.revenue import Report, eiti_payments, outstanding, revenue
from cadastre.state import registry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today():
    return datetime.now(UTC).date()


def report_answer(report: Report, fmt: str, name: str, title: str):
    """The report as JSON (rows, totals, note), or a CSV or XLSX download of its rows."""
    if fmt == "csv":
        return complete_download(
            lambda: csv_pieces(report.columns, report.rows), "text/csv", f"{name}.csv"
        )
    if fmt == "xlsx":
        notes = [f"{title}: " + ", ".join(f"{k} {v}" for k, v in report.params.items())]
        notes += [report.note] if report.note else []
        body = xlsx_bytes(title, report.columns, report.rows, notes)
        return Response(
            body,
            mimetype=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{name}.xlsx"',
                "Cache-Control": "no-store",
            },
        )
    return jsonify(
        {
            **report.params,
            "columns": [{"key": k, "title": t} for k, t in report.columns],
            "rows": json_rows(report.rows),
            "totals": json_rows(report.totals),
            "note": report.note,
        }
    )


def _format() -> str:
    return parse_choice(request.args.get("format"), "format", FORMATS, "json")


@bp.get("/reports/revenue")
def revenue_report_view():
    """Money received in a range (``from``, ``to``), grouped ``by`` period, licence type,
    district or commodity, per currency."""
    API.check(MONEY_REPORTS, "read revenue reports")
    first, last = parse_range(request.args.get("from"), request.args.get("to"), _today())
    by = parse_choice(request.args.get("by"), "by", REVENUE_BY, "period")
    fmt = _format()
    with registry().sessions() as session:
        report = revenue(session, first, last, by)
    return report_answer(report, fmt, f"revenue-{by}-{first}-{last}", "Revenue")


@bp.get("/reports/eiti")
def eiti_report_view():
    """Payments per holder and payment stream in a year, in the EITI layout."""
    API.check(MONEY_REPORTS, "read EITI reports")
    year = parse_year(request.args.get("year"), _today().year)
    fmt = _format()
    reg = registry()
    with reg.sessions() as session:
        report = eiti_payments(session, year, reg.profile.authority)
    return report_answer(report, fmt, f"eiti-payments-{year}", f"EITI payments {year}")


@bp.get("/reports/outstanding")
def outstanding_report_view():
    """Outstanding balances per holder and licence (owed, overdue on ``as_of``, credit)."""
    API.check(MONEY_REPORTS, "read outstanding balances")
    as_of = parse_day(request.args.get("as_of"), "as_of", _today())
    fmt = _format()
    with registry().sessions() as session:
        report = outstanding(session, as_of)
    return report_answer(report, fmt, f"outstanding-{as_of}", "Outstanding")
