"""OGC API exceptions: a problem+json body that also carries the OGC ``code``/``description``."""

from __future__ import annotations

from cadastre.errors import CadastreError


class OGCError(CadastreError):
    """A bad OGC API request; the body names the parameter at fault.

    It is a CadastreError, so the app's one error mapping renders it: the body has the
    RFC 9457 members and the OGC exception members (``code``, ``description``) together.
    """

    status = 400
    title = "Invalid parameter value"
    type_slug = "ogc-invalid-parameter"

    def __init__(
        self,
        description: str,
        *,
        parameter: str | None = None,
        code: str = "InvalidParameterValue",
        status: int = 400,
    ) -> None:
        errors = [{"field": parameter, "message": description}] if parameter else None
        extra = {"code": code, "description": description}
        if parameter:
            extra["parameter"] = parameter
        super().__init__(description, errors=errors, extra=extra)
        self.status = status
        if status == 404:
            self.title = "Not found"
            self.type_slug = "not-found"


def bad_parameter(parameter: str, message: str) -> OGCError:
    """A 400 that names ``parameter``."""
    return OGCError(f"Parameter '{parameter}': {message}", parameter=parameter)


def not_found(message: str) -> OGCError:
    """A 404 in the OGC shape."""
    return OGCError(message, code="NotFound", status=404)
