"""``/api/licences/<id>/notices``: notices before suspension or revocation.

Supervisors issue a notice (the breach; the remedy period comes from the profile) and mark
it remedied; viewers and above read them. A licence is suspended or revoked only on a
notice whose remedy period has run out unremedied (409 otherwise, through the action).
"""

from __future__ import annotations

from flask import jsonify, request

from cadastre.api.blueprint import bp
from cadastre.api.bodies import NOTICE, NOTICE_REMEDY
from cadastre.api.common import check_id, expected_version, json_body
from cadastre.auth import API
from cadastre.db import unit_of_work
from cadastre.errors import PreconditionFailed
from cadastre.services.licences import etag, get_licence
from cadastre.services.notices import (
    get_notice,
    issue_notice,
    licence_notices,
    mark_remedied,
    notice_to_dict,
)
from cadastre.state import registry


def _expected(session, licence_id: int) -> int | None:
    expected = expected_version(f"{licence_id}-")
    if expected == -1:
        raise PreconditionFailed(
            f"If-Match does not name this licence's current version (its ETag is "
            f"{etag(get_licence(session, licence_id))}); reload it and try again."
        )
    return expected


def _answer(session, notice, licence_id: int, status: int = 200):
    response = jsonify(notice_to_dict(notice))
    response.status_code = status
    response.headers["ETag"] = etag(get_licence(session, licence_id))
    return response


@bp.get("/licences/<int:licence_id>/notices")
def notices_view(licence_id: int):
    """The notices of a licence, oldest first (viewers and above)."""
    API.check("viewer", "read notices")
    check_id(licence_id, "licence")
    with registry().sessions() as session:
        get_licence(session, licence_id)
        items = [notice_to_dict(n) for n in licence_notices(session, licence_id)]
    return jsonify({"licence_id": licence_id, "notices": items})


@bp.post("/licences/<int:licence_id>/notices")
def issue_notice_view(licence_id: int):
    """Issue a notice (supervisor): 201 with the notice; Location names it."""
    actor = API.check("supervisor", "issue notices")
    check_id(licence_id, "licence")
    body = json_body(NOTICE)
    reg = registry()
    with unit_of_work(reg.sessions) as session:
        get_licence(session, licence_id)
        notice = issue_notice(
            session,
            reg.profile,
            licence_id,
            actor=actor.username,
            breach=body.get("breach"),
            cause=body.get("cause"),
            expected_version=_expected(session, licence_id),
        )
        response = _answer(session, notice, licence_id, 201)
    response.headers["Location"] = (
        f"{request.script_root}/api/licences/{licence_id}/notices/{notice.id}"
    )
    return response


@bp.get("/licences/<int:licence_id>/notices/<int:notice_id>")
def notice_view(licence_id: int, notice_id: int):
    """One notice (viewers and above)."""
    API.check("viewer", "read notices")
    check_id(licence_id, "licence")
    check_id(notice_id, "notice")
    with registry().sessions() as session:
        return jsonify(notice_to_dict(get_notice(session, licence_id, notice_id)))


@bp.post("/licences/<int:licence_id>/notices/<int:notice_id>/remedied")
def remedied_view(licence_id: int, notice_id: int):
    """Mark a notice remedied (supervisor): no suspension or revocation rests on it."""
    actor = API.check("supervisor", "mark notices remedied")
    check_id(licence_id, "licence")
    check_id(notice_id, "notice")
    body = json_body(NOTICE_REMEDY, required=False)
    with unit_of_work(registry().sessions) as session:
        get_licence(session, licence_id)
        notice = mark_remedied(
            session,
            licence_id,
            notice_id,
            actor=actor.username,
            note=body.get("note"),
            expected_version=_expected(session, licence_id),
        )
        return _answer(session, notice, licence_id)
