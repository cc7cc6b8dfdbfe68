"""``/api/licences`` and ``/api/availability``: apply, read, list, act, history.

Anyone may read licences (the public repository does); officers register applications and
withdraw them; supervisors take the other decisions. ``If-Match`` on an action is optional:
when sent, it must carry the licence's current ETag or the action fails with 412.
"""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cadastre.api.blueprint import bp
from cadastre.api.bodies import ACTION, APPLICATION, AVAILABILITY
from cadastre.api.common import (
    check_id,
    entity_tags,
    expected_version,
    json_body,
    page_body,
    paging,
    query_choice,
    query_int,
    read_json,
)
from cadastre.api.validation import body_faults, summary, top_field
from cadastre.auth import API, current_actor
from cadastre.db import unit_of_work
from cadastre.domain.geometry import parse_corners
from cadastre.domain.lifecycle import TRANSITIONS
from cadastre.errors import Forbidden, NotFound, PreconditionFailed, ValidationError
from cadastre.http_errors import max_body
from cadastre.models import Licence
from cadastre.models.licences import LICENCE_STATUSES
from cadastre.services.applications import judge_application, receive_application
from cadastre.services.history import MAX_ID
from cadastre.services.licences import (
    check_availability,
    etag,
    event_to_dict,
    expire_due,
    get_licence,
    intake_geometry,
    licence_history,
    licence_to_dict,
    perform_action,
)
from cadastre.state import registry

#: Anyone may ask about availability, so its body is kept far below the officers' limit.
MAX_AVAILABILITY_BODY = 256 * 1024


def _area(body: dict, *, required: bool):
    """The area sent as GeoJSON ``geometry`` or as ``corners`` text with a ``notation``."""
    profile = registry().profile
    has_geom, has_corners = body.get("geometry") is not None, body.get("corners") is not None
    if has_geom and has_corners:
        raise ValidationError(
            "Send the area either as 'geometry' (GeoJSON) or as 'corners', not both.",
            errors=[{"field": "corners", "message": "send geometry or corners, not both"}],
        )
    if has_corners:
        corners, notation = body["corners"], body.get("notation", "auto")
        if not isinstance(corners, str | list) or not isinstance(notation, str):
            raise ValidationError(
                "'corners' must be text (one corner per line) or a list of rows; "
                "'notation' one of auto, dd, dms, utm28, utm29.",
                errors=[{"field": "corners", "message": "text or a list of rows"}],
            )
        return parse_corners(corners, notation=notation, max_vertices=profile.max_vertices)
    if has_geom:
        return intake_geometry(body["geometry"], profile)
    if required:
        raise ValidationError(
            "The licence area is required: send 'geometry' (GeoJSON Polygon or MultiPolygon "
            "in longitude, latitude) or 'corners' with a 'notation'.",
            errors=[{"field": "geometry", "message": "is required"}],
        )
    return None


def _response(licence: Licence, status: int = 200):
    response = jsonify(licence_to_dict(licence))
    response.status_code = status
    response.headers["ETag"] = etag(licence)
    return response


@bp.post("/licences")
def apply_view():
    """Register an application (officer or higher): 201; 409 on overlap, 422 when unlawful.

    Refused ground (an overlap, or outside the country) is kept on record as a refused
    application: the 409 or 422 names it (``refused_application``) and its ``refusal_reason``.
    """
    actor = API.check("officer", "register applications")
    # every fault is reported at once: the body's form, then the law on the fields well formed
    body = read_json()
    faults = body_faults(body, APPLICATION)
    at_fault = {top_field(e["field"]) for e in faults}
    given = {k: v for k, v in body.items() if k not in at_fault}
    reg = registry()
    with unit_of_work(reg.sessions) as session:
        geometry = None
        if not at_fault & {"geometry", "corners", "notation"}:
            try:
                geometry = _area(given, required=True)
            except ValidationError as exc:
                faults, at_fault = faults + exc.errors, at_fault | {"geometry"}
        fields = {
            "holder_id": given.get("holder_id"),
            "licence_type": given.get("licence_type"),
            "commodities": given.get("commodities"),
            "district": given.get("district"),
        }
        if faults:  # and the law's findings on the fields (and area) well formed
            judged = judge_application(session, reg.profile, geom=geometry, **fields)
            faults += [e for e in judged.errors if top_field(e["field"]) not in at_fault]
            raise ValidationError(summary(faults), errors=faults)
        licence, refusal = receive_application(
            session,
            reg.profile,
            geometry=geometry,
            actor=actor.username,
            consents=given.get("consents"),
            **fields,
        )
        response = _response(licence, 201)
    if refusal is not None:  # kept on record (committed) and answered as refused
        raise refusal.error()
    response.headers["Location"] = f"{request.script_root}/api/licences/{licence.id}"
    return response


