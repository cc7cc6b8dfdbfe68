"""The officer blueprint the views register on (apart from the package, which imports the views)."""

from flask import Blueprint

bp = Blueprint("officer", __name__)
