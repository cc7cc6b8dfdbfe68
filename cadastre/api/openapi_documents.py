"""The OpenAPI path items of documents on file: upload (multipart), list, fetch the file."""

from __future__ import annotations

from typing import Any

from cadastre.api.openapi_schemas import (
    BEARER,
    LICENCE_ID,
    READ_ERRORS,
    UNAVAILABLE,
    json_body,
    param,
    problem,
)
from cadastre.domain.documents import DOCUMENT_KINDS, MAX_TITLE

DOCUMENT: dict = {
    "type": "object",
    "description": "A document on a licence's file; its file is kept by its SHA-256.",
    "properties": {
        "id": {"type": "integer"},
        "licence_id": {"type": "integer"},
        "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
        "title": {"type": "string"},
        "filename": {"type": "string", "description": "the name it was uploaded under"},
        "media_type": {"type": "string", "enum": ["application/pdf", "image/png", "image/jpeg"]},
        "size": {"type": "integer", "description": "bytes"},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "uploaded_by": {"type": "string"},
        "uploaded_at": {"type": "string", "format": "date-time"},
        "superseded_by_id": {"type": "integer", "nullable": True},
        "current": {"type": "boolean", "description": "not superseded"},
        "file": {"type": "string", "description": "where the file is fetched"},
    },
}
UPLOAD = {
    "type": "object",
    "required": ["file", "kind", "title"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "PDF, PNG or JPEG"},
        "kind": {"type": "string", "enum": list(DOCUMENT_KINDS)},
        "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
        "supersedes": {"type": "integer", "description": "the document this one replaces"},
    },
}
DOCUMENT_ID = param("document_id", "path", {"type": "integer"})


def document_paths() -> dict[str, Any]:
    """Upload a document (officer and above), list a licence's documents, fetch a file."""
    reading = {"tags": ["documents"], "security": BEARER}
    missing = problem("No such licence or document")
    unsigned = {
        "401": problem("No valid bearer token (or web session)"),
        "403": problem("The caller's role may not do this"),
    }
    return {
        "/api/licences/{licence_id}/documents": {
            "parameters": [LICENCE_ID],
            "get": {
                **reading,
                "summary": "A licence's documents, current and superseded (viewer and above)",
                "responses": {
                    "200": json_body(
                        {
                            "type": "object",
                            "properties": {
                                "licence_id": {"type": "integer"},
                                "documents": {"type": "array", "items": DOCUMENT},
                            },
                        }
                    ),
                    "404": missing,
                    **unsigned,
                    **READ_ERRORS,
                },
            },
            "post": {
                **reading,
                "summary": "Put a document on a licence's file (officer and above)",
                "description": "Checked by content: a PDF (%PDF- header, %%EOF trailer), PNG "
                "or JPEG (magic bytes) whose name's extension says the same, not empty, at "
                "most the configured size (CADASTRE_MAX_DOCUMENT_BYTES, 20 MB by default; a "
                "larger body is refused unread, 413). A PDF with active content (/JavaScript, "
                "/JS, /OpenAction, /Launch, /EmbeddedFile, /AA, /RichMedia, /XFA, in its "
                "objects or compressed object streams) is refused. Refusals are 422 naming "
                "the field; nothing is stored. Kept by SHA-256 (the same content once); the "
                "licence's history records the upload with the checksum. 'supersedes' names "
                "the document it replaces (never deleted).",
                "requestBody": {
                    "required": True,
                    "content": {"multipart/form-data": {"schema": UPLOAD}},
                },
                "responses": {
                    "201": json_body(DOCUMENT, "Kept; Location names it"),
                    **unsigned,
                    "404": missing,
                    "413": problem("The body is larger than this endpoint accepts"),
                    "415": problem("The body is not multipart/form-data"),
                    "422": problem("Not taken, each field at fault named; nothing was stored"),
                    **UNAVAILABLE,
                },
            },
        },
        "/api/licences/{licence_id}/documents/{document_id}/file": {
            "parameters": [LICENCE_ID, DOCUMENT_ID],
            "get": {
                **reading,
                "summary": "A document's file, as an attachment (viewer and above)",
                "description": "Served with Content-Disposition: attachment, the stored media "
                "type, X-Content-Type-Options: nosniff and the SHA-256 as the ETag. A file "
                "the store has lost answers 503.",
                "responses": {
                    "200": {
                        "description": "The file",
                        "content": {
                            t: {"schema": {"type": "string", "format": "binary"}}
                            for t in ("application/pdf", "image/png", "image/jpeg")
                        },
                    },
                    "304": {"description": "Not modified (If-None-Match named the SHA-256)"},
                    "404": missing,
                    **unsigned,
                    **READ_ERRORS,
                },
            },
        },
    }
