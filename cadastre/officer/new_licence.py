"""Register an application: holder, type, commodities and the area, with a check first."""

from __future__ import annotations

import json

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from shapely.geometry import mapping
from sqlalchemy import select

from cadastre.auth import WEB
from cadastre.domain.application_rules import (
    Application,
    Decision,
    check_application,
    in_field_order,
)
from cadastre.domain.eligibility import normalise_nationality
from cadastre.domain.geometry import format_area, geodesic_area_ha
from cadastre.errors import CadastreError, Conflict, ValidationError, field_error
from cadastre.forms import LicenceForm, options
from cadastre.http_errors import MAX_UPLOAD_BODY, max_body
from cadastre.input_guard import record_id
from cadastre.models import Holder, Licence
from cadastre.officer import queries
from cadastre.officer.areas import area_from_form
from cadastre.officer.blueprint import bp
from cadastre.officer.check import corners_understood, pre_check
from cadastre.officer.common import field_errors, reading, work
from cadastre.officer.refused import describe_refusal, free_part_of
from cadastre.services.applications import (
    check_ground,
    holder_application_facts,
    receive_application,
)
from cadastre.services.holders import create_holder
from cadastre.state import registry

#: Where a refusal about "the geometry" belongs on the form, by the way the area was given.
AREA_FIELDS = {"corners": "corners", "upload": "upload", "draw": "drawn_geometry"}


def _form() -> LicenceForm:
    profile = registry().profile
    form = LicenceForm()
    chosen = record_id(form.holder_id.data or request.args.get("holder"))
    with reading() as s:
        form.holder_id.choices = options(
            queries.holder_picks(s, form.holder_q.data or "", current_user.role, chosen)
        )
    form.licence_type.choices = options(
        [("", "Choose a type")]
        + [
            (name, f"{spec.label} (up to {format_area(spec.max_area_ha, 0)})")
            for name, spec in profile.licence_types.items()
        ]
    )
    form.commodities.choices = options(
        (c, c.replace("_", " ").capitalize()) for c in profile.commodities
    )
    return form


#: What the form says of a rule's field left empty (the rules' own words for a wrong value).
EMPTY_FIELD = {
    "licence_type": "Choose a licence type.",
    "commodities": "Choose at least one commodity.",
}
#: Fields the application rules judge; the form's own validators leave them to the rules.
JUDGED = {"licence_type", "commodities", "district"}


def _basic_errors(form: LicenceForm) -> list[dict]:
    """What only a form can get wrong: the choice of holder, and the fields' own limits."""
    ignored = {"csrf_token"} | JUDGED
    if form.holder_mode.data != "new":
        ignored |= {
            "new_holder_name",
            "new_holder_kind",
            "new_holder_registration",
            "new_holder_nationality",
        }
    errors = [
        {"field": k, "message": m} for k, ms in form.errors.items() for m in ms if k not in ignored
    ]
    if form.holder_mode.data == "new":
        if not (form.new_holder_name.data or "").strip():
            errors.append({"field": "new_holder_name", "message": "Give the new holder's name."})
    elif record_id(form.holder_id.data) is None:
        errors.append(
            {"field": "holder_id", "message": "Choose a holder, or choose “A new holder”."}
        )
    return errors


def judge_form(
    session, form: LicenceForm, geom, *, ground: bool = True
) -> tuple[Decision, list[dict]]:
    """The application rules (``domain.application_rules``) and, with ``ground``, the ground
    on the form's entries: the decision, and its errors placed on the form's fields."""
    profile = registry().profile
    if form.holder_mode.data == "new":
        facts = {
            "holder_kind": form.new_holder_kind.data or None,
            "holder_name": form.new_holder_name.data or "",
            "holder_nationality": _nationality_code(form.new_holder_nationality.data),
        }
    else:
        holder_id = record_id(form.holder_id.data)
        holder = session.get(Holder, holder_id) if holder_id is not None else None
        facts = holder_application_facts(holder)
    app = Application(
        licence_type=form.licence_type.data or None,
        commodities=list(form.commodities.data or []),
        **facts,
        district=(form.district.data or "").strip() or None,
        area_ha=geodesic_area_ha(geom) if geom is not None else None,
    )
    decision = check_application(profile, app)
    errors = list(decision.errors)
    if geom is not None and ground:
        errors += check_ground(session, profile, geom)[0]
    return decision, [_on_form(e, form, app) for e in in_field_order(errors)]


