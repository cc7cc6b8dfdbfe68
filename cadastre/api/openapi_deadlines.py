"""The OpenAPI path item of ``GET /api/deadlines``: what falls due in the next N days."""

from __future__ import annotations

from typing import Any

from cadastre.api.deadlines import MAX_LIMIT, MAX_OFFSET
from cadastre.api.openapi_schemas import BEARER, READ_ERRORS, json_body, param, problem
from cadastre.queries.deadlines import DAYS_DEFAULT, DAYS_MAX, KINDS, PAGE

DEADLINE: dict = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": list(KINDS)},
        "kind_label": {"type": "string", "example": "Payment due"},
        "date": {"type": "string", "format": "date"},
        "days_left": {"type": "integer", "description": "negative: overdue by that many days"},
        "overdue": {"type": "boolean"},
        "licence_id": {"type": "integer"},
        "licence_code": {"type": "string"},
        "licence_type": {"type": "string"},
        "district": {"type": "string", "nullable": True},
        "holder": {"type": "string", "description": "the holder's name"},
        "ref_id": {
            "type": "integer",
            "nullable": True,
            "description": "the obligation, order to pay or notice (null for the licence's "
            "own dates)",
        },
        "what": {"type": "string", "description": "the deadline in words"},
        "link": {"type": "string", "description": "the officer page dealing with it"},
    },
}
DEADLINES: dict = {
    "type": "object",
    "properties": {
        "today": {"type": "string", "format": "date"},
        "until": {"type": "string", "format": "date", "description": "today + days"},
        "days": {"type": "integer"},
        "kinds": {
            "type": "array",
            "items": {"type": "string", "enum": list(KINDS)},
            "description": "the kinds listed (the caller's role's, narrowed by kind)",
        },
        "total": {"type": "integer"},
        "overdue": {"type": "integer", "description": "how many of the total are overdue"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "offset": {"type": "integer"},
        "limit": {"type": "integer"},
        "items": {"type": "array", "items": DEADLINE},
    },
}


def deadline_paths() -> dict[str, Any]:
    """What falls due in the next N days (viewer and above)."""
    return {
        "/api/deadlines": {
            "get": {
                "tags": ["deadlines"],
                "security": BEARER,
                "summary": "What falls due in the next N days, and what is overdue (viewer)",
                "description": "Decisions due (waiting applications), renewal windows opening "
                "and closing (the licence type's window, while renewals remain), expiries of "
                "licences in force, open obligations, open orders to pay, and notices' remedy "
                "periods ending; from today to today + days, plus everything already overdue "
                "(flagged, days_left negative). Ordered by date. Finance sees the payments "
                "only; every other role every kind. district narrows to one district (the "
                "office, until offices exist); kind (repeatable) or kinds (comma-separated) "
                "to some kinds.",
                "parameters": [
                    param(
                        "days",
                        "query",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": DAYS_MAX,
                            "default": DAYS_DEFAULT,
                        },
                    ),  # fmt: skip
                    param("district", "query", {"type": "string", "maxLength": 60}),
                    param(
                        "kind",
                        "query",
                        {"type": "array", "items": {"type": "string", "enum": list(KINDS)}},
                    ),
                    param("kinds", "query", {"type": "string"}, "comma-separated kinds"),
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
                ],
                "responses": {
                    "200": json_body(DEADLINES),
                    "401": problem("No valid bearer token (or web session)"),
                    "403": problem("The caller's role may not read the register"),
                    **READ_ERRORS,
                },
            },
        },
    }
