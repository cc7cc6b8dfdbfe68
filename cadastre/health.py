"""``/healthz``: is the register up. Anyone sees only the status; admins see the details.

Anonymous callers (load balancers, monitors) get ``{"status": ...}``: ``ok``,
``migration-pending``, or ``error`` with 503 when the database is unusable. A signed-in admin
or an admin's bearer token also gets the versions, the migration state, the counts, the
boundary data set and the profile. The database URL is never shown, masked or not.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from cadastre.auth import API
from cadastre.db import check_database, get_engine
from cadastre.errors import ConfigurationError
from cadastre.migrate import current_revision, head_revision
from cadastre.models import BorderLine, Country, Licence
from cadastre.services.boundaries import active_dataset
from cadastre.state import registry

bp = Blueprint("health", __name__)


def _answer(body: dict, status: int = 200):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _admin() -> bool:
    return API.allows("admin")  # a bearer token that is not valid answers 401


@bp.get("/healthz")
def healthz():
    """The status for anyone; versions, migration state and counts for admins; 503 when down."""
    reg = registry()
    url = reg.settings.database_url
    try:
        versions = check_database(url)
        current = current_revision(get_engine(url))
        head = head_revision(url)
    except (ConfigurationError, SQLAlchemyError):
        # The error's own text names the database (host, port, name): not for this page.
        return _answer({"status": "error"}, 503)
    status = "ok" if current == head else "migration-pending"
    if not _admin():
        return _answer({"status": status})
    with reg.sessions() as session:
        dataset = active_dataset(session)
        counts = {
            "licences": session.scalar(select(func.count()).select_from(Licence)),
            "countries": session.scalar(select(func.count()).select_from(Country)),
            "border_lines": session.scalar(select(func.count()).select_from(BorderLine)),
        }
    return _answer(
        {
            "status": status,
            "database": versions,
            "migration": {"current": current, "head": head},
            "boundaries": {"source": dataset.label, "uncertainty_km": dataset.uncertainty_km}
            if dataset
            else None,
            "counts": counts,
            "profile": reg.profile.name,
        }
    )