def _nationality_code(text: str | None) -> str | None:
    """The typed nationality as a code (unreadable text is refused when the holder is made)."""
    try:
        return normalise_nationality(text)
    except ValidationError:
        return None


def _on_form(error: dict, form: LicenceForm, app: Application) -> dict:
    """A rule's field error, said where the form shows that field."""
    fld = error["field"]
    if fld in EMPTY_FIELD and not getattr(app, fld):
        return {"field": fld, "message": EMPTY_FIELD[fld]}
    if fld == "holder_id" and form.holder_mode.data == "new":
        fld = "new_holder_kind"
    elif fld in ("geometry", "area"):
        fld = AREA_FIELDS.get(form.area_method.data or "corners", "corners")
    return {"field": fld, "message": error["message"]}


def _area_errors(exc: CadastreError, form: LicenceForm) -> list[dict]:
    target = AREA_FIELDS.get(form.area_method.data or "corners", "corners")
    out = []
    for e in exc.errors or [{"field": "geometry", "message": exc.detail}]:
        fld = e.get("field") or "geometry"
        out.append(
            {"field": target if fld in ("geometry", "area") else fld, "message": e["message"]}
        )
    return out


def _keep_area(form: LicenceForm, geom) -> None:
    """Keep an uploaded or drawn area in hidden fields, so a refusal loses nothing."""
    if form.area_method.data == "upload" and geom is not None:
        form.uploaded_geometry.data = json.dumps(geom.__geo_interface__)


@bp.route("/licences/new", methods=["GET", "POST"])
@max_body(MAX_UPLOAD_BODY)
@WEB.required("officer")
def licence_new():
    """The application form; on refusal it comes back with every entry kept.

    An application the register refuses for its ground is kept on record as refused: the
    page says why, links the record, keeps the area on the map and offers its free part.
    """
    form = _form()
    profile = registry().profile
    if request.method == "GET":
        if record_id(request.args.get("holder")) is not None:
            form.holder_id.data = request.args["holder"]
        return render_template(
            "licences/new.html", form=form, errors={}, conflicts=[], profile=profile
        )
    if request.form.get("find_holder"):  # the holder search without scripts: show matches
        return _found_holders(form, profile)
    form.validate()
    errors = _basic_errors(form)
    geom = None
    try:
        geom, _ = area_from_form(form, max_vertices=profile.max_vertices)
        _keep_area(form, geom)
    except CadastreError as exc:
        errors += _area_errors(exc, form)
    with reading() as s:  # the ground is judged on registering: a refusal there is kept
        errors += judge_form(s, form, geom, ground=False)[1]
    conflicts: list[dict] = []
    refused = None
    if not errors:
        try:
            lid, code, refused, free_ha = _receive(form, profile, geom)
            if refused is None:
                part = f" for the free part ({format_area(free_ha)})" if free_ha else ""
                flash(f"Application {code} registered{part}.", "success")
                return redirect(url_for("officer.licence", licence_id=lid))
            _hold_holder(form, refused["holder_id"])
        except Conflict as exc:
            conflicts = list(exc.extra.get("conflicts") or [])
            errors += _register_errors(exc, form)
        except CadastreError as exc:
            errors += _register_errors(exc, form)
    area_map = refused["map"] if refused else ({"area": mapping(geom)} if geom else None)
    return render_template(
        "licences/new.html",
        form=form,
        errors=field_errors(errors),
        conflicts=conflicts,
        refused=refused,
        area_map=area_map,
        profile=profile,
    ), (200 if refused else 422)  # a refusal kept on record is an answer, not a fault


