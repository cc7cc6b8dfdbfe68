"""Holders: the list, one holder with their licences, registering and editing one."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from cadastre.auth import WEB
from cadastre.domain.geometry import format_area
from cadastre.domain.holder_privacy import holder_projection, sees_everything
from cadastre.errors import CadastreError, Forbidden, PreconditionFailed
from cadastre.forms import HolderEditForm, HolderForm
from cadastre.models import Holder, Licence
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.queries.obligations_overdue import overdue_obligations
from cadastre.services.holders import (
    HOLDER_FIELDS,
    LikelyDuplicate,
    create_holder,
    get_holder,
    holder_history,
    holder_to_dict,
    search_condition,
    update_holder,
)
from cadastre.state import registry

PAGE = 50
#: Overdue obligations listed on a holder's page (the longest overdue; the count says all).
HOLDER_OVERDUE_LISTED = 100


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
        stmt = stmt.where(search_condition(q, current_user.role))
    with reading() as s:
        total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        found = s.execute(
            stmt.order_by(Holder.name, Holder.id).limit(PAGE).offset((page - 1) * PAGE)
        ).all()
        rows = [(holder_projection(holder_to_dict(h), current_user.role), n) for h, n in found]
    return render_template(
        "holders/list.html", rows=rows, q=q, page=page, pages=max(1, -(-total // PAGE)), total=total
    )


def _details(form: HolderForm) -> dict:
    """The holder's fields as typed (empty optional fields as None)."""
    data = {k: (getattr(form, k).data or None) for k in HOLDER_FIELDS}
    data["name"] = form.name.data
    data["citizen_members"] = {"yes": True, "no": False}.get(form.citizen_members.data or "")
    pct = (form.local_ownership_pct.data or "").strip().rstrip("%").strip()
    try:
        data["local_ownership_pct"] = float(pct) if pct else None
    except ValueError:
        data["local_ownership_pct"] = pct  # refused by the service, said on the field
    return data


@bp.route("/holders/new", methods=["GET", "POST"])
@WEB.required("officer")
def holder_new():
    """Register a holder; refusals keep what was typed and say what is wrong where. A holder
    that looks like one already registered is held back with links to them until the officer
    ticks "register anyway"."""
    form = HolderForm()
    errors: dict = {}
    duplicates: list[dict] = []
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                with work() as s:
                    holder = create_holder(
                        s,
                        _details(form),
                        check_duplicates=not form.confirm_duplicate.data,
                        role=current_user.role,
                    )
                    hid, name = holder.id, holder.name
                flash(f"Holder '{name}' registered.", "success")
                return redirect(url_for("officer.holder", holder_id=hid))
            except LikelyDuplicate as exc:
                duplicates = exc.extra["duplicates"]  # a question, not a refusal: 200
            except CadastreError as exc:
                errors = field_errors(exc.errors or [{"field": "_form", "message": exc.detail}])
                status = 422
        else:
            errors = {k: list(v) for k, v in form.errors.items()}
            status = 422
    form.confirm_duplicate.data = False  # each registration of a look-alike is confirmed anew
    return render_template(
        "holders/new.html", form=form, errors=errors, duplicates=duplicates
    ), status


@bp.route("/holders/<int:holder_id>/edit", methods=["GET", "POST"])
@WEB.required("officer")
def holder_edit(holder_id: int):
    """Correct a holder's details through the same service as the API's PATCH: versioned, a
    supervisor and a reason for the name or number of a holder of live licences, and one
    history event. A stale form (changed meanwhile) comes back with what was typed, the
    details as they now are, and the current version, to check and save again."""
    form = HolderEditForm()
    errors: dict = {}
    current = None
    status = 200
    with reading() as s:
        holder = holder_to_dict(get_holder(s, holder_id))
    if request.method == "GET":
        members = {True: "yes", False: "no"}.get(holder["citizen_members"], "")
        pct = holder["local_ownership_pct"]
        form.process(
            data={
                **holder,
                "citizen_members": members,
                "local_ownership_pct": "" if pct is None else f"{pct:g}",
            }
        )
    elif not form.validate():
        errors, status = {k: list(v) for k, v in form.errors.items()}, 422
    else:
        try:
            expected = int(form.version.data or "")
        except ValueError:
            expected = None
        try:
            with work() as s:
                update_holder(
                    s,
                    holder_id,
                    _details(form),
                    registry().profile,
                    actor=current_user.username,
                    role=current_user.role,
                    reason=form.reason.data,
                    expected_version=expected if expected is not None else -1,
                )
            flash(f"Details of '{form.name.data}' saved.", "success")
            return redirect(url_for("officer.holder", holder_id=holder_id))
        except PreconditionFailed:
            current, status = holder, 409
            form.version.data = str(holder["version"])
            errors = {
                "_form": [
                    "Someone changed this holder while you were editing it. "
                    "Compare with the details as they are now (below), then save "
                    "again if your changes still stand."
                ]
            }
        except Forbidden as exc:
            errors, status = {"_form": [exc.detail]}, 403
        except CadastreError as exc:
            errors = field_errors([{"field": "_form", "message": exc.detail}, *exc.errors])
            status = 422
    return render_template(
        "holders/edit.html", form=form, holder=holder, errors=errors, current=current
    ), status


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
        obligations, obligations_total = overdue_obligations(
            s, datetime.now(UTC).date(), limit=HOLDER_OVERDUE_LISTED, holder_id=holder_id
        )
    return render_template(
        "holders/detail.html",
        holder=h,
        licences=licences,
        events=events,
        obligations=obligations,
        obligations_total=obligations_total,
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
