"""``/api/holders``: register, read, change and list holders.

Anyone may read a holder's name, kind, registration number and nationality (the public
repository shows who holds what); contact details need the viewer role or higher.
"""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import func, or_, select

from cadastre.api import bp
from cadastre.api.common import (
    can_see,
    check_id,
    created,
    json_body,
    page_body,
    paging,
    query_choice,
    require,
)
from cadastre.api.validation import HOLDER_CHANGE, NEW_HOLDER
from cadastre.app import registry
from cadastre.db import unit_of_work
from cadastre.models import Holder, Licence
from cadastre.models.holders import HOLDER_KINDS
from cadastre.services.holders import create_holder, get_holder, holder_to_dict, update_holder

PRIVATE_FIELDS = ("address", "phone", "email")


def holder_json(holder: Holder, *, private: bool, licences: int | None = None) -> dict:
    """A holder as the caller may see it."""
    body = holder_to_dict(holder)
    if not private:
        for key in PRIVATE_FIELDS:
            body.pop(key, None)
    if licences is not None:
        body["licence_count"] = licences
    return body


def _count_licences(session, holder_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Licence).where(Licence.holder_id == holder_id)
    )


@bp.post("/holders")
def create_holder_view():
    """Register a holder (officer or higher)."""
    require("officer", "register holders")
    body = json_body(NEW_HOLDER)
    with unit_of_work(registry().sessions) as session:
        holder = create_holder(session, body)
        result = holder_json(holder, private=True, licences=0)
    return created(result, f"/api/holders/{result['id']}")


@bp.get("/holders")
def list_holders_view():
    """Holders, paged; ``q`` searches name and registration number, ``kind`` filters."""
    limit, offset = paging()
    kind = query_choice("kind", HOLDER_KINDS)
    q = (request.args.get("q") or "").strip()[:200]
    private = can_see("viewer")
    query = select(Holder)
    if kind:
        query = query.where(Holder.kind == kind)
    if q:
        pattern = (
            "%" + q.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        )
        query = query.where(
            or_(
                func.lower(Holder.name).like(pattern),
                func.lower(Holder.registration_number).like(pattern),
            )
        )
    with registry().sessions() as session:
        matched = session.scalar(select(func.count()).select_from(query.subquery()))
        rows = session.scalars(query.order_by(Holder.name, Holder.id).limit(limit).offset(offset))
        items = [holder_json(h, private=private) for h in rows]
    return jsonify(page_body("holders", items, matched, limit, offset))


@bp.get("/holders/<int:holder_id>")
def get_holder_view(holder_id: int):
    """One holder (contact details for viewers and above)."""
    check_id(holder_id, "holder")
    private = can_see("viewer")
    with registry().sessions() as session:
        holder = get_holder(session, holder_id)
        return jsonify(
            holder_json(holder, private=private, licences=_count_licences(session, holder_id))
        )


@bp.patch("/holders/<int:holder_id>")
def update_holder_view(holder_id: int):
    """Change a holder's details (officer or higher); only the fields sent change."""
    require("officer", "change holders")
    check_id(holder_id, "holder")
    body = json_body(HOLDER_CHANGE)
    with unit_of_work(registry().sessions) as session:
        holder = update_holder(session, holder_id, body, registry().profile)
        result = holder_json(holder, private=True, licences=_count_licences(session, holder_id))
    return jsonify(result)
