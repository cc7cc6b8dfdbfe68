"""The officer's deadlines page: what falls due in the next N days (and what is overdue),
a page at a time, for the signed-in user's role (``cadastre.queries.deadlines``).

``/deadlines?days=&district=&kind=&page=``: odd values fall back to the defaults (a page is
never an error); the API (``GET /api/deadlines``) answers them with a 422 instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request
from flask_login import current_user, login_required

from cadastre.officer import queries
from cadastre.officer.blueprint import bp
from cadastre.officer.common import reading
from cadastre.queries.deadlines import (
    DAYS_DEFAULT,
    DAYS_MAX,
    KIND_LABELS,
    PAGE,
    falls_due,
    role_kinds,
)
from cadastre.state import registry

#: The days selector's choices.
DAY_CHOICES = (7, 14, 30, 60, 90, 180, 366)
MAX_PAGE = 100_000


def _number(raw: str | None, default: int, low: int, high: int) -> int:
    raw = (raw or "").strip()
    return max(low, min(int(raw), high)) if raw.isdigit() else default


@bp.get("/deadlines")
@login_required
def deadlines():
    """What falls due, the earliest first, 50 to a page."""
    profile = registry().profile
    days = _number(request.args.get("days"), DAYS_DEFAULT, 1, DAYS_MAX)
    number = _number(request.args.get("page"), 1, 1, MAX_PAGE)
    mine = role_kinds(current_user.role)
    kind = request.args.get("kind", "")
    kind = kind if kind in mine else ""
    today = datetime.now(UTC).date()
    with reading() as s:
        districts = queries.districts(s, profile)
        district = (request.args.get("district") or "").strip()[:60]
        district = district if district in districts else ""
        page = falls_due(
            s, profile, today, days, current_user.role,
            district=district or None, kinds=(kind,) if kind else None,
            offset=(number - 1) * PAGE, limit=PAGE,
        )  # fmt: skip
    pages = max(1, -(-page["total"] // PAGE))
    return render_template(
        "deadlines.html",
        page=page,
        days=days,
        day_choices=sorted({*DAY_CHOICES, days}),
        kind=kind,
        kinds={k: KIND_LABELS[k] for k in mine},
        number=number,
        pages=pages,
        district=district,
        districts=districts,
        today=today,
    )
