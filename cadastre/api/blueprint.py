"""The api blueprint the views register on (apart from the package, which imports the views)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
