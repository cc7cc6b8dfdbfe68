"""A holder's statement: every order to pay and payment (of a year, ``?year=``) and the
balance per currency, as a printable page and as a CSV through the safe CSV writer."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from flask import render_template, request
from flask_login import login_required

from cadastre import csv_cells
from cadastre.domain.money_reports import parse_year
from cadastre.downloads import complete_download
from cadastre.errors import NotFound
from cadastre.officer.blueprint import bp
from cadastre.officer.common import reading
from cadastre.officer.money_panel import format_money, today
from cadastre.services.history import MAX_ID
from cadastre.services.holders import get_holder
from cadastre.services.statements import holder_statement as statement_of
from cadastre.state import registry

CSV_COLUMNS = (
    "line",
    "date",
    "reference",
    "licence",
    "kind",
    "currency",
    "amount",
    "paid",
    "status",
    "detail",
)


def _statement(holder_id: int) -> dict:
    if not 0 < holder_id <= MAX_ID:
        raise NotFound(f"There is no holder with id {holder_id}.")
    year = parse_year(request.args.get("year"), None)
    with reading() as s:
        holder = get_holder(s, holder_id)
        return statement_of(s, holder, today(), year=year)


@bp.get("/holders/<int:holder_id>/statement")
@login_required
def holder_statement(holder_id: int):
    """The statement, printable (A4, print CSS)."""
    st = _statement(holder_id)
    return render_template(
        "money/statement.html",
        st=st,
        money=format_money,
        profile=registry().profile,
        printed_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def statement_rows(st: dict):
    """The statement's lines as CSV rows: orders, then payments, then the balances."""
    yield CSV_COLUMNS
    for o in st["orders"]:
        yield (
            "order",
            o["raised_on"],
            o["number"],
            o["licence_code"],
            o["kind"],
            o["currency"],
            o["amount"],
            o["paid"],
            o["status"],
            f"due {o['due_on']}",
        )
    for p in st["payments"]:
        kind = "reversal" if p["reverses_id"] else "payment"
        yield (
            "payment",
            p["paid_on"],
            p["receipt_number"] or f"reversal of {p['reverses_id']}",
            "",
            kind,
            p["currency"],
            p["amount"],
            "",
            "reversed" if p["reversed_by_id"] else "",
            p["bank"] or p["reason"] or "",
        )
    for b in st["balances"]:
        yield (
            "balance",
            st["as_of"],
            "",
            "",
            "balance",
            b["currency"],
            b["balance"],
            "",
            "",
            f"owed {b['owed']}, overdue {b['overdue']}, credit {b['credit']}",
        )


@bp.get("/holders/<int:holder_id>/statement.csv")
@login_required
def holder_statement_csv(holder_id: int):
    """The statement as CSV (every cell through csv_cells: no cell runs as a formula)."""
    st = _statement(holder_id)

    def generate():
        buf = io.StringIO()
        writer = csv_cells.writer(buf)
        for row in statement_rows(st):
            writer.writerow(["" if v is None else v for v in row])
        yield buf.getvalue()

    suffix = f"-{st['year']}" if st["year"] else ""
    return complete_download(generate, "text/csv", f"statement-holder-{holder_id}{suffix}.csv")
