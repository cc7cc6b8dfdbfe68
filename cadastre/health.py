"""``/healthz``: is the database there, at which versions and migration, with how much data."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import func, select

from cadastre.app import registry
from cadastre.db import check_database, get_engine
from cadastre.errors import ConfigurationError
from cadastre.migrate import current_revision, head_revision
from cadastre.models import BorderLine, Country, Licence
from cadastre.services.boundaries import active_dataset

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Versions, migration state and counts, as JSON; 503 when the database is unusable."""
    reg = registry()
    url = reg.settings.database_url
    try:
        versions = check_database(url)
    except ConfigurationError as exc:
        return jsonify({"status": "error", "detail": exc.detail}), 503
    with reg.sessions() as session:
        dataset = active_dataset(session)
        counts = {
            "licences": session.scalar(select(func.count()).select_from(Licence)),
            "countries": session.scalar(select(func.count()).select_from(Country)),
            "border_lines": session.scalar(select(func.count()).select_from(BorderLine)),
        }
    current = current_revision(get_engine(url))
    head = head_revision(url)
    return jsonify(
        {
            "status": "ok" if current == head else "migration-pending",
            "database": versions,
            "migration": {"current": current, "head": head},
            "boundaries": {"source": dataset.label, "uncertainty_km": dataset.uncertainty_km}
            if dataset
            else None,
            "counts": counts,
            "profile": reg.profile.name,
        }
    )
