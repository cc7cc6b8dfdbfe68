"""Holders: the list, one holder with their licences, and registering a new one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, func, or_, select

from cadastre.auth import WEB
from cadastre.domain.geometry import format_area
from cadastre.domain.holder_privacy import (
    holder_projection,
    registration_searchable_kinds,
    sees_everything,
)
from cadastre.errors import CadastreError
from cadastre.forms import HolderForm
from cadastre.models import Holder, Licence
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.services.holders import (
    HOLDER_FIELDS,
    create_holder,
    get_holder,
    holder_history,
    holder_to_dict,
)

PAGE = 50


@bp.get("/holders")
@login_required
def holders():
    """Holders by name with their licence counts; search by name or registration number."""
    q = (request.args.get("q") or "").strip()[:100]
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        page = 1
    counts = (
        select(Licence.holder_id, func.count().label("n")).group_by(Licence.holder_id).subquery()
    )
    stmt = select(Holder, func.coalesce(counts.c.n, 0)).outerjoin(
        counts, counts.c.holder_id == Holder.id
    )
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        by_number = Holder.registration_number.ilike(like)
        kinds = registration_searchable_kinds(current_user.role)
        if kinds is not None:  # a number the user may not read must not be found either
            by_number = and_(Holder.kind.in_(kinds), by_number)
        stmt = stmt.where(or_(Holder.name.ilike(like), by_number))
    with reading() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        found = s.execute(
            stmt.order_by(Holder.name, Holder.id).limit(PAGE).offset((page - 1) * PAGE)
        ).all()
        rows = [(holder_projection(holder_to_dict(h), current_user.role), n) for h, n in found]
    return render_template(
        "holders/list.html", rows=rows, q=q, page=page, pages=max(1, -(-total // PAGE)), total=total
    )


@bp.route("/holders/new", methods=["GET", "POST"])
@WEB.required("officer")
def holder_new():
    """Register a holder; refusals keep what was typed and say what is wrong where."""
    form = HolderForm()
    errors: dict = {}
    status = 200
    if request.method == "POST":
        if form.validate():
            data = {
                k: (getattr(form, k).data or None)
                for k in (
                    "name",
                    "kind",
                    "registration_number",
                    "nationality",
                    "address",
                    "phone",
                    "email",
                )
            }
            data["name"] = form.name.data
            try:
                with work() as s:
                    holder = create_holder(s, data)
                    hid, name = holder.id, holder.name
                flash(f"Holder '{name}' registered.", "success")
                return redirect(url_for("officer.holder", holder_id=hid))
            except CadastreError as exc:
                errors = field_errors(exc.errors or [{"field": "_form", "message": exc.detail}])
        else:
            errors = {k: list(v) for k, v in form.errors.items()}
        status = 422
    return render_template("holders/new.html", form=form, errors=errors), status


@bp.get("/holders/<int:holder_id>")
@login_required
def holder(holder_id: int):
    """One holder, their licences and the history of changes to their details."""
    role = current_user.role
    with reading() as s:
        h = holder_projection(holder_to_dict(get_holder(s, holder_id)), role)
        licences = list(
            s.scalars(select(Licence).where(Licence.holder_id == holder_id).order_by(Licence.code))
        )
        events = [_event_view(e, role) for e in holder_history(s, holder_id)]
    return render_template(
        "holders/detail.html",
        holder=h,
        licences=licences,
        events=events,
        format_area=format_area,
        private=sees_everything(role),
    )


def _event_view(event, role: str | None) -> dict:
    """A holder event for the page: who, when, why and each field that changed that ``role``
    may see (an individual's identity number and contact details stay with officers)."""
    before = holder_projection(event.before or {}, role)
    after = holder_projection(event.after or {}, role)
    changed = [
        (key.replace("_", " "), before.get(key), after.get(key))
        for key in HOLDER_FIELDS
        if before.get(key) != after.get(key)
    ]
    return {
        "action": event.action,
        "actor": event.actor,
        "at": event.at,
        "reason": event.reason,
        "changed": changed,
    }