def _receive(form: LicenceForm, profile, geom):
    """Register the application (or only its free part); (id, code, refusal shown, free ha)."""
    with work() as s:
        if form.holder_mode.data == "new":
            holder = create_holder(
                s,
                {
                    "name": form.new_holder_name.data,
                    "kind": form.new_holder_kind.data,
                    "registration_number": form.new_holder_registration.data or None,
                    "nationality": form.new_holder_nationality.data or None,
                },
            )
            holder_id = holder.id
        else:
            holder_id = int(form.holder_id.data)
        free_ha = None
        if request.form.get("apply_free_part"):
            geom = free_part_of(s, profile, geom)
            free_ha = geodesic_area_ha(geom)
        consents = _consents(s, form)
        lic, refusal = receive_application(
            s,
            profile,
            consents=consents,
            holder_id=holder_id,
            licence_type=form.licence_type.data,
            commodities=list(form.commodities.data),
            geometry=geom,
            actor=current_user.username,
            district=(form.district.data or "").strip() or None,
        )
        refused = describe_refusal(s, profile, refusal) if refusal is not None else None
        return lic.id, lic.code, refused, free_ha


def _consents(session, form: LicenceForm) -> list[dict] | None:
    """The consent the form names, as the service takes it (None when none is named): the
    licence by its code, the consent given by that licence's holder."""
    code = (form.consent_licence.data or "").strip()
    if not code:
        return None
    overlapped = session.scalar(select(Licence).where(Licence.code == code))
    if overlapped is None:
        raise field_error("consent_licence", f"There is no licence {code} in the register.")
    return [
        {
            "licence_id": overlapped.id,
            "given_by": overlapped.holder_id,
            "given_on": (form.consent_given_on.data or "").strip(),
            "document": form.consent_document.data or "",
        }
    ]


#: Where a fault of the consent belongs on the form.
CONSENT_FIELDS = {"given_on": "consent_given_on", "document": "consent_document"}


def _hold_holder(form: LicenceForm, holder_id: int) -> None:
    """After a refusal the holder is on record (a new one too): the form names it, so
    applying again (for the free part) registers no second holder."""
    form.holder_mode.data = "existing"
    form.holder_id.data = str(holder_id)
    with reading() as s:
        form.holder_id.choices = options(queries.holder_picks(s, "", current_user.role, holder_id))


def _register_errors(exc: CadastreError, form: LicenceForm) -> list[dict]:
    """A refusal raised while registering, on the form's fields."""
    new_holder = {
        "name": "new_holder_name",
        "kind": "new_holder_kind",
        "registration_number": "new_holder_registration",
        "nationality": "new_holder_nationality",
    }
    out = []
    for e in exc.errors or [{"field": "geometry", "message": exc.detail}]:
        fld = e.get("field") or "geometry"
        if form.holder_mode.data == "new" and fld in new_holder:
            fld = new_holder[fld]
        elif fld.startswith("consents"):
            fld = CONSENT_FIELDS.get(fld.rsplit(".", 1)[-1], "consent_licence")
        elif fld in ("geometry", "area"):
            fld = AREA_FIELDS.get(form.area_method.data, "corners")
        out.append({"field": fld, "message": e["message"]})
    return out


def _found_holders(form: LicenceForm, profile):
    """The form again with the holders matching its search, every entry (an upload too) kept."""
    form.holder_mode.data = "existing"
    try:
        geom, _ = area_from_form(form, max_vertices=profile.max_vertices)
        _keep_area(form, geom)
    except CadastreError:
        pass  # the area is checked when the application is registered
    return render_template("licences/new.html", form=form, errors={}, conflicts=[], profile=profile)


@bp.post("/licences/check")
@max_body(MAX_UPLOAD_BODY)
@WEB.required("officer")
def licence_check():
    """The check step (JSON): the same form in, what registration would meet out."""
    form = _form()
    form.validate()
    profile = registry().profile
    try:
        geom, _ = area_from_form(form, max_vertices=profile.max_vertices)
    except CadastreError as exc:
        return jsonify({"ok": False, "errors": _area_errors(exc, form)}), 422
    with reading() as s:
        decision, errors = judge_form(s, form, geom)
        result = pre_check(s, profile, geom, decision, list(form.commodities.data or []))
    if (form.area_method.data or "corners") == "corners":  # the corners as understood
        result["corners_read"] = corners_understood(
            form.corners.data or "", form.notation.data, profile.max_vertices
        )
    result["errors"] = errors  # what registering would refuse, as the form would say it
    result["ok"] = True
    return jsonify(result)
