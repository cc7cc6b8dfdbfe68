"""OpenAPI 3 path items for ``/api``: merged by the OGC document, served at ``/api/openapi.json``.

Schemas are inline so the paths can be merged into another document without components.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from cadastre.api.blueprint import bp
from cadastre.api.notices import notice_openapi_paths
from cadastre.api.validation import (
    ACTION,
    APPLICATION,
    AVAILABILITY,
    HOLDER_CHANGE,
    NEW_HOLDER,
    Body,
)
from cadastre.domain.lifecycle import TRANSITIONS

BEARER = [{"bearerAuth": []}]
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem; 'errors' lists the fields at fault.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
CONFLICTS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "status": {"type": "string"},
            "licence_type": {"type": "string"},
            "overlap_ha": {"type": "number"},
        },
    },
}
#: The area as the register answers it (a MultiPolygon in lon/lat WGS 84).
GEOJSON_AREA = {
    "type": "object",
    "description": "GeoJSON Polygon or MultiPolygon, lon/lat WGS 84.",
    "properties": {
        "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
        "coordinates": {"type": "array"},
    },
}
HOLDER = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        **NEW_HOLDER.schema()["properties"],
        "licence_count": {"type": "integer", "readOnly": True},
    },
}
LICENCE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "example": "EL/2026/0042"},
        "application_number": {"type": "integer"},
        "licence_type": {"type": "string"},
        "status": {"type": "string"},
        "holder_id": {"type": "integer"},
        "holder": {"type": "object"},
        "commodities": {"type": "array", "items": {"type": "string"}},
        "area_ha": {"type": "number"},
        "received_at": {"type": "string", "format": "date-time"},
        "granted_at": {"type": "string", "format": "date", "nullable": True},
        "expires_at": {"type": "string", "format": "date", "nullable": True},
        "renewals": {"type": "integer"},
        "notes": {"type": "array", "items": {"type": "string"}},
        "conditions": {
            "type": "object",
            "description": "working conditions recorded at grant from the profile",
            "properties": {
                "max_depth_m": {"type": "number", "nullable": True},
                "mechanised": {
                    "type": "boolean",
                    "nullable": True,
                    "description": "whether mechanised earth-moving is allowed",
                },
            },
        },
        "version": {"type": "integer"},
        "allowed_actions": {"type": "array", "items": {"type": "string"}},
        "border": {
            "type": "object",
            "properties": {
                "distance_km": {"type": "number", "nullable": True},
                "tier": {"type": "string", "nullable": True},
                "nearest_border": {"type": "string", "nullable": True},
                "boundary_source": {"type": "string", "nullable": True},
                "uncertainty_km": {"type": "number", "nullable": True},
            },
        },
        "risk": {
            "type": "object",
            "properties": {
                "level": {"type": "string", "nullable": True},
                "reasons": {"type": "array", "items": {"type": "string"}},
            },
        },
        "geometry": GEOJSON_AREA,
    },
}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problem(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


def _page(key: str, item: dict) -> dict:
    return {
        "type": "object",
        "properties": {
            key: {"type": "array", "items": item},
            "numberMatched": {"type": "integer"},
            "numberReturned": {"type": "integer"},
            "links": {"type": "array", "items": {"type": "object"}},
        },
    }


def _param(name: str, where: str, schema: dict, description: str = "", required=False) -> dict:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


def _body(spec: Body, required: bool = True) -> dict:
    """The request body the validation module enforces for ``spec``."""
    return {"required": required, "content": {"application/json": {"schema": spec.schema()}}}


#: Every operation reads the register, so any may find its database away.
UNAVAILABLE = {"503": _problem("The database cannot be reached; Retry-After says when to retry")}
BODY_ERRORS = {
    "400": _problem("The body is not JSON"),
    "413": _problem("The body is larger than this endpoint accepts"),
    "415": _problem("The body is not declared as application/json"),
    "422": _problem("Invalid input, each field at fault named; nothing was stored"),
}
WRITE_ERRORS = {
    "401": _problem("No valid bearer token"),
    "403": _problem("The caller's role may not do this"),
    **BODY_ERRORS,
    **UNAVAILABLE,
}
READ_ERRORS = {"422": _problem("A query parameter is not valid"), **UNAVAILABLE}
PAGING = [
    _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}),
    _param("offset", "query", {"type": "integer", "minimum": 0, "default": 0}),
]
LICENCE_ID = _param("licence_id", "path", {"type": "integer"})
HOLDER_ID = _param("holder_id", "path", {"type": "integer"})


#: Any request may carry a value the register cannot read at all (cadastre.input_guard).
UNREADABLE = _problem("A value the register cannot read (a NUL character, a malformed query)")


def api_openapi_paths() -> dict[str, Any]:
    """OpenAPI 3 path items for every ``/api`` endpoint; each may answer 400 for unreadable
    input, whatever else it documents."""
    paths = _api_paths()
    for item in paths.values():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                operation["responses"].setdefault("400", UNREADABLE)
    return paths


def _api_paths() -> dict[str, Any]:
    roles = {a: t.role for a, t in TRANSITIONS.items() if t.role != "system"}
    actions = list(roles)
    return {
        "/api/holders": {
            "get": {
                "summary": "List holders (personal and contact fields: officers and above)",
                "tags": ["registry"],
                "parameters": [
                    _param(
                        "q",
                        "query",
                        {"type": "string"},
                        "search name, or a registration number the caller may read",
                    ),
                    _param("kind", "query", {"type": "string"}),
                    *PAGING,
                ],
                "responses": {"200": _json(_page("holders", HOLDER)), **READ_ERRORS},
            },
            "post": {
                "summary": "Register a holder (officer)",
                "tags": ["registry"],
                "security": BEARER,
                "requestBody": _body(NEW_HOLDER),
                "responses": {
                    "201": _json(HOLDER, "Created"),
                    "409": _problem("Clashes with a holder registered at the same moment"),
                    **WRITE_ERRORS,
                },
            },
        },
        "/api/holders/{holder_id}": {
            "parameters": [HOLDER_ID],
            "get": {
                "summary": "One holder",
                "tags": ["registry"],
                "responses": {
                    "200": _json(HOLDER),
                    "404": _problem("No such holder"),
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
                "requestBody": _body(HOLDER_CHANGE),
                "responses": {
                    "200": _json(HOLDER),
                    "404": _problem("No such holder"),
                    "409": _problem("Clashes with a holder changed at the same moment"),
                    "412": _problem("If-Match names another version"),
                    **WRITE_ERRORS,
                },
            },
        },
        "/api/holders/{holder_id}/history": {
            "parameters": [HOLDER_ID],
            "get": {
                "summary": "Every change of a holder: actor, time, reason, before and after",
                "tags": ["registry"],
                "responses": {"200": _json({"type": "object"}), "404": _problem("No such holder")},
            },
        },
        "/api/history/head": {
            "get": {
                "summary": "The head of the tamper-evident history chain (public; keep a copy)",
                "description": "seq = events in the chain, hash = SHA-256 of the last link. "
                "A copy kept today lets anyone check later, with `cadastre history verify "
                "--against SEQ:HASH`, that the history up to it was not rewritten.",
                "tags": ["registry"],
                "responses": {
                    "200": _json(
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
        "/api/licences": {
            "get": {
                "summary": "List licences and applications (public)",
                "tags": ["registry"],
                "parameters": [
                    _param("licence_type", "query", {"type": "string"}, "alias: type"),
                    _param("status", "query", {"type": "string"}),
                    _param("holder", "query", {"type": "integer"}, "holder id"),
                    _param("commodity", "query", {"type": "string"}),
                    _param("geometry", "query", {"type": "boolean"}, "include geometries"),
                    *PAGING,
                ],
                "responses": {"200": _json(_page("licences", LICENCE)), **READ_ERRORS},
            },
            "post": {
                "summary": "Apply for a licence (officer); first come, first served",
                "description": "Exclusive types may not overlap an exclusive right in force or "
                "an earlier pending application (409 lists them with the overlap in ha). "
                "Touching along a side is not an overlap.",
                "tags": ["registry"],
                "security": BEARER,
                "requestBody": _body(APPLICATION),
                "responses": {
                    "201": _json(LICENCE, "Application registered (status 'application')"),
                    "409": {
                        "description": "Overlaps exclusive licences or earlier applications",
                        "content": {
                            "application/problem+json": {
                                "schema": {
                                    "allOf": [PROBLEM],
                                    "properties": {"conflicts": CONFLICTS},
                                }
                            }
                        },
                    },
                    **WRITE_ERRORS,
                },
            },
        },
        "/api/licences/{licence_id}": {
            "parameters": [LICENCE_ID],
            "get": {
                "summary": "One licence with its geometry; ETag is its version",
                "tags": ["registry"],
                "responses": {
                    "200": _json(LICENCE),
                    "304": {"description": "Not modified (If-None-Match)"},
                    "404": _problem("No such licence"),
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
                    "200": _json({"type": "object"}),
                    "404": _problem("No such licence"),
                    **UNAVAILABLE,
                },
            },
        },
        "/api/licences/{licence_id}/{action}": {
            "parameters": [
                LICENCE_ID,
                _param("action", "path", {"type": "string", "enum": actions}),
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
                "remedy period has run out unremedied (409 with possible_from when one runs).",
                "tags": ["registry"],
                "security": BEARER,
                "parameters": [_param("If-Match", "header", {"type": "string"})],
                "requestBody": _body(ACTION, required=False),
                "responses": {
                    "200": _json(LICENCE),
                    "404": _problem("No such licence or action"),
                    "409": _problem("Not allowed from the current status (allowed_actions)"),
                    "412": _problem("If-Match names a stale version"),
                    **WRITE_ERRORS,
                },
            },
        },
        **notice_openapi_paths(LICENCE_ID, _json, _problem, _body, BEARER, WRITE_ERRORS),
        **_border_risk_paths(),
        "/api/availability": {
            "post": {
                "summary": "Conflicts of a proposed area and the part of it still free",
                "tags": ["registry"],
                "requestBody": _body(AVAILABILITY),
                "responses": {
                    "200": _json(
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


def _border_risk_paths() -> dict[str, Any]:
    """The border-risk report (``cadastre.border``): viewers and above."""
    filters = [
        _param("tier", "query", {"type": "string"}, "comma-separated tiers"),
        _param("border", "query", {"type": "string"}, "a neighbour's name or ISO code"),
        _param("commodity", "query", {"type": "string"}),
        _param("licence_type", "query", {"type": "string"}),
        _param("status", "query", {"type": "string"}),
    ]
    errors = {
        "401": _problem("No valid bearer token"),
        "403": _problem("The caller's role may not read the report"),
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
            _json(_page("items", {"type": "object"})),
        ),
        "/api/border-risk/summary": read(
            "Counts by tier, by border and tier, and by risk level (viewer)",
            filters,
            _json({"type": "object"}),
        ),
        "/api/border-risk.csv": read(
            "The report as CSV (viewer)",
            filters,
            {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}},
        ),
    }


def api_openapi_components() -> dict[str, Any]:
    """Components the ``/api`` paths need in a merged document (the bearer scheme)."""
    return {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}}


def api_openapi_document() -> dict[str, Any]:
    """A complete OpenAPI 3 document for the ``/api`` part alone."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Mining cadastre registry API",
            "version": "1",
            "description": "Holders, licence applications, lifecycle actions and history.",
        },
        "paths": api_openapi_paths(),
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi_view():
    """The ``/api`` OpenAPI document."""
    response = jsonify(api_openapi_document())
    response.mimetype = "application/vnd.oai.openapi+json"
    return response
