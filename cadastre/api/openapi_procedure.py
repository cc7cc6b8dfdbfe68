"""The OpenAPI path items of the staged procedure: a file's place in its procedure, completing
a stage, and the queues ("waiting for me", "overdue")."""

from __future__ import annotations

from typing import Any

from cadastre.api.bodies import ACTION_NOTE
from cadastre.api.openapi_schemas import (
    BEARER,
    LICENCE,
    LICENCE_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    json_body,
    param,
    problem,
    problem_with,
    request_body,
)
from cadastre.api.procedure import MAX_LIMIT, MAX_OFFSET
from cadastre.queries.queue import PAGE, QUEUES

DAY = {"type": "string", "format": "date"}
STAGE: dict = {
    "type": "object",
    "description": "One stage of the licence type's procedure, as this file stands.",
    "properties": {
        "name": {"type": "string", "example": "board_recommendation"},
        "position": {"type": "integer", "description": "1-based"},
        "label": {"type": "string"},
        "officer": {"type": "string", "description": "who does it, in the agency's words"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "enum": ["complete", "current", "waiting", "not_reached"]},
        "completed_by": {"type": "string", "nullable": True},
        "completed_at": {"type": "string", "format": "date-time", "nullable": True},
        "note": {"type": "string", "nullable": True},
        "requires": {
            "type": "array",
            "items": {"type": "string"},
            "description": "e.g. 'document: board_minutes', 'payment: before_grant'",
        },
        "missing": {
            "type": "array",
            "items": {"type": "string"},
            "description": "the current stage only: what the file still lacks for it",
        },
        "refusal_possible": {"type": "boolean"},
        "action": {
            "type": "string",
            "nullable": True,
            "enum": ["approve", "grant", "finalise", None],
            "description": "the lifecycle decision completing the stage takes",
        },
    },
}
PROCEDURE: dict = {
    "type": "object",
    "properties": {
        "licence_id": {"type": "integer"},
        "code": {"type": "string"},
        "licence_type": {"type": "string"},
        "status": {"type": "string"},
        "current_stage": {
            "type": "string",
            "nullable": True,
            "description": "the stage the file waits at; null once its procedure is over",
        },
        "stages": {"type": "array", "items": STAGE},
        "clock": {
            "type": "object",
            "description": "the time the law gives for the decision",
            "properties": {
                "days": {"type": "integer"},
                "count": {"type": "string", "enum": ["calendar", "business"]},
                "until": {"type": "string", "description": "the stage that stops the clock"},
                "source": {"type": "string", "description": "the rule, or 'guess: ...'"},
                "due": {**DAY, "nullable": True},
                "decided": {"type": "boolean"},
                "overdue": {"type": "boolean"},
            },
        },
    },
}
QUEUE_ITEM: dict = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "licence_type": {"type": "string"},
        "holder": {"type": "string"},
        "district": {"type": "string", "nullable": True},
        "status": {"type": "string", "enum": ["application", "approved"]},
        "stage": {"type": "string"},
        "stage_label": {"type": "string"},
        "stage_position": {"type": "integer", "nullable": True},
        "stages": {"type": "integer", "nullable": True},
        "roles": {"type": "array", "items": {"type": "string"}},
        "decision_due": {**DAY, "nullable": True},
        "days_left": {"type": "integer", "nullable": True, "description": "negative: overdue"},
        "overdue": {"type": "boolean"},
        "received_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}
QUEUE: dict = {
    "type": "object",
    "properties": {
        "queue": {"type": "string", "enum": list(QUEUES)},
        "total": {"type": "integer"},
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "items": {"type": "array", "items": QUEUE_ITEM},
    },
}


def procedure_paths() -> dict[str, Any]:
    """A file's procedure (viewer), completing a stage (the stage's roles), the queues."""
    tags = {"tags": ["procedure"], "security": BEARER}
    unsigned = {
        "401": problem("No valid bearer token (or web session)"),
        "403": problem("The caller's role may not do this"),
    }
    refused = problem_with(
        "Out of order, not a stage of the procedure, not waiting at any stage, or the file "
        "lacks what the stage requires: 'detail' says which; nothing was stored",
        {
            "current_stage": {"type": "string", "nullable": True},
            "stage": {"type": "string"},
            "stages": {"type": "array", "items": {"type": "string"}},
            "missing": {"type": "array", "items": {"type": "string"}},
        },
    )
    return {
        "/api/licences/{licence_id}/procedure": {
            "parameters": [LICENCE_ID],
            "get": {
                **tags,
                "summary": "The file's place in its type's procedure (viewer and above)",
                "description": "Every stage in order with its status, who completed it and "
                "when, what it requires and, for the stage the file waits at, what the file "
                "still lacks; the decision clock with its due day. 409 for a licence type "
                "without a staged procedure.",
                "responses": {
                    "200": json_body(PROCEDURE),
                    "404": problem("No such licence"),
                    "409": problem("The licence's type has no staged procedure"),
                    **unsigned,
                    **READ_ERRORS,
                },
            },
        },
        "/api/licences/{licence_id}/stages/{stage}": {
            "parameters": [
                LICENCE_ID,
                param("stage", "path", {"type": "string"}, "a stage name of the procedure"),
            ],
            "post": {
                **tags,
                "summary": "Complete the stage the file waits at (the roles the stage names)",
                "description": "Stages are completed in order, each by a role the profile "
                "names for it (the ladder applies: a supervisor may do an officer's stage; "
                "finance only the stages naming finance), with the documents on file "
                "(current, not superseded), the fields filled in and the payments made that "
                "it requires. A stage with an action takes that lifecycle decision (approve, "
                "grant, finalise). One history event per stage. The note (optional, at most "
                "2000 characters) is kept with the stage. If-Match is optional; when sent it "
                "must carry the current ETag (else 412). Any refusal stores nothing.",
                "parameters": [param("If-Match", "header", {"type": "string"})],
                "requestBody": request_body(ACTION_NOTE, required=False),
                "responses": {
                    "200": json_body(
                        {
                            "type": "object",
                            "properties": {**LICENCE["properties"], "procedure": PROCEDURE},
                        },
                        "Completed: the licence and its procedure; ETag the new version",
                    ),
                    "404": problem("No such licence"),
                    "409": refused,
                    "412": problem("If-Match names a stale version"),
                    **WRITE_ERRORS,
                    "403": problem_with(
                        "The caller's role may not complete this stage; 'roles' says who may",
                        {"stage": {"type": "string"}, "roles": {"type": "array"}},
                    ),
                },
            },
        },
        "/api/queue": {
            "get": {
                **tags,
                "summary": "A queue of waiting applications, the files due first (viewer)",
                "description": "queue=mine: the files waiting at a stage the caller's role "
                "completes; queue=overdue: the files whose decision is past its due day and "
                "not yet taken. Ordered by due day, then id. district filters by district.",
                "parameters": [
                    param(
                        "queue",
                        "query",
                        {"type": "string", "enum": list(QUEUES), "default": "mine"},
                    ),  # fmt: skip
                    param("district", "query", {"type": "string", "maxLength": 60}),
                    param(
                        "limit",
                        "query",
                        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": PAGE},
                    ),
                    param(
                        "offset",
                        "query",
                        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
                    ),
                ],  # fmt: skip
                "responses": {
                    "200": json_body(QUEUE),
                    **unsigned,
                    **READ_ERRORS,
                },
            },
        },
    }
