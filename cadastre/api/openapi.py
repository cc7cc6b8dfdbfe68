"""The OpenAPI 3 document of ``/api``, served at ``/api/openapi.json``.

Its parts: schemas, responses and parameters in :mod:`cadastre.api.openapi_schemas`, the
path items per area in :mod:`cadastre.api.openapi_paths`.
"""

from __future__ import annotations

from typing import Any

from flask import has_app_context, jsonify

from cadastre.api import (
    openapi_deadlines,
    openapi_documents,
    openapi_money,
    openapi_obligations,
    openapi_paths,
    openapi_procedure,
    openapi_reports,
)
from cadastre.api.blueprint import bp
from cadastre.api.openapi_schemas import UNREADABLE
from cadastre.state import registry

#: The areas of the API, in the document's order.
AREAS = (
    openapi_paths.holders_paths,
    openapi_paths.holder_paths,
    openapi_paths.history_paths,
    openapi_paths.licences_paths,
    openapi_paths.licence_paths,
    openapi_paths.action_paths,
    openapi_paths.notice_paths,
    openapi_money.money_paths,
    openapi_documents.document_paths,
    openapi_procedure.procedure_paths,
    openapi_obligations.obligation_paths,
    openapi_deadlines.deadline_paths,
    openapi_paths.border_risk_paths,
    openapi_paths.availability_paths,
    openapi_paths.document_paths,
    openapi_reports.report_paths,
    openapi_reports.default_notice_paths,
)


def api_openapi_paths() -> dict[str, Any]:
    """OpenAPI 3 path items for every ``/api`` endpoint; each may answer 400 for unreadable
    input, whatever else it documents."""
    paths: dict[str, Any] = {}
    for area in AREAS:
        paths.update(area())
    types = _licence_types()
    for item in paths.values():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "put", "delete"):
                operation["responses"].setdefault("400", UNREADABLE)
                _enumerate_licence_types(operation, types)
    return paths


def _licence_types() -> list[str]:
    """The serving app's licence types; outside a request, those of the configured profile."""
    if has_app_context():
        return list(registry().profile.licence_types)
    from cadastre.config import Settings
    from cadastre.profile import load_profile

    return list(load_profile(Settings.from_env().profile).licence_types)


def _enumerate_licence_types(operation: dict, types: list[str]) -> None:
    """Give every ``licence_type`` the operation takes (query or body) the profile's types."""
    for param in operation.get("parameters", []):
        if param.get("name") == "licence_type":
            param["schema"] = {**param["schema"], "enum": types}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    props = body.get("schema", {}).get("properties", {})
    if "licence_type" in props:
        nullable = props["licence_type"].get("nullable")
        props["licence_type"] = {**props["licence_type"], "enum": types + [None] * bool(nullable)}


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
        "components": api_openapi_components(),
    }


@bp.get("/openapi.json")
def openapi_view():
    """The ``/api`` OpenAPI document."""
    response = jsonify(api_openapi_document())
    response.mimetype = openapi_paths.OPENAPI
    return response
