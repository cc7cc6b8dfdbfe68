"""What the application page shows when the register refuses an application on arrival.

The refused application is on record (``services.refusals``); the page says why in plain
words, links the record, keeps the area on the map with the overlap and the free part, and
offers to apply for the free part in one step (``free_ground``).
"""

from __future__ import annotations

from shapely.geometry import mapping
from sqlalchemy.orm import Session

from cadastre.errors import field_error
from cadastre.officer.check import conflict_shapes
from cadastre.profile import Profile
from cadastre.services.applications import check_availability, free_ground
from cadastre.services.history import licence_shape
from cadastre.services.refusals import Refusal


def describe_refusal(session: Session, profile: Profile, refusal: Refusal) -> dict:
    """The refused application as the page shows it: record, reason, overlaps, free part."""
    lic = refusal.licence
    geom = licence_shape(lic)
    found = check_availability(session, profile, geom, licence_type=lic.licence_type)
    shapes = conflict_shapes(session, geom, found)
    return {
        "id": lic.id,
        "code": lic.code,
        "application_number": lic.application_number,
        "holder_id": lic.holder_id,
        "reason": refusal.reason,
        "conflicts": shapes["conflicts"],
        "free": shapes["free"] if shapes["free"] and shapes["free"]["geometry"] else None,
        "map": {"area": mapping(geom), "overlaps": shapes["overlaps"], "free": _free_map(shapes)},
    }


def _free_map(shapes: dict):
    free = shapes.get("free")
    return free["geometry"] if free and free["geometry"] else None


def free_part_of(session: Session, profile: Profile, geom):
    """The free part of an area, or ValidationError on the area when none of it is free."""
    free = free_ground(session, profile, geom)
    if free is None:
        raise field_error(
            "geometry",
            "None of the area is free any more: other licences or earlier applications "
            "hold all of it.",
        )
    return free
