"""The ``/api`` OpenAPI path items of the money reports and the default notice (apart from
:mod:`cadastre.api.openapi_paths`, which holds the registry's other areas)."""

from __future__ import annotations

from typing import Any

from cadastre.api.openapi_schemas import (
    BEARER,
    LICENCE_ID,
    NOTICE_SCHEMA,
    READ_ERRORS,
    UNAVAILABLE,
    json_body,
    param,
    problem,
    problem_with,
)
from cadastre.domain.money_reports import FORMATS, REVENUE_BY

_AMOUNT = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "exact decimal"}
_REPORT = {
    "type": "object",
    "properties": {
        "columns": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"key": {"type": "string"}, "title": {"type": "string"}},
            },
        },
        "rows": {"type": "array", "items": {"type": "object"}},
        "totals": {
            "type": "array",
            "description": "per currency, never summed across currencies",
            "items": {
                "type": "object",
                "properties": {"currency": {"type": "string"}, "received": _AMOUNT},
            },
        },
        "note": {"type": "string"},
    },
}
_FILES = {
    "application/json": {"schema": _REPORT},
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}
_FORMAT = param(
    "format", "query", {"type": "string", "enum": list(FORMATS), "default": "json"},
    "json, or a csv or xlsx download of the rows",
)  # fmt: skip


def _report(summary: str, description: str, parameters: list) -> dict:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "tags": ["money"],
            "security": BEARER,
            "parameters": [*parameters, _FORMAT],
            "responses": {
                "200": {"description": "The report", "content": _FILES},
                "401": problem("No valid bearer token"),
                "403": problem("Only finance, and officers and above, read money reports"),
                **READ_ERRORS,
            },
        }
    }


def report_paths() -> dict[str, Any]:
    """Revenue, EITI payments per holder, outstanding balances (finance or officer+)."""
    day = {"type": "string", "format": "date"}
    return {
        "/api/reports/revenue": _report(
            "Money received in a range, grouped (finance, officer and above)",
            "Payments less reversals, each on its own date, per currency. Each part of a "
            "payment counts for the order it paid; a licence of several commodities is "
            "counted once under its whole set. The totals equal the ledger's.",
            [
                param("from", "query", day, "first day (default 1 January this year)"),
                param("to", "query", day, "last day (default today; at most ten years on)"),
                param(
                    "by",
                    "query",
                    {"type": "string", "enum": list(REVENUE_BY), "default": "period"},
                    "period is by month",
                ),
            ],  # fmt: skip
        ),
        "/api/reports/eiti": _report(
            "Payments per holder and payment stream in a year, in the EITI layout",
            "Columns: year, company name, holder kind, registration number (companies and "
            "cooperatives only), licence codes, payment stream, GFS classification "
            "(suggested), government entity, currency, amount paid, number of payments.",
            [
                param(
                    "year",
                    "query",
                    {"type": "integer", "minimum": 1900, "maximum": 9999},
                    "calendar year (default this year)",
                )
            ],  # fmt: skip
        ),
        "/api/reports/outstanding": _report(
            "Outstanding balances per holder and licence (finance, officer and above)",
            "Owed on open orders, of it overdue on as_of, credit on account, balance; per "
            "currency. Amounts as the register stands now.",
            [param("as_of", "query", day, "the day that decides what is overdue (default today)")],
        ),
    }


def default_notice_paths() -> dict[str, Any]:
    """The default notice on orders unpaid past due and grace (supervisor)."""
    order = {"type": "object", "properties": {"number": {"type": "string"},
             "amount": _AMOUNT, "currency": {"type": "string"},
             "due_on": {"type": "string", "format": "date"}}}  # fmt: skip
    answer = {
        **NOTICE_SCHEMA,
        "properties": {
            **NOTICE_SCHEMA["properties"],
            "orders": {"type": "array", "items": order},
            "grace_days": {"type": "integer"},
            "grace_source": {"type": "string"},
            "letter": {"type": "string", "description": "the printable notice page"},
        },
    }
    return {
        "/api/licences/{licence_id}/default-notice": {
            "parameters": [LICENCE_ID],
            "post": {
                "summary": "Give notice of orders unpaid past due and grace (supervisor)",
                "description": "Issues a licence notice naming every order of the holder on "
                "the licence unpaid past its due date and the profile's grace period "
                "(money.grace_days), recorded on the orders and in the ledger. A supervisor "
                "may follow it with suspension or revocation once its remedy period runs out; "
                "payments that settle every named order mark it remedied.",
                "tags": ["money"],
                "security": BEARER,
                "responses": {
                    "201": json_body(answer, "The notice issued"),
                    "401": problem("No valid bearer token"),
                    "403": problem("Only a supervisor (or admin) gives default notices"),
                    "404": problem("No such licence"),
                    "409": problem_with(
                        "No order is past due and grace yet (possible_from says when), the "
                        "orders are already named by a standing notice, or the licence is "
                        "not in force",
                        {"possible_from": {"type": "string", "format": "date"}},
                    ),
                    **UNAVAILABLE,
                },
            },
        },
    }
