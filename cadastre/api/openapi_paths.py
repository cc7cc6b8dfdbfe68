"""The ``/api`` OpenAPI path items, one function per area of the API.

Written from the parts in :mod:`cadastre.api.openapi_schemas`; put together (in this order)
by :func:`cadastre.api.openapi.api_openapi_paths`. tests/test_openapi_routes.py holds them
against the URL map.
"""

from __future__ import annotations

from typing import Any

from cadastre.api.bodies import (
    ACTION,
    APPLICATION,
    AVAILABILITY,
    HOLDER_CHANGE,
    NEW_HOLDER,
    NOTICE,
    NOTICE_REMEDY,
)
from cadastre.api.openapi_schemas import (
    BEARER,
    BODY_ERRORS,
    CONFLICTS,
    DUPLICATE,
    GEOJSON_AREA,
    HOLDER,
    HOLDER_ID,
    LICENCE,
    LICENCE_ID,
    NOTICE_SCHEMA,
    PAGING,
    PROBLEM,
    READ_ERRORS,
    UNAVAILABLE,
    WRITE_ERRORS,
    json_body,
    page_of,
    param,
    problem,
    problem_with,
    request_body,
)
from cadastre.api.validation import Body
from cadastre.domain.lifecycle import TRANSITIONS

OPENAPI = "application/vnd.oai.openapi+json"


def holders_paths() -> dict[str, Any]:
    """Holders: list them, register one."""
    return {
        "/api/holders": {
            "get": {
                "summary": "List holders (personal and contact fields: officers and above)",
                "tags": ["registry"],
                "parameters": [
                    param(
                        "q",
                        "query",
                        {"type": "string"},
                        "search name, or a registration number the caller may read",
                    ),
                    param("kind", "query", {"type": "string"}),
                    *PAGING,
                ],
                "responses": {"200": json_body(page_of("holders", HOLDER)), **READ_ERRORS},
            },
            "post": {
                "summary": "Register a holder (officer)",
                "tags": ["registry"],
                "security": BEARER,
                "requestBody": request_body(NEW_HOLDER),
                "responses": {
                    "201": json_body(HOLDER, "Created"),
                    "409": problem_with(
                        "Likely a holder already registered (same name or registration "
                        "number, ignoring case and spaces): 'duplicates' lists them, each "
                        "with its 'reasons'; send confirm_duplicate: true to register anyway. "
                        "Or clashes with a holder registered at the same moment",
                        {"duplicates": {"type": "array", "items": DUPLICATE}},
                    ),
                    **WRITE_ERRORS,
                },
            },
        },
    }


def holder_paths() -> dict[str, Any]:
    """One holder: read it, change it, its history."""
    return {
        "/api/holders/{holder_id}": {
            "parameters": [HOLDER_ID],
            "get": {
                "summary": "One holder",
                "tags": ["registry"],
                "responses": {
                    "200": json_body(HOLDER),
                    "404": problem("No such holder"),
                    **UNAVAILABLE,
                },
            },
            "patch": {
                "summary": "Change a holder's details (officer); recorded in its history",
                "description": "A new name or registration number of a holder of licences "
                "granted, suspended or applied for needs a supervisor (403 otherwise) and a "
                "reason (422 naming 'reason'). If-Match is optional; when sent it must carry "
                "the current ETag (else 412).",
                "tags": ["registry"],
                "security": BEARER,
                "requestBody": request_body(HOLDER_CHANGE),
                "responses": {
                    "200": json_body(HOLDER),
                    "404": problem("No such holder"),
                    "409": problem("Clashes with a holder changed at the same moment"),
                    "412": problem("If-Match names another version"),
                    **WRITE_ERRORS,
                },
            },
        },
        "/api/holders/{holder_id}/history": {
            "parameters": [HOLDER_ID],
            "get": {
                "summary": "Every change of a holder: actor, time, reason, before and after",
                "tags": ["registry"],
                "responses": {
                    "200": json_body({"type": "object"}),
                    "404": problem("No such holder"),
                },
            },
        },
    }


def history_paths() -> dict[str, Any]:
    """The head of the tamper-evident history chain."""
    return {
        "/api/history/head": {
            "get": {
                "summary": "The head of the tamper-evident history chain (public; keep a copy)",
                "description": "seq = events in the chain, hash = SHA-256 of the last link. "
                "A copy kept today lets anyone check later, with `cadastre history verify "
                "--against SEQ:HASH`, that the history up to it was not rewritten.",
                "tags": ["registry"],
                "responses": {
                    "200": json_body(
                        {
                            "type": "object",
                            "properties": {
                                "seq": {"type": "integer"},
                                "hash": {"type": "string"},
                                "at": {"type": "string", "format": "date-time"},
                            },
                        }
                    )
                },
            },
        },
    }


