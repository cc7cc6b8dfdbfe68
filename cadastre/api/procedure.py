"""The procedure over the API: a file's place in its procedure, completing a stage, and the
queues ("waiting for me", "overdue").

``GET /api/licences/{id}/procedure`` (anyone signed in) lists the stages with ``name``,
``status``, ``completed_by``, ``completed_at`` and ``requires``; ``POST
/api/licences/{id}/stages/{stage}`` completes the stage the file waits at (the roles the
stage names; 409 out of order or with something missing, saying what); ``GET /api/queue``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, request

from cadastre.api.blueprint import bp
from cadastre.api.bodies import ACTION_NOTE
from cadastre.api.common import check_id, expected_version, json_body, query_int
from cadastre.auth import API
from cadastre.db import unit_of_work
from cadastre.errors import PreconditionFailed, ValidationError
from cadastre.queries.queue import PAGE, QUEUES, queue_page
from cadastre.services.licence_json import etag, licence_to_dict
from cadastre.services.procedure import procedure_view
from cadastre.services.stages import complete_stage
from cadastre.state import registry

#: The deepest page and the longest one a queue serves (the OpenAPI document says the same).
MAX_OFFSET = 10_000_000
MAX_LIMIT = 500


@bp.get("/licences/<int:licence_id>/procedure")
def procedure_get_view(licence_id: int):
    """The file's place in its type's procedure (viewer and above)."""
    API.check("viewer", "read licences")
    check_id(licence_id, "licence")
    reg = registry()
    with reg.sessions() as session:
        return jsonify(procedure_view(session, reg.profile, licence_id))


@bp.post("/licences/<int:licence_id>/stages/<stage>")
def complete_stage_view(licence_id: int, stage: str):
    """Complete a stage (its roles): 200 with the licence and its procedure."""
    actor = API.check(("officer", "finance"), "complete procedure stages")
    check_id(licence_id, "licence")
    body = json_body(ACTION_NOTE, required=False)
    expected = expected_version(f"{licence_id}-")
    reg = registry()
    with unit_of_work(reg.sessions) as session:
        if expected == -1:
            raise PreconditionFailed(
                "If-Match does not name this licence's current version; reload it and try again."
            )
        licence = complete_stage(
            session, reg.profile, licence_id, stage[:80], actor=actor.username, role=actor.role,
            note=body.get("note") or body.get("reason"), expected_version=expected,
        )  # fmt: skip
        session.flush()
        view = procedure_view(session, reg.profile, licence.id)
        out, tag = {**licence_to_dict(licence), "procedure": view}, etag(licence)
    response = jsonify(out)
    response.headers["ETag"] = tag
    return response


@bp.get("/queue")
def queue_view():
    """A queue: ``?queue=mine`` (the files at a stage the caller's role completes) or
    ``?queue=overdue`` (decisions past their due day); ``offset``, ``limit``, ``district``."""
    actor = API.check("viewer", "read the queues")
    queue = request.args.get("queue", "mine")
    if queue not in QUEUES:
        raise ValidationError(
            f"'{queue[:40]}' is not a queue; queues: {', '.join(QUEUES)}.",
            errors=[{"field": "queue", "message": f"must be one of {', '.join(QUEUES)}"}],
        )
    offset = query_int("offset", 0, 0, MAX_OFFSET)
    limit = query_int("limit", PAGE, 1, MAX_LIMIT)
    district = (request.args.get("district") or "").strip()[:60] or None
    reg = registry()
    with reg.sessions() as session:
        page = queue_page(
            session, reg.profile, queue, actor.role, datetime.now(UTC).date(),
            offset=offset, limit=limit, district=district,
        )  # fmt: skip
    return jsonify(page)
