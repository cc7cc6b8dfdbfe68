"""Map domain errors to HTTP in one place: problem+json for API callers."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from cadastre.errors import CadastreError

PROBLEM = "application/problem+json"


def problem_response(error: CadastreError):
    """A problem+json response for a domain error."""
    response = jsonify(error.problem())
    response.status_code = error.status
    response.mimetype = PROBLEM
    return response


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(CadastreError)
    def _domain(error: CadastreError):
        return problem_response(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        body = {
            "type": "about:blank",
            "title": error.name,
            "status": error.code,
            "detail": error.description,
        }
        response = jsonify(body)
        response.status_code = error.code or 500
        response.mimetype = PROBLEM
        return response
