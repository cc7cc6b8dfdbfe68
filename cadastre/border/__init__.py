"""The border-risk report: ``/api/border-risk`` (JSON, paged), ``.csv`` and ``/summary``.

Thin views: the query is :mod:`cadastre.border.report`; readers need the viewer role.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from cadastre.api.common import page_body, paging
from cadastre.auth import API
from cadastre.border.report import (
    CSV_EXTRA,
    ORDER,
    conditions,
    filters_from_request,
    item,
    report,
    summary,
)
from cadastre.downloads import complete_download
from cadastre.exports.writers import layer_csv
from cadastre.ogc.collections import all_collections
from cadastre.state import registry

SIGN_IN = "Sign in or send a bearer token to do this."

bp = Blueprint("border", __name__, url_prefix="/api/border-risk")


@bp.get("")
@API.required("viewer", sign_in=SIGN_IN)
def border_risk():
    """Licences by border risk, nearest first; filters tier, border, commodity, type, status."""
    reg = registry()
    filters = filters_from_request(reg.profile)
    limit, offset = paging()
    with reg.sessions() as session:
        rows, matched = report(session, filters, limit=limit, offset=offset)
        items = [item(r) for r in rows]
    return jsonify(page_body("items", items, matched, limit, offset))


@bp.get("/summary")
@API.required("viewer", sign_in=SIGN_IN)
def border_risk_summary():
    """Counts of licences by tier, by border and tier, and by risk level."""
    reg = registry()
    filters = filters_from_request(reg.profile, default_tiers=False)
    with reg.sessions() as session:
        return jsonify(summary(session, reg.profile, filters))


@API.required("viewer", sign_in=SIGN_IN)
def border_risk_csv():
    """The report as CSV (same filters, every matching licence): the licences layer's
    columns, then the assessment's."""
    reg = registry()
    filters = filters_from_request(reg.profile)

    def rows():
        with reg.sessions() as session:
            coll = all_collections()["licences"]
            yield from layer_csv(session, coll, conditions(filters), ORDER, extra=CSV_EXTRA)

    # made whole first: a failure part-way is an error status, never a cut-off file
    return complete_download(rows, "text/csv", "border-risk.csv")


@bp.record_once
def _register_csv(state) -> None:
    # "/api/border-risk.csv" is a sibling of the prefix, not below it, so it is added on the app.
    state.app.add_url_rule(
        "/api/border-risk.csv",
        endpoint="border.csv",
        view_func=border_risk_csv,
        methods=["GET"],
    )
