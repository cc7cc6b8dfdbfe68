"""Map domain errors to HTTP in one place: problem+json for API callers."""

from __future__ import annotations

import logging
from html import escape

import psycopg
from flask import Flask, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from cadastre.errors import CadastreError, ServiceUnavailable

PROBLEM = "application/problem+json"
#: Seconds a client is asked to wait before trying again when the database is away.
RETRY_AFTER_SECONDS = 30
#: A JSON body is small (a polygon of at most a few thousand corners); uploads are not JSON.
MAX_JSON_BODY = 2 * 1024 * 1024
#: A page's form without a file (sign-in, holder, answers): text, as small as a JSON body.
MAX_FORM_BODY = 2 * 1024 * 1024
#: The pages that take a file (a licence's area, a register to import).
MAX_UPLOAD_BODY = 64 * 1024 * 1024
log = logging.getLogger(__name__)


def problem_response(error: CadastreError):
    """A problem+json response for a domain error."""
    response = jsonify(error.problem())
    response.status_code = error.status
    response.mimetype = PROBLEM
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def max_body(limit):
    """Mark a view as taking bodies of at most ``limit`` bytes (413 beyond, read or not);
    ``limit`` may be a function of no arguments, asked at each request."""

    def mark(view):
        view.max_body = limit
        return view

    return mark


def _wants_html() -> bool:
    """A page request (not the API, and a browser's Accept or ``f=html``)."""
    if request.path.startswith("/api") or request.blueprint == "api":
        return False
    if request.args.get("f") == "html":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > 0


#: Standalone on purpose: the site's layout asks who is signed in, and the database is away.
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><p>Error {status}</p><h1>{title}</h1><p>{detail}</p></main></body></html>
"""


def database_unavailable(error: Exception):
    """503 with Retry-After when the database cannot be reached; never the driver's text."""
    log.warning("database unavailable: %s", str(error).splitlines()[0] if str(error) else error)
    unavailable = ServiceUnavailable(
        "The register's database cannot be reached just now; nothing was changed. "
        f"Try again in {RETRY_AFTER_SECONDS} seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
    if _wants_html():
        body = _PAGE.format(
            status=503, title=escape(unavailable.title), detail=escape(unavailable.detail)
        )
        return body, 503, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    response = problem_response(unavailable)
    response.headers["Cache-Control"] = "no-store"
    return response


def value_out_of_range(error: Exception):
    """400 for a request value the database cannot hold (a number past its range): the
    safety net behind each parameter's own check, without the driver's words."""
    log.info("value out of range for the database: %s", str(error).splitlines()[0])
    return problem_response(
        CadastreError(
            "A value in the request is out of range for the register (a number too large, "
            "for instance); nothing was changed.",
            errors=[{"field": "", "message": "a value is out of range"}],
        )
    )


def _is_connection_failure(error: Exception) -> bool:
    """The driver lost (or never had) its connection: the database is away, not the input."""
    if isinstance(error, OperationalError | PoolTimeout):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated) or isinstance(
            error.orig, psycopg.OperationalError | psycopg.InterfaceError
        )
    return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)


def init_app(app: Flask) -> None:
    """Register the error handlers and the per-view body limits."""

    @app.before_request
    def _body_limit():
        # Before anything reads the body: werkzeug refuses a larger Content-Length unread
        # and stops a chunked body at the limit (413 either way).
        view = app.view_functions.get(request.endpoint or "")
        limit = getattr(view, "max_body", None)
        if callable(limit):  # a limit from the settings (documents on file)
            limit = limit()
        if limit is None:
            # anyone may POST to /login: no page reads an upload-sized body unless marked
            limit = MAX_JSON_BODY if request.blueprint == "api" else MAX_FORM_BODY
        request.max_content_length = limit

    @app.errorhandler(CadastreError)
    def _domain(error: CadastreError):
        return problem_response(error)

    @app.errorhandler(DBAPIError)
    def _dbapi(error: DBAPIError):
        if _is_connection_failure(error):
            return database_unavailable(error)
        if isinstance(error.orig, psycopg.DataError):
            return value_out_of_range(error)
        raise error

    @app.errorhandler(PoolTimeout)
    def _pool_timeout(error: PoolTimeout):
        return database_unavailable(error)

    @app.errorhandler(psycopg.Error)
    def _driver(error: psycopg.Error):
        # the map layers' raw reads meet the driver's own errors, not SQLAlchemy's
        if _is_connection_failure(error):
            return database_unavailable(error)
        if isinstance(error, psycopg.DataError):
            return value_out_of_range(error)
        raise error

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        detail = error.description
        body = {
            "type": "about:blank",
            "title": error.name,
            "status": error.code,
            "detail": detail,
        }
        limit = request.max_content_length
        if error.code == 413 and limit:
            body["detail"] = f"The body is larger than the {limit:,} bytes this endpoint accepts."
            body["errors"] = [{"field": "", "message": f"at most {limit:,} bytes"}]
        response = jsonify(body)
        response.status_code = error.code or 500
        response.mimetype = PROBLEM
        return response
