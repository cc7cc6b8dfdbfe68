"""Licences granted on a given day, for the obligations tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from licence_support import KONO, geojson, grant_settled, make_holder, rect

from cadastre.services.applications import register_application

#: Ground of each licence size, placed apart so applications never overlap.
SIDES = {"large_scale": 3000, "exploration": 3000, "small_scale": 1000}


def granted_on(session, profile, licence_type: str, at: datetime, slot: int = 0):
    """A licence of ``licence_type`` granted at ``at`` (its procedure walked), on ground of its
    own (``slot`` moves it east, a licence's width at a time); the licence."""
    holder = make_holder(session, "company", f"Obligations Test Holder {slot}")
    lon, lat = KONO
    lic = register_application(
        session,
        profile,
        holder_id=holder,
        licence_type=licence_type,
        commodities=["gold"],
        geometry=geojson(rect(lon + 0.05 * slot, lat, SIDES[licence_type])),
        actor="officer",
        district="Kono",
        received_at=at - timedelta(days=30),
    )
    return grant_settled(session, profile, lic.id, at=at)
