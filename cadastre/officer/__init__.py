"""The officer web application: sign-in, dashboard, map, licences, holders."""

from flask import Blueprint

bp = Blueprint("officer", __name__)

from cadastre.officer import (  # noqa: E402,F401  (views register themselves on bp)
    auth_views,
    dashboard,
    errors,
    holders_views,
    licence_views,
    map_views,
    new_licence,
)
