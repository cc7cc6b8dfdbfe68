"""One hierarchy of domain errors; the web layer maps them to HTTP in one place.

Domain modules raise these and know nothing of HTTP. Each error carries a
plain-language ``detail`` and, where fields are at fault, ``errors``: a list of
``{"field": ..., "message": ...}`` that forms and problem+json bodies both use.
"""

from __future__ import annotations

from typing import Any


class CadastreError(Exception):
    """Base of every error the registry raises on purpose."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra or {}
        #: HTTP headers the answer carries (Retry-After for a 503).
        self.headers = headers or {}

    def problem(self) -> dict[str, Any]:
        """RFC 9457 problem body."""
        body: dict[str, Any] = {
            "type": f"https://cadastre.example/problems/{self.type_slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


class ValidationError(CadastreError):
    """Input that breaks a rule: wrong shape, out of range, unlawful request."""

    status = 422
    title = "Invalid input"
    type_slug = "invalid-input"


def field_error(field: str, message: str, *, detail: str | None = None) -> ValidationError:
    """A ValidationError about one field: ``message`` names the fault (and is the detail,
    unless ``detail`` says more, e.g. the file it is about)."""
    return ValidationError(detail or message, errors=[{"field": field, "message": message}])


class ConfigurationError(CadastreError):
    """Bad configuration: a profile, a database URL, a boundary file."""

    status = 500
    title = "Configuration error"
    type_slug = "configuration"


class NotFound(CadastreError):
    """The thing asked for does not exist."""

    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(CadastreError):
    """The request clashes with the register (overlap, forbidden transition)."""

    status = 409
    title = "Conflict"
    type_slug = "conflict"


class PreconditionFailed(CadastreError):
    """An If-Match that no longer matches the licence's version."""

    status = 412
    title = "Precondition failed"
    type_slug = "precondition-failed"


class Unauthorized(CadastreError):
    """No valid credentials."""

    status = 401
    title = "Unauthorized"
    type_slug = "unauthorized"


class Forbidden(CadastreError):
    """Credentials valid, but the role may not act."""

    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class ServiceUnavailable(CadastreError):
    """The register cannot answer just now (its database is away); try again later."""

    status = 503
    title = "Service unavailable"
    type_slug = "unavailable"