def licences_paths() -> dict[str, Any]:
    """Licences: list them, apply for one."""
    return {
        "/api/licences": {
            "get": {
                "summary": "List licences and applications (public)",
                "tags": ["registry"],
                "parameters": [
                    param("licence_type", "query", {"type": "string"}, "alias: type"),
                    param("status", "query", {"type": "string"}),
                    param("holder", "query", {"type": "integer"}, "holder id"),
                    param("commodity", "query", {"type": "string"}),
                    param("geometry", "query", {"type": "boolean"}, "include geometries"),
                    *PAGING,
                ],
                "responses": {"200": json_body(page_of("licences", LICENCE)), **READ_ERRORS},
            },
            "post": {
                "summary": "Apply for a licence (officer); first come, first served",
                "description": "Exclusive types may not overlap an exclusive right in force or "
                "an earlier pending application (409 lists them with the overlap in ha). "
                "Touching along a side is not an overlap. Every well-formed application is "
                "numbered and kept: one refused for its ground (an overlap: 409; outside the "
                "country: 422) is on record as a refused application, named in the answer's "
                "refused_application with its refusal_reason.",
                "tags": ["registry"],
                "security": BEARER,
                "requestBody": request_body(APPLICATION),
                "responses": {
                    "201": json_body(LICENCE, "Application registered (status 'application')"),
                    "409": {
                        "description": "Overlaps exclusive licences or earlier applications",
                        "content": {
                            "application/problem+json": {
                                "schema": {
                                    "allOf": [PROBLEM],
                                    "properties": {
                                        "conflicts": CONFLICTS,
                                        "refusal_reason": {"type": "string"},
                                        "refused_application": {
                                            "type": "object",
                                            "description": "the refused application on record",
                                        },
                                    },
                                }
                            }
                        },
                    },
                    **WRITE_ERRORS,
                },
            },
        },
    }


def licence_paths() -> dict[str, Any]:
    """One licence: read it, its history."""
    return {
        "/api/licences/{licence_id}": {
            "parameters": [LICENCE_ID],
            "get": {
                "summary": "One licence with its geometry; ETag is its version",
                "tags": ["registry"],
                "responses": {
                    "200": json_body(LICENCE),
                    "304": {"description": "Not modified (If-None-Match)"},
                    "404": problem("No such licence"),
                    **UNAVAILABLE,
                },
            },
        },
        "/api/licences/{licence_id}/history": {
            "parameters": [LICENCE_ID],
            "get": {
                "summary": "Every change: actor, time, action, reason, state before and after",
                "tags": ["registry"],
                "responses": {
                    "200": json_body({"type": "object"}),
                    "404": problem("No such licence"),
                    **UNAVAILABLE,
                },
            },
        },
    }


def action_paths() -> dict[str, Any]:
    """The lifecycle actions on a licence, with the role each needs."""
    roles = {a: t.role for a, t in TRANSITIONS.items() if t.role != "system"}
    actions = list(roles)
    return {
        "/api/licences/{licence_id}/{action}": {
            "parameters": [
                LICENCE_ID,
                param("action", "path", {"type": "string", "enum": actions}),
            ],
            "post": {
                "summary": "A lifecycle action",
                "description": "Roles: "
                + ", ".join(f"{a}: {r}" for a, r in roles.items())
                + ". If-Match is optional; when sent it must carry the current ETag (else 412). "
                "transfer takes holder_id; renew takes an optional reduced geometry inside the "
                "current area; relinquish with a geometry keeps that part (partial), without "
                "one gives up the whole. A transition the rules forbid gives 409 with "
                "allowed_actions. renew only inside the type's renewal window (409 with "
                "renewal_window opens/closes); suspend and revoke only on a notice whose "
                "remedy period has run out unremedied (409 with possible_from when one runs). "
                "refuse needs a reason (422 without one): it is kept as refusal_reason.",
                "tags": ["registry"],
                "security": BEARER,
                "parameters": [param("If-Match", "header", {"type": "string"})],
                "requestBody": request_body(ACTION, required=False),
                "responses": {
                    "200": json_body(LICENCE),
                    "404": problem("No such licence or action"),
                    "409": problem("Not allowed from the current status (allowed_actions)"),
                    "412": problem("If-Match names a stale version"),
                    **WRITE_ERRORS,
                },
            },
        },
    }


