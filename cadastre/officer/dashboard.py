"""The dashboard: the register at a glance for a signed-in user."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cadastre.models.licences import LICENCE_STATUSES
from cadastre.officer import money_queries, queries
from cadastre.officer.blueprint import bp
from cadastre.officer.common import reading
from cadastre.officer.money_panel import format_money, today
from cadastre.queries.obligations_overdue import overdue_count
from cadastre.state import registry


@bp.get("/dashboard")
@login_required
def dashboard():
    """Counts by type and status, the oldest applications, expiries and border flags, for the
    whole country or one district (``?district=``), and counts by district; the signed-in
    user's queues ("waiting for me", "overdue": the whole country) and the holders' overdue
    obligations (the whole country)."""
    profile = registry().profile
    district = (request.args.get("district") or "").strip()[:60] or None
    with reading() as s:
        counts = queries.counts_by_type_status(s, district)
        waiting = queries.waiting_longest(s, profile.decision_days, district=district)
        overdue = queries.overdue_count(s, profile, district)
        queue = queries.queue_totals(s, profile, current_user.role, today(), district)
        expiring = queries.expiring_soon(s, district=district)
        flags = queries.border_flags(s, district)
        by_district = queries.counts_by_district(s)
        districts = queries.districts(s, profile)
        arrears = money_queries.arrears_totals(s, today())
        obligations_overdue = overdue_count(s, today())
    by_status = {st: sum(c.get(st, 0) for c in counts.values()) for st in LICENCE_STATUSES}
    by_type = {t: sum(counts.get(t, {}).values()) for t in profile.licence_types}
    tier_order = [t.name for t in profile.tiers] + ["none", "not assessed"]
    flags_ordered = [(t, flags.get(t, 0)) for t in tier_order if t in flags or t != "not assessed"]
    return render_template(
        "dashboard.html",
        counts=counts,
        by_status=by_status,
        by_type=by_type,
        waiting=waiting,
        overdue=overdue,
        queue=queue,
        expiring=expiring,
        flags=flags_ordered,
        total=sum(by_type.values()),
        decision_days=profile.decision_days,
        statuses=LICENCE_STATUSES,
        types=profile.licence_types,
        district=district,
        districts=districts,
        by_district=by_district,
        arrears=arrears,
        obligations_overdue=obligations_overdue,
        money=format_money,
        national={st: sum(c.get(st, 0) for c in by_district.values()) for st in LICENCE_STATUSES},
    )


@bp.get("/home")
def home():
    """Where the site's name in the header points: the dashboard or the sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("officer.dashboard"))
    return redirect(url_for("officer.login"))
