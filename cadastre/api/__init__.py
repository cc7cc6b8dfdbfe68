"""The registry JSON API under ``/api``: holders, licences, actions, history, availability."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from cadastre.api import history, holders, licences, openapi  # noqa: E402,F401  (routes)
