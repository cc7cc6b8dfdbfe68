"""The parts the ``/api`` OpenAPI paths are written from: schemas, responses, parameters.

Schemas are inline so the paths can be merged into another document without components.
The request bodies are the validation module's own (``cadastre.api.validation``), so the
document says what the API enforces.
"""

from __future__ import annotations

from cadastre.api.bodies import HOLDER_DETAILS
from cadastre.api.validation import Body

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
        **HOLDER_DETAILS.schema()["properties"],
        "licence_count": {"type": "integer", "readOnly": True},
    },
}
#: A registered holder a new one likely duplicates, as the caller may see it, and why.
DUPLICATE = {
    "type": "object",
    "properties": {
        **HOLDER["properties"],
        "reasons": {
            "type": "array",
            "items": {"type": "string", "enum": ["same name", "same registration number"]},
        },
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
        "notes": {"type": "array", "items": {"type": "string"}},
        "refusal_reason": {
            "type": "string",
            "nullable": True,
            "description": "why the application was refused (on arrival, or by a decision)",
        },
        "version": {"type": "integer"},
        "allowed_actions": {"type": "array", "items": {"type": "string"}},
        "stage": {
            "type": "string",
            "nullable": True,
            "description": "the stage of its type's procedure the application waits at "
            "(null when in none); GET /api/licences/{id}/procedure lists every stage",
        },
        "decision_due": {
            "type": "string",
            "format": "date",
            "nullable": True,
            "description": "the last day for the decision by the procedure's clock",
        },
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


def json_body(schema: dict, description: str = "OK") -> dict:
    """A response carrying JSON of ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def problem(description: str) -> dict:
    """A problem+json response."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM}},
    }


def problem_with(description: str, properties: dict) -> dict:
    """A problem whose body carries ``properties`` besides the usual members."""
    schema = {**PROBLEM, "properties": {**PROBLEM["properties"], **properties}}
    return {"description": description, "content": {"application/problem+json": {"schema": schema}}}


def page_of(key: str, item: dict) -> dict:
    """A page of ``item`` under ``key``, with counts and links."""
    return {
        "type": "object",
        "properties": {
            key: {"type": "array", "items": item},
            "numberMatched": {"type": "integer"},
            "numberReturned": {"type": "integer"},
            "links": {"type": "array", "items": {"type": "object"}},
        },
    }


def param(name: str, where: str, schema: dict, description: str = "", required=False) -> dict:
    """A parameter (a path parameter is always required)."""
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }


def request_body(spec: Body, required: bool = True) -> dict:
    """The request body the validation module enforces for ``spec``."""
    return {"required": required, "content": {"application/json": {"schema": spec.schema()}}}


#: Every operation reads the register, so any may find its database away.
UNAVAILABLE = {"503": problem("The database cannot be reached; Retry-After says when to retry")}
BODY_ERRORS = {
    "400": problem("The body is not JSON"),
    "413": problem("The body is larger than this endpoint accepts"),
    "415": problem("The body is not declared as application/json"),
    "422": problem("Invalid input, each field at fault named; nothing was stored"),
}
WRITE_ERRORS = {
    "401": problem("No valid bearer token"),
    "403": problem("The caller's role may not do this"),
    **BODY_ERRORS,
    **UNAVAILABLE,
}
READ_ERRORS = {"422": problem("A query parameter is not valid"), **UNAVAILABLE}
PAGING = [
    param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}),
    param("offset", "query", {"type": "integer", "minimum": 0, "default": 0}),
]
LICENCE_ID = param("licence_id", "path", {"type": "integer"})
HOLDER_ID = param("holder_id", "path", {"type": "integer"})


#: Any request may carry a value the register cannot read at all (cadastre.input_guard).
UNREADABLE = problem("A value the register cannot read (a NUL character, a malformed query)")

#: A notice before suspension or revocation, as the API answers it.
NOTICE_SCHEMA: dict = {
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
