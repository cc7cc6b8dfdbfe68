"""The OpenAPI path items of the procedure: a file's place in its type's procedure,
completing a stage, and the queues (``cadastre.api.procedure``)."""

from __future__ import annotations

from typing import Any

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
from cadastre.api.validation import ACTION_NOTE
from cadastre.queries.queue import PAGE, QUEUES

STAGE_ROW = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "position": {"type": "integer", "description": "1-based"},
        "label": {"type": "string"},
        "officer": {"type": "string", "description": "who does it, in the agency's words"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "status": {"type": "string", "enum": ["complete", "current", "waiting", "not_reached"]},
        "completed_by": {"type": "string", "nullable": True},
        "completed_at": {"type": "string", "format": "date-time", "nullable": True},
        "note": {"type": "string", "nullable": True},
        "requires": {"type": "array", "items": {"type": "string"}},
        "missing": {
            "type": "array",
            "items": {"type": "string"},
            "description": "the current stage only: what the file still lacks",
        },
        "refusal_possible": {"type": "boolean"},
        "action": {"type": "string", "nullable": True, "enum": ["approve", "grant", "finalise"]},
    },
}
PROCEDURE = {
    "type": "object",
    "properties": {
        "licence_id": {"type": "integer"},
        "code": {"type": "string"},
        "licence_type": {"type": "string"},
        "status": {"type": "string"},
        "current_stage": {"type": "string", "nullable": True},
        "stages": {"type": "array", "items": STAGE_ROW},
        "clock": {
            "type": "object",
            "properties": {
                "days": {"type": "integer"},
                "count": {"type": "string", "enum": ["calendar", "business"]},
                "until": {"type": "string"},
                "source": {"type": "string"},
                "due": {"type": "string", "format": "date", "nullable": True},
                "decided": {"type": "boolean"},
                "overdue": {"type": "boolean"},
            },
        },
    },
}
QUEUE_ITEM = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "licence_type": {"type": "string"},
        "holder": {"type": "string"},
        "district": {"type": "string", "nullable": True},
        "status": {"type": "string"},
        "stage": {"type": "string"},
        "stage_label": {"type": "string"},
        "stage_position": {"type": "integer"},
        "stages": {"type": "integer"},
        "roles": {"type": "array", "items": {"type": "string"}},
        "decision_due": {"type": "string", "format": "date", "nullable": True},
        "days_left": {"type": "integer", "nullable": True},
        "overdue": {"type": "boolean"},
        "received_at": {"type": "string", "format": "date-time", "nullable": True},
    },
}


def procedure_paths() -> dict[str, Any]:
    """A file's procedure (viewer and above), completing a stage (its roles), the queues."""
    tags = {"tags": ["procedure"], "security": BEARER}
    unsigned = {
        "401": problem("No valid bearer token (or web session)"),
        "403": problem("The caller's role may not do this"),
    }
    return {
        "/api/licences/{licence_id}/procedure": {
            "parameters": [LICENCE_ID],
            "get": {
                **tags,
                "summary": "The file's place in its type's procedure (viewer and above)",
                "description": "Every stage with its status, who completed it and when, what "
                "it requires and, for the current one, what the file still lacks; the "
                "decision clock. 409 for a type without a staged procedure.",
                "responses": {
                    "200": json_body(PROCEDURE),
                    **unsigned,
                    "404": problem("No such licence"),
                    "409": problem("The licence's type has no staged procedure"),
                    **READ_ERRORS,
                },
            },
        },
        "/api/licences/{licence_id}/stages/{stage}": {
            "parameters": [LICENCE_ID, param("stage", "path", {"type": "string"})],
            "post": {
                **tags,
                "summary": "Complete the stage the file waits at (the roles the stage names)",
                "description": "Stages are completed in order, each by a role it allows, with "
                "the documents, fields and payments it requires on file; a stage that takes a "
                "decision (approve, grant, finalise) takes it. If-Match is optional; when sent "
                "it must carry the current ETag (else 412).",
                "parameters": [param("If-Match", "header", {"type": "string"})],
                "requestBody": request_body(ACTION_NOTE, required=False),
                "responses": {
                    "200": json_body(
                        {
                            "type": "object",
                            "properties": {
                                **LICENCE["properties"],
                                "procedure": PROCEDURE,
                            },
                        },
                        "The licence and its procedure; ETag its new version",
                    ),
                    **WRITE_ERRORS,
                    "403": problem_with(
                        "The caller's role may not complete this stage",
                        {"stage": {"type": "string"}, "roles": {"type": "array"}},
                    ),
                    "404": problem("No such licence"),
                    "409": problem_with(
                        "Out of order, or something the stage requires is missing (named)",
                        {
                            "current_stage": {"type": "string", "nullable": True},
                            "stage": {"type": "string"},
                            "missing": {"type": "array", "items": {"type": "string"}},
                        },
                    ),
                    "412": problem("If-Match names a stale version"),
                },
            },
        },
        "/api/queue": {
            "get": {
                **tags,
                "summary": "A queue of files waiting in their procedures (viewer and above)",
                "description": "'mine': the files at a stage the caller's role completes; "
                "'overdue': decisions past their due day. Soonest due first.",
                "parameters": [
                    param("queue", "query", {"type": "string", "enum": list(QUEUES)}),
                    param("offset", "query", {"type": "integer", "minimum": 0, "default": 0}),
                    param(
                        "limit",
                        "query",
                        {"type": "integer", "minimum": 1, "maximum": 500, "default": PAGE},
                    ),
                    param("district", "query", {"type": "string"}),
                ],
                "responses": {
                    "200": json_body(
                        {
                            "type": "object",
                            "properties": {
                                "queue": {"type": "string"},
                                "total": {"type": "integer"},
                                "offset": {"type": "integer"},
                                "limit": {"type": "integer"},
                                "items": {"type": "array", "items": QUEUE_ITEM},
                            },
                        }
                    ),
                    **unsigned,
                    **READ_ERRORS,
                },
            },
        },
    }
