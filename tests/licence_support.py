"""Shapes, holders and users for the licence tests (imported by tests/api and tests/services)."""

from __future__ import annotations

import math

from shapely.geometry import box, mapping

from cadastre.services.holders import create_holder
from cadastre.services.users import add_user

#: Kono, well inside Sierra Leone.
KONO = (-10.97, 8.64)
#: In the Atlantic, west of Freetown.
SEA = (-14.2, 8.2)
#: In Guinea, north-east of the Sierra Leone border (near Dabola).
GUINEA = (-11.2, 10.9)


def rect(lon: float, lat: float, width_m: float, height_m: float | None = None):
    """A shapely rectangle centred on lon/lat, sides in metres."""
    height_m = width_m if height_m is None else height_m
    dlat = height_m / 111_320 / 2
    dlon = width_m / (111_320 * math.cos(math.radians(lat))) / 2
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def geojson(shape) -> dict:
    """GeoJSON dict with lists (as a client would send it)."""
    import json

    return json.loads(json.dumps(mapping(shape)))


def square_ha(lon: float, lat: float, ha: float):
    """A square of about ``ha`` hectares."""
    return rect(lon, lat, math.sqrt(ha * 10_000))


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[-10.98, 8.63], [-10.96, 8.65], [-10.96, 8.63], [-10.98, 8.65], [-10.98, 8.63]]
    ],
}


def make_holder(session, kind: str = "company", name: str | None = None, **extra) -> int:
    """A holder of the given kind (an individual a citizen, a cooperative of citizens, as
    the artisanal and small-scale licences require; ``extra`` overrides); returns its id."""
    facts = {
        "individual": {"nationality": "SLE"},
        "cooperative": {"citizen_members": True},
    }.get(kind, {})
    holder = create_holder(
        session, {"name": name or f"Test {kind} holder", "kind": kind, **facts, **extra}
    )
    return holder.id


def make_token(session, role: str, username: str | None = None) -> str:
    """A user with ``role`` and a fresh API token (committed to the test's savepoint)."""
    _, token = add_user(session, username or f"test-{role}", role)
    session.commit()
    return token


def grant_near_expiry(session, profile, licence_id: int, days_left: int = 20, **kw):
    """Grant a licence so long ago that it expires in ``days_left`` days: today lies inside
    its renewal window (the profile's windows all close on the expiry date)."""
    from datetime import UTC, datetime, timedelta

    from cadastre.domain.licence_rules import add_years
    from cadastre.services.licences import get_licence, perform_action

    spec = profile.licence_type(get_licence(session, licence_id).licence_type)
    expires = datetime.now(UTC) + timedelta(days=days_left)
    when = expires.replace(year=add_years(expires.date(), -spec.term_years).year)
    return perform_action(session, profile, licence_id, "grant", actor="sup", at=when, **kw)


def lapsed_notice(session, profile, licence_id: int, breach: str = "Annual report overdue."):
    """A notice issued long enough ago that its remedy period has run out unremedied."""
    from datetime import UTC, datetime, timedelta

    from cadastre.services.notices import issue_notice

    at = datetime.now(UTC) - timedelta(days=profile.notices.remedy_days + 1)
    notice = issue_notice(session, profile, licence_id, actor="sup", breach=breach, at=at)
    session.flush()
    return notice
