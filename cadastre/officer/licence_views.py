"""Licence pages: the filtered list (and its CSV), one licence, its print view, its actions."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from cadastre import csv_cells
from cadastre.auth import WEB
from cadastre.domain.geometry import format_area, parse_corners
from cadastre.domain.holder_privacy import holder_projection
from cadastre.domain.lifecycle import TRANSITIONS, allowed_actions
from cadastre.downloads import complete_download
from cadastre.errors import CadastreError, NotFound
from cadastre.forms import ActionForm, options
from cadastre.models import Holder, Licence
from cadastre.models.licences import LICENCE_STATUSES
from cadastre.officer import queries
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.services.holders import holder_to_dict
from cadastre.services.licences import border_dict, perform_action, risk_dict
from cadastre.state import registry

CSV_COLUMNS = [
    "code",
    "licence_type",
    "status",
    "holder",
    "commodities",
    "area_ha",
    "received_at",
    "granted_at",
    "expires_at",
    "district",
    "border_tier",
    "border_distance_km",
    "nearest_border",
    "risk_level",
]


@bp.get("/licences")
@login_required
def licences():
    """The paged, filterable, sortable list."""
    profile = registry().profile
    f = queries.ListFilter.from_args(request.args, profile)
    with reading() as s:
        rows, total = queries.page_of(s, f)
        holder = s.get(Holder, f.holder_id) if f.holder_id else None
    pages = max(1, -(-total // f.per_page))
    return render_template(
        "licences/list.html",
        rows=rows,
        total=total,
        f=f,
        pages=pages,
        holder=holder,
        profile=profile,
        statuses=LICENCE_STATUSES,
        tiers=[t.name for t in profile.tiers],
        format_area=format_area,
    )


@bp.get("/licences.csv")
@login_required
def licences_csv():
    """The filtered list (every page) as CSV, made whole before it is sent."""
    f = queries.ListFilter.from_args(request.args, registry().profile)

    def generate():
        buf = io.StringIO()
        writer = csv_cells.writer(buf)
        writer.writerow(CSV_COLUMNS)
        with reading() as s:
            result = s.execute(queries.filtered(f).execution_options(yield_per=500))
            for lic, holder in result:
                writer.writerow(
                    [
                        lic.code,
                        lic.licence_type,
                        lic.status,
                        holder,
                        ";".join(lic.commodities or []),
                        f"{lic.area_ha:.4f}",
                        lic.received_at.isoformat() if lic.received_at else "",
                        lic.granted_at or "",
                        lic.expires_at or "",
                        lic.district or "",
                        lic.border_tier or "",
                        lic.border_distance_km if lic.border_distance_km is not None else "",
                        lic.nearest_border or "",
                        lic.risk_level or "",
                    ]
                )
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    # made whole first: a failure part-way is an error status, never a cut-off file
    return complete_download(generate, "text/csv", "licences.csv")


def _holder_as_seen(holder: Holder | None) -> dict | None:
    """The licence's holder as the signed-in user's role may see it."""
    return holder_projection(holder_to_dict(holder), current_user.role) if holder else None


def _load(s, licence_id: int) -> tuple[Licence, dict]:
    lic = s.get(Licence, licence_id)
    if lic is None:
        raise NotFound(f"There is no licence with id {licence_id}.")
    geojson = s.scalar(select(func.ST_AsGeoJSON(Licence.geom, 6)).where(Licence.id == licence_id))
    return lic, json.loads(geojson)


def border_view(lic: Licence) -> dict:
    """The border assessment to show, as the API shows it."""
    return {"border": border_dict(lic), "risk": risk_dict(lic)}


def actions_for(status: str) -> list[str]:
    """The actions the signed-in user may take on a licence in ``status``."""
    return [a for a in allowed_actions(status) if WEB.allows(TRANSITIONS[a].role)]


def _render_detail(
    licence_id: int,
    *,
    template="licences/detail.html",
    forms=None,
    errors=None,
    open_action=None,
    status=200,
):
    with reading() as s:
        lic, geojson = _load(s, licence_id)
        holder = _holder_as_seen(lic.holder)
        events = queries.history(s, licence_id)
        holders = queries.holder_choices(s) if "transfer" in actions_for(lic.status) else []
    actions = actions_for(lic.status)
    forms = forms or {}
    for action in actions:
        if action not in forms:
            form = ActionForm(prefix=action, formdata=None)
            form.version.data = str(lic.version)
            forms[action] = form
        forms[action].holder_id.choices = options([("", "Choose the new holder")] + holders)
    return render_template(
        template,
        lic=lic,
        holder=holder,
        geojson=geojson,
        events=events,
        actions=actions,
        forms=forms,
        errors=errors or {},
        open_action=open_action,
        assessment=border_view(lic),
        format_area=format_area,
        transitions=TRANSITIONS,
        profile=registry().profile,
        printed_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    ), status


@bp.get("/licences/<int:licence_id>")
@login_required
def licence(licence_id: int):
    """One licence: map, attributes, border assessment, history, permitted actions."""
    return _render_detail(licence_id)


@bp.get("/licences/<int:licence_id>/print")
@login_required
def licence_print(licence_id: int):
    """A printable sheet: details and a map."""
    return _render_detail(licence_id, template="licences/print.html")


def _action_request(action: str, form: ActionForm) -> tuple[dict, int | None, list[dict]]:
    """What the action form asks for: the action's parameters, the version it was shown,
    and what is wrong with it (``[{field, message}]``)."""
    errors: list[dict] = []
    if not form.validate():
        no_reason = not (form.reason.data or "").strip()
        for name, messages in form.errors.items():
            for m in messages:
                plain = name == "reason" and no_reason  # WTForms' words, said simply
                errors.append({"field": name, "message": "Give a reason." if plain else m})
    params: dict = {}
    if action == "transfer":
        try:
            params["holder_id"] = int(form.holder_id.data or "")
        except ValueError:
            errors.append({"field": "holder_id", "message": "Choose the new holder."})
    if action in ("relinquish", "renew") and (form.kept_corners.data or "").strip():
        try:
            params["geometry"] = parse_corners(
                form.kept_corners.data,
                notation=form.notation.data or "auto",
                field="kept_corners",
            )
        except CadastreError as exc:
            errors.extend(exc.errors or [{"field": "kept_corners", "message": exc.detail}])
    try:
        version = int(form.version.data) if form.version.data else None
    except ValueError:
        version = None
    return params, version, errors


@bp.post("/licences/<int:licence_id>/actions/<action>")
@login_required
def licence_action(licence_id: int, action: str):
    """Take a lifecycle action; a refusal redisplays the form with the message beside it."""
    transition = TRANSITIONS.get(action)
    if transition is None or transition.role == "system":
        abort(404, f"'{action}' is not an action an officer can take.")
    WEB.check(transition.role, f"{action} a licence")
    form = ActionForm(prefix=action)
    with reading() as s:
        holders = queries.holder_choices(s) if action == "transfer" else []
    form.holder_id.choices = options([("", "Choose the new holder")] + holders)
    params, version, errors = _action_request(action, form)
    if not errors:
        try:
            with work() as s:
                lic = perform_action(
                    s,
                    registry().profile,
                    licence_id,
                    action,
                    actor=current_user.username,
                    reason=form.reason.data.strip(),
                    expected_version=version,
                    **params,
                )
                code, new_status = lic.code, lic.status
            flash(f"{code}: {action} recorded; the licence is now '{new_status}'.", "success")
            return redirect(url_for("officer.licence", licence_id=licence_id))
        except NotFound:
            raise
        except CadastreError as exc:
            rename = {"geometry": "kept_corners", "area": "kept_corners"}
            field = lambda e: rename.get(e.get("field"), e.get("field") or "_form")  # noqa: E731
            errors = [{"field": field(e), "message": e.get("message")} for e in exc.errors]
            errors.append({"field": "_form", "message": exc.detail})
    return _render_detail(
        licence_id,
        forms={action: form},
        errors=field_errors(errors),
        open_action=action,
        status=422 if errors else 400,
    )