def border_risk_paths() -> dict[str, Any]:
    """The border-risk report (``cadastre.border``): viewers and above."""
    filters = [
        param("tier", "query", {"type": "string"}, "comma-separated tiers"),
        param("border", "query", {"type": "string"}, "a neighbour's name or ISO code"),
        param("commodity", "query", {"type": "string"}),
        param("licence_type", "query", {"type": "string"}),
        param("status", "query", {"type": "string"}),
    ]
    errors = {
        "401": problem("No valid bearer token"),
        "403": problem("The caller's role may not read the report"),
        **READ_ERRORS,
    }

    def read(summary: str, parameters: list, ok: dict) -> dict:
        return {
            "get": {
                "summary": summary,
                "tags": ["border risk"],
                "security": BEARER,
                "parameters": parameters,
                "responses": {"200": ok, **errors},
            }
        }

    return {
        "/api/border-risk": read(
            "Licences by border risk, nearest first (viewer)",
            [*filters, *PAGING],
            json_body(page_of("items", {"type": "object"})),
        ),
        "/api/border-risk/summary": read(
            "Counts by tier, by border and tier, and by risk level (viewer)",
            filters,
            json_body({"type": "object"}),
        ),
        "/api/border-risk.csv": read(
            "The report as CSV (viewer)",
            filters,
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
        ),
    }


def availability_paths() -> dict[str, Any]:
    """The conflicts of a proposed area and the part of it still free."""
    return {
        "/api/availability": {
            "post": {
                "summary": "Conflicts of a proposed area and the part of it still free",
                "tags": ["registry"],
                "requestBody": request_body(AVAILABILITY),
                "responses": {
                    "200": json_body(
                        {
                            "type": "object",
                            "properties": {
                                "available": {"type": "boolean"},
                                "area_ha": {"type": "number"},
                                "conflicts": CONFLICTS,
                                "free": {
                                    "type": "object",
                                    "properties": {
                                        "geometry": GEOJSON_AREA,
                                        "area_ha": {"type": "number"},
                                    },
                                },
                            },
                        }
                    ),
                    **BODY_ERRORS,
                    **UNAVAILABLE,
                },
            },
        },
    }


def document_paths() -> dict[str, Any]:
    """This document itself."""
    return {
        "/api/openapi.json": {
            "get": {
                "summary": "This OpenAPI 3 document of the /api paths (public)",
                "tags": ["registry"],
                "responses": {
                    "200": {
                        "description": "OpenAPI 3.0",
                        "content": {OPENAPI: {"schema": {"type": "object"}}},
                    }
                },
            }
        },
    }


def notice_paths() -> dict[str, Any]:
    """Notices before suspension or revocation: list, issue, read, mark remedied."""
    notice_id = {"name": "notice_id", "in": "path", "required": True,
                 "schema": {"type": "integer", "minimum": 1}}  # fmt: skip
    if_match = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"}}

    def write(summary: str, description: str, spec: Body, required: bool, ok: str) -> dict:
        return {
            "summary": summary,
            "description": description,
            "tags": ["registry"],
            "security": BEARER,
            "parameters": [if_match],
            "requestBody": request_body(spec, required=required),
            "responses": {
                ok: json_body(NOTICE_SCHEMA),
                "404": problem("No such licence or notice"),
                "409": problem("The licence is not in force, or the notice is already remedied"),
                "412": problem("If-Match names a stale version"),
                **WRITE_ERRORS,
            },
        }

    reading = {
        "tags": ["registry"],
        "security": BEARER,
        "responses": {"404": problem("No such licence or notice"), **WRITE_ERRORS},
    }
    return {
        "/api/licences/{licence_id}/notices": {
            "parameters": [LICENCE_ID],
            "get": {
                **reading,
                "summary": "The notices of a licence, oldest first (viewer and above)",
                "responses": {
                    "200": json_body(
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
            "parameters": [LICENCE_ID, notice_id],
            "get": {
                **reading,
                "summary": "One notice (viewer and above)",
                "responses": {"200": json_body(NOTICE_SCHEMA), **reading["responses"]},
            },
        },
        "/api/licences/{licence_id}/notices/{notice_id}/remedied": {
            "parameters": [LICENCE_ID, notice_id],
            "post": write(
                "Mark a notice remedied (supervisor): no suspension or revocation rests on it",
                "An optional note says how the breach was remedied. Recorded in the history.",
                NOTICE_REMEDY,
                False,
                "200",
            ),
        },
    }
