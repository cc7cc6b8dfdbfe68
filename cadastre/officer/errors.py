"""HTML error pages for the officer and admin pages (the API keeps its problem+json)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from cadastre.errors import CadastreError
from cadastre.officer.blueprint import bp


def _csrf(error: CSRFError):
    return render_template(
        "error.html",
        status=400,
        title="The form has expired or was not sent from this site",
        detail="Go back, reload the page and send the form again. (" + error.description + ")",
    ), 400


def _domain(error: CadastreError):
    return render_template(
        "error.html", status=error.status, title=error.title, detail=error.detail
    ), error.status


def _http(error: HTTPException):
    titles = {403: "You may not do this", 404: "Not found", 405: "Not allowed here"}
    return render_template(
        "error.html",
        status=error.code,
        title=titles.get(error.code, error.name),
        detail=error.description,
    ), error.code or 500


def register_html_errors(blueprint: Blueprint) -> None:
    """Answer errors in ``blueprint``'s views with an HTML page."""
    blueprint.register_error_handler(CSRFError, _csrf)
    blueprint.register_error_handler(CadastreError, _domain)
    blueprint.register_error_handler(HTTPException, _http)


register_html_errors(bp)
