"""``/api/licences/<id>/notices``: notices before suspension or revocation.

Supervisors issue a notice (the breach; the remedy period comes from the profile) and mark
it remedied; viewers and above read them. A licence is suspended or revoked only on a
notice whose remedy period has run out unremedied (409 otherwise, through the action).
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from cadastre.api.blueprint import bp
from cadastre.api.common import check_id, expected_version, json_body
from cadastre.api.validation import NOTICE, NOTICE_REMEDY, Body
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


NOTICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "licence_id": {"type": "integer"},
        "cause": {"type": "string"},
        "breach": {"type": "string"},
        "remedy_days": {"type": "integer"},
        "remedy_source": {"type": "string", "description": "the Act's section, or 'guess: ...'"},
        "issued_at": {"type": "string", "format": "date-time"},
        "issued_by": {"type": "string"},
        "remedy_by": {"type": "string", "format": "date", "description": "last day to remedy"},
        "remedied": {"type": "boolean"},
        "remedied_at": {"type": "string", "format": "date-time", "nullable": True},
        "remedied_by": {"type": "string", "nullable": True},
        "remedy_note": {"type": "string", "nullable": True},
    },
}


def notice_openapi_paths(
    licence_id: dict, json_of, problem, body_of, bearer: list, errors: dict
) -> dict[str, Any]:
    """The notice paths for ``api/openapi.py`` (its helpers passed in, to avoid a cycle)."""
    notice_id = {"name": "notice_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1}}  # fmt: skip
    if_match = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"}}

    def write(summary: str, description: str, spec: Body, required: bool, ok: str) -> dict:
        return {
            "summary": summary,
            "description": description,
            "tags": ["registry"],
            "security": bearer,
            "parameters": [if_match],
            "requestBody": body_of(spec, required=required),
            "responses": {
                ok: json_of(NOTICE_SCHEMA),
                "404": problem("No such licence or notice"),
                "409": problem("The licence is not in force, or the notice is already remedied"),
                "412": problem("If-Match names a stale version"),
                **errors,
            },
        }

    reading = {
        "tags": ["registry"],
        "security": bearer,
        "responses": {"404": problem("No such licence or notice"), **errors},
    }
    return {
        "/api/licences/{licence_id}/notices": {
            "parameters": [licence_id],
            "get": {
                **reading,
                "summary": "The notices of a licence, oldest first (viewer and above)",
                "responses": {
                    "200": json_of(
                        {
                            "type": "object",
                            "properties": {
                                "licence_id": {"type": "integer"},
                                "notices": {"type": "array", "items": NOTICE_SCHEMA},
                            },
                        }
                    ),
                    **reading["responses"],
                },
            },
            "post": write(
                "Issue a notice before suspension or revocation (supervisor)",
                "The breach, and optionally the cause (else the profile's default). The remedy "
                "period (remedy_days) and its source come from the profile; remedy_by is the "
                "last day to remedy. Suspension and revocation are refused (409) until a "
                "notice's remedy period has run out unremedied. Recorded in the licence's "
                "history; the licence's version (ETag) moves on.",
                NOTICE,
                True,
                "201",
            ),
        },
        "/api/licences/{licence_id}/notices/{notice_id}": {
            "parameters": [licence_id, notice_id],
            "get": {
                **reading,
                "summary": "One notice (viewer and above)",
                "responses": {"200": json_of(NOTICE_SCHEMA), **reading["responses"]},
            },
        },
        "/api/licences/{licence_id}/notices/{notice_id}/remedied": {
            "parameters": [licence_id, notice_id],
            "post": write(
                "Mark a notice remedied (supervisor): no suspension or revocation rests on it",
                "An optional note says how the breach was remedied. Recorded in the history.",
                NOTICE_REMEDY,
                False,
                "200",
            ),
        },
    }
