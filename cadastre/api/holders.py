"""``/api/holders``: register, read, change and list holders.

What a caller sees of a holder is decided by ``cadastre.domain.holder_privacy``: anyone
reads a holder's name and kind and an organisation's registration number and nationality;
an individual's identity number and anyone's contact details need the officer role.
"""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import func, select

from cadastre.api.blueprint import bp
from cadastre.api.bodies import HOLDER_CHANGE, NEW_HOLDER
from cadastre.api.common import (
    check_id,
    created,
    expected_version,
    json_body,
    page_body,
    paging,
    query_choice,
)
from cadastre.auth import API, current_actor
from cadastre.db import unit_of_work
from cadastre.domain.holder_privacy import holder_projection
from cadastre.domain.roles import role_allows
from cadastre.models import Holder, Licence
from cadastre.models.holders import HOLDER_KINDS
from cadastre.services.holders import (
    create_holder,
    get_holder,
    holder_etag,
    holder_history,
    holder_to_dict,
    search_condition,
    update_holder,
)
from cadastre.state import registry


def holder_json(holder: Holder, *, role: str | None, licences: int | None = None) -> dict:
    """A holder as ``role`` may see it (``holder_projection``)."""
    body = holder_projection(holder_to_dict(holder), role)
    if licences is not None:
        body["licence_count"] = licences
    return body


def caller_role() -> str | None:
    """The caller's role, None when anonymous."""
    actor = current_actor()
    return actor.role if actor is not None else None


def _count_licences(session, holder_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Licence).where(Licence.holder_id == holder_id)
    )


@bp.post("/holders")
def create_holder_view():
    """Register a holder (officer or higher); 409 naming the holders it likely duplicates
    unless ``confirm_duplicate`` is true."""
    actor = API.check("officer", "register holders")
    body = dict(json_body(NEW_HOLDER))
    confirmed = body.pop("confirm_duplicate", False)
    with unit_of_work(registry().sessions) as session:
        holder = create_holder(session, body, check_duplicates=not confirmed, role=actor.role)
        result = holder_json(holder, role=actor.role, licences=0)
    return created(result, f"/api/holders/{result['id']}")


@bp.get("/holders")
def list_holders_view():
    """Holders, paged; ``q`` searches name and registration number, ``kind`` filters."""
    limit, offset = paging()
    kind = query_choice("kind", HOLDER_KINDS)
    q = (request.args.get("q") or "").strip()[:200]
    role = caller_role()
    query = select(Holder)
    if kind:
        query = query.where(Holder.kind == kind)
    if q:
        query = query.where(search_condition(q, role))
    with registry().sessions() as session:
        matched = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(Holder.name, Holder.id).limit(limit).offset(offset))
        items = [holder_json(h, role=role) for h in rows]
    return jsonify(page_body("holders", items, matched, limit, offset))


@bp.get("/holders/<int:holder_id>")
def get_holder_view(holder_id: int):
    """One holder, as the caller's role may see it; ``ETag`` carries its version."""
    check_id(holder_id, "holder")
    role = caller_role()
    with registry().sessions() as session:
        holder = get_holder(session, holder_id)
        response = jsonify(
            holder_json(holder, role=role, licences=_count_licences(session, holder_id))
        )
        response.headers["ETag"] = holder_etag(holder)
        return response


@bp.patch("/holders/<int:holder_id>")
def update_holder_view(holder_id: int):
    """Change a holder's details (officer or higher); only the fields sent change.

    A new name or registration number of a holder of live licences needs a supervisor and a
    ``reason``; ``If-Match`` is optional and, when sent, must name the current version.
    """
    actor = API.check("officer", "change holders")
    check_id(holder_id, "holder")
    body = dict(json_body(HOLDER_CHANGE))
    reason = body.pop("reason", None)
    with unit_of_work(registry().sessions) as session:
        holder = update_holder(
            session,
            holder_id,
            body,
            registry().profile,
            actor=actor.username,
            role=actor.role,
            reason=reason,
            expected_version=expected_version(f"holder-{holder_id}-"),
        )
        result = holder_json(holder, role=actor.role, licences=_count_licences(session, holder_id))
        tag = holder_etag(holder)
    response = jsonify(result)
    response.headers["ETag"] = tag
    return response


@bp.get("/holders/<int:holder_id>/history")
def holder_history_view(holder_id: int):
    """Every recorded change of a holder, oldest first; who acted and contact details are
    shown to viewers and above."""
    check_id(holder_id, "holder")
    role = caller_role()
    with registry().sessions() as session:
        events = [_event_json(e, role) for e in holder_history(session, holder_id)]
    return jsonify({"holder_id": holder_id, "events": events})


def _event_json(event, role: str | None) -> dict:
    """A holder event as ``role`` may see it: snapshots through ``holder_projection``."""
    private = role_allows(role, "viewer")

    def side(snapshot):
        return None if snapshot is None else holder_projection(snapshot, role)

    return {
        "id": event.id,
        "action": event.action,
        "actor": event.actor if private else None,
        "at": event.at.isoformat() if event.at else None,
        "reason": event.reason,
        "before": side(event.before),
        "after": side(event.after),
    }
