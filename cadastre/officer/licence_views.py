"""Licence pages: the filtered list (and its CSV), one licence, its print view, its actions."""

from __future__ import annotations

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

from cadastre.auth import WEB
from cadastre.domain.geometry import format_area, parse_corners
from cadastre.domain.holder_privacy import holder_projection
from cadastre.domain.lifecycle import (
    RIGHT_STATUSES,
    TRANSITIONS,
    allowed_actions,
    renewal_window,
)
from cadastre.downloads import complete_download
from cadastre.errors import CadastreError, NotFound
from cadastre.exports.writers import layer_csv
from cadastre.forms import ActionForm, NoticeForm, RemedyForm, options
from cadastre.models import Holder, Licence
from cadastre.models.licences import LICENCE_STATUSES
from cadastre.officer import queries
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.officer.documents_panel import documents_context
from cadastre.officer.history_view import described_events
from cadastre.officer.money_panel import money_context
from cadastre.officer.obligations_panel import obligations_context
from cadastre.officer.procedure_panel import decision_actions, procedure_context
from cadastre.ogc.collections import all_collections
from cadastre.services.documents import licence_documents
from cadastre.services.holders import holder_to_dict
from cadastre.services.licences import border_dict, perform_action, risk_dict
from cadastre.services.notices import licence_notices
from cadastre.state import registry


@bp.get("/licences")
@login_required
def licences():
    """The paged, filterable, sortable list."""
    profile = registry().profile
    f = queries.ListFilter.from_args(request.args, profile)
    with reading() as s:
        rows, total = queries.page_of(s, f)
        holder = s.get(Holder, f.holder_id) if f.holder_id else None
        districts = queries.districts(s, profile)
    pages = max(1, -(-total // f.per_page))
    return render_template(
        "licences/list.html",
        rows=rows,
        total=total,
        f=f,
        pages=pages,
        holder=holder,
        profile=profile,
        districts=districts,
        statuses=LICENCE_STATUSES,
        tiers=[t.name for t in profile.tiers],
        format_area=format_area,
    )


@bp.get("/licences.csv")
@login_required
def licences_csv():
    """The filtered list (every page) as the licences layer's CSV, made whole before it is sent."""
    f = queries.ListFilter.from_args(request.args, registry().profile)

    def generate():
        with reading() as s:
            coll = all_collections()["licences"]
            where, order = queries.conditions(f), queries.ordering(f)
            yield from layer_csv(s, coll, where, order)

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


def render_detail(
    licence_id: int,
    *,
    template="licences/detail.html",
    forms=None,
    errors=None,
    open_action=None,
    status=200,
    extra_forms=None,
    finalise_form=None,
):
    """The licence page (or its print view); ``extra_forms`` keeps a refused notice's input,
    ``finalise_form`` a refused finalisation's (``extra_forms["document"]`` a refused upload,
    ``extra_forms["stage"]`` a refused stage completion's, ``extra_forms["receive<id>"]``
    and the like a refused obligation form's)."""
    extra_forms = extra_forms or {}
    profile = registry().profile
    with reading() as s:
        lic, geojson = _load(s, licence_id)
        holder = _holder_as_seen(lic.holder)
        events = queries.history(s, licence_id)
        changes = described_events(s, events, current_user.role)
        holders = queries.holder_choices(s) if "transfer" in actions_for(lic.status) else []
        notices = licence_notices(s, licence_id)
        money = money_context(s, profile, lic, finalise_form)
        documents = documents_context(licence_documents(s, licence_id), extra_forms.get("document"))
        procedure = procedure_context(s, profile, lic, extra_forms.get("stage"))
        today = datetime.now(UTC).date()
        obligations = obligations_context(s, lic, today, extra_forms)
    actions = decision_actions(profile, lic, actions_for(lic.status))
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
        changes=changes,
        actions=actions,
        forms=forms,
        errors=errors or {},
        open_action=open_action,
        assessment=border_view(lic),
        format_area=format_area,
        transitions=TRANSITIONS,
        profile=registry().profile,
        printed_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **notice_context(lic, notices, extra_forms),
        **money,
        **documents,
        **procedure,
        **obligations,
    ), status


def notice_context(lic: Licence, notices: list, extra_forms: dict) -> dict:
    """The notices panel's part of the licence page: notices, forms, the renewal window."""
    spec = registry().profile.licence_types.get(lic.licence_type)
    may_notice = WEB.allows("supervisor")
    notice_form = extra_forms.get("notice")
    if notice_form is None and may_notice:
        notice_form = NoticeForm(prefix="notice", formdata=None)
        notice_form.cause.data = registry().profile.notices.default_cause
    remedy_forms = {}
    for n in notices:
        form = extra_forms.get(f"remedy{n.id}") or RemedyForm(prefix=f"remedy{n.id}", formdata=None)
        form.version.data = str(lic.version)
        remedy_forms[n.id] = form
    if notice_form is not None:
        notice_form.version.data = str(lic.version)
    return {
        "notices": notices,
        "notice_form": notice_form if may_notice and lic.status in RIGHT_STATUSES else None,
        "remedy_forms": remedy_forms if may_notice else {},
        "renewal_window": renewal_window(spec, lic.expires_at) if spec else None,
        "notice_rules": registry().profile.notices,
    }


@bp.get("/licences/<int:licence_id>")
@login_required
def licence(licence_id: int):
    """One licence: map, attributes, border assessment, history, permitted actions."""
    return render_detail(licence_id)


@bp.get("/licences/<int:licence_id>/print")
@login_required
def licence_print(licence_id: int):
    """A printable sheet: details and a map."""
    return render_detail(licence_id, template="licences/print.html")


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
    return render_detail(
        licence_id,
        forms={action: form},
        errors=field_errors(errors),
        open_action=action,
        status=422 if errors else 400,
    )
