"""Deadlines over the API: ``GET /api/deadlines?days=N``, what falls due in the next N days
(and what is overdue, flagged) as the caller's role sees it (``cadastre.queries.deadlines``).

Parameters: ``days`` (1-366, default 30), ``offset``, ``limit``, ``district`` (the office for
now: offices come with issue #20), ``kind`` (repeatable, or ``kinds`` comma-separated: only
these kinds). Any bad one is a 422 naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, request

from cadastre.api.blueprint import bp
from cadastre.api.common import query_int
from cadastre.auth import API
from cadastre.errors import ValidationError
from cadastre.queries.deadlines import DAYS_DEFAULT, DAYS_MAX, KINDS, PAGE, falls_due
from cadastre.state import registry

#: The deepest page and the longest one served (the OpenAPI document says the same).
MAX_OFFSET = 10_000_000
MAX_LIMIT = 500


def query_kinds() -> tuple[str, ...] | None:
    """The kinds asked for (``kind=a&kind=b`` or ``kinds=a,b``); None: every kind."""
    asked = [k.strip() for k in request.args.getlist("kind") if k.strip()]
    for raw in request.args.getlist("kinds"):
        asked += [k.strip() for k in raw.split(",") if k.strip()]
    if not asked:
        return None
    unknown = [k for k in asked if k not in KINDS]
    if unknown:
        raise ValidationError(
            f"'{unknown[0][:40]}' is not a kind of deadline; kinds: {', '.join(KINDS)}.",
            errors=[{"field": "kind", "message": f"each one of {', '.join(KINDS)}"}],
        )
    return tuple(asked)


@bp.get("/deadlines")
def deadlines_view():
    """What falls due in the next ``days`` days, the earliest first (viewer and above)."""
    actor = API.check("viewer", "read the deadlines")
    days = query_int("days", DAYS_DEFAULT, 1, DAYS_MAX)
    offset = query_int("offset", 0, 0, MAX_OFFSET)
    limit = query_int("limit", PAGE, 1, MAX_LIMIT)
    kinds = query_kinds()
    district = (request.args.get("district") or "").strip()[:60] or None
    reg = registry()
    with reg.sessions() as session:
        page = falls_due(
            session, reg.profile, datetime.now(UTC).date(), days, actor.role,
            district=district, kinds=kinds, offset=offset, limit=limit,
        )  # fmt: skip
    return jsonify(page)