@bp.get("/licences")
def list_view():
    """Licences, paged; filters: licence_type (or type), status, holder, commodity."""
    limit, offset = paging()
    profile = registry().profile
    licence_type = query_choice("licence_type", tuple(profile.licence_types), "type")
    status = query_choice("status", LICENCE_STATUSES)
    holder = query_int("holder", 0, 1, MAX_ID) or query_int("holder_id", 0, 1, MAX_ID)
    commodity = query_choice("commodity", profile.commodities)
    with_geometry = (request.args.get("geometry") or "").lower() in ("1", "true", "yes")
    query = select(Licence)
    if licence_type:
        query = query.where(Licence.licence_type == licence_type)
    if status:
        query = query.where(Licence.status == status)
    if holder:
        query = query.where(Licence.holder_id == holder)
    if commodity:
        query = query.where(Licence.commodities.contains([commodity]))
    with unit_of_work(registry().sessions) as session:
        expire_due(session)
        matched = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(
            query.options(selectinload(Licence.holder))
            .order_by(Licence.application_number)
            .limit(limit)
            .offset(offset)
        )
        items = [licence_to_dict(lic, geometry=with_geometry) for lic in rows]
    return jsonify(page_body("licences", items, matched, limit, offset))


@bp.get("/licences/<int:licence_id>")
def get_view(licence_id: int):
    """One licence with its geometry; ``ETag`` carries its version (304 on If-None-Match)."""
    check_id(licence_id, "licence")
    with unit_of_work(registry().sessions) as session:
        get_licence(session, licence_id)
        expire_due(session, licence_id=licence_id)
        licence = get_licence(session, licence_id)
        tag = etag(licence)
        if tag in entity_tags(request.headers.get("If-None-Match")):
            response = jsonify()
            response.status_code = 304
            response.headers["ETag"] = tag
            return response
        return _response(licence)


@bp.get("/licences/<int:licence_id>/history")
def history_view(licence_id: int):
    """Every change to a licence, oldest first (who acted is shown to viewers and above)."""
    check_id(licence_id, "licence")
    show_actor = current_actor() is not None
    with unit_of_work(registry().sessions) as session:
        get_licence(session, licence_id)
        expire_due(session, licence_id=licence_id)
        events = [
            event_to_dict(e, show_actor=show_actor) for e in licence_history(session, licence_id)
        ]
    return jsonify({"licence_id": licence_id, "events": events})


@bp.post("/licences/<int:licence_id>/<action>")
def action_view(licence_id: int, action: str):
    """A lifecycle action; optional If-Match must name the current version (else 412)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        names = ", ".join(a for a, t in TRANSITIONS.items() if t.role != "system")
        raise NotFound(f"'{action}' is not a licence action; actions: {names}.")
    if transition.role == "system":
        API.check("viewer", "change licences")
        raise Forbidden(
            "Licences expire by themselves when their expiry date passes; "
            "no one can expire one by hand."
        )
    actor = API.check(transition.role, f"{action} licences")
    check_id(licence_id, "licence")
    body = json_body(ACTION, required=False)
    reason = body.get("reason")
    geometry = _area(body, required=False)
    params = {}
    if geometry is not None:
        params["geometry"] = geometry
    if "holder_id" in body:
        params["holder_id"] = body["holder_id"]
    expected = expected_version(f"{licence_id}-")
    reg = registry()
    with unit_of_work(reg.sessions) as session:
        get_licence(session, licence_id)
        if expected == -1:
            current = get_licence(session, licence_id)
            raise PreconditionFailed(
                f"If-Match does not name this licence's current version (its ETag is "
                f"{etag(current)}); reload it and try again."
            )
        licence = perform_action(
            session,
            reg.profile,
            licence_id,
            action,
            actor=actor.username,
            role=actor.role,
            reason=reason or None,
            expected_version=expected,
            **params,
        )
        return _response(licence)


@bp.post("/availability")
@max_body(MAX_AVAILABILITY_BODY)
def availability_view():
    """Which exclusive licences an area overlaps and the part still free (anyone may ask)."""
    body = json_body(AVAILABILITY)
    geometry = _area(body, required=True)
    reg = registry()
    with reg.sessions() as session:
        return jsonify(
            check_availability(
                session, reg.profile, geometry, licence_type=body.get("licence_type")
            )
        )
