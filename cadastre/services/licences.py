"""Register applications and carry licences through their life, history in the same transaction.

The domain rules live in ``cadastre.domain``; this module applies them to the register.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from geoalchemy2.shape import from_shape, to_shape
from pyproj import Geod
from shapely.geometry import MultiPolygon, mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.lifecycle import check_transition
from cadastre.errors import NotFound, PreconditionFailed, ValidationError
from cadastre.models import Holder, Licence, LicenceEvent
from cadastre.profile import Profile

_GEOD = Geod(ellps="WGS84")


def geodesic_area_ha(geom: BaseGeometry) -> float:
    """Geodesic area on WGS84 in hectares."""
    return abs(_GEOD.geometry_area_perimeter(geom)[0]) / 10_000


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_code(session: Session, prefix: str, year: int) -> str:
    """Issue the next licence code for a prefix and year, e.g. 'EL/2026/0042' (row-locked)."""
    number = session.execute(
        text(
            "INSERT INTO licence_code_counters (prefix, year, last) VALUES (:p, :y, 1) "
            "ON CONFLICT (prefix, year) DO UPDATE SET last = licence_code_counters.last + 1 "
            "RETURNING last"
        ),
        {"p": prefix, "y": year},
    ).scalar_one()
    return f"{prefix}/{year}/{number:04d}"


def snapshot(licence: Licence) -> dict[str, Any]:
    """The state of a licence as recorded in its history (geometry included)."""
    geom = licence.geom
    if geom is not None and not isinstance(geom, BaseGeometry):
        geom = to_shape(geom)
    return {
        "code": licence.code,
        "status": licence.status,
        "licence_type": licence.licence_type,
        "holder_id": licence.holder_id,
        "commodities": list(licence.commodities or []),
        "area_ha": round(licence.area_ha, 4) if licence.area_ha is not None else None,
        "granted_at": licence.granted_at.isoformat() if licence.granted_at else None,
        "expires_at": licence.expires_at.isoformat() if licence.expires_at else None,
        "renewals": licence.renewals,
        "geometry": mapping(geom) if geom is not None else None,
    }


def record_event(
    session: Session,
    licence: Licence,
    action: str,
    *,
    actor: str,
    before: dict | None,
    reason: str | None = None,
    at: datetime | None = None,
) -> LicenceEvent:
    """Write one history event for a change made in the current transaction."""
    event = LicenceEvent(
        licence_id=licence.id,
        action=action,
        actor=actor,
        reason=reason,
        before=before,
        after=snapshot(licence),
    )
    if at is not None:
        event.at = at
    session.add(event)
    return event


def get_licence(session: Session, licence_id: int, *, for_update: bool = False) -> Licence:
    """The licence with this id, or NotFound."""
    licence = session.get(Licence, licence_id, with_for_update=for_update)
    if licence is None:
        raise NotFound(f"There is no licence with id {licence_id}.")
    return licence


def register_application(
    session: Session,
    profile: Profile,
    *,
    holder_id: int,
    licence_type: str,
    commodities: list[str],
    geometry: BaseGeometry,
    actor: str,
    received_at: datetime | None = None,
    district: str | None = None,
) -> Licence:
    """Time-stamp, number and store an application with its first history event."""
    if licence_type not in profile.licence_types:
        raise ValidationError(
            f"'{licence_type}' is not a licence type here.",
            errors=[
                {
                    "field": "licence_type",
                    "message": f"must be one of {', '.join(profile.licence_types)}",
                }
            ],
        )
    holder = session.get(Holder, holder_id)
    if holder is None:
        raise ValidationError(
            f"There is no holder with id {holder_id}.",
            errors=[{"field": "holder_id", "message": "no such holder"}],
        )
    spec = profile.licence_type(licence_type)
    geom = geometry if isinstance(geometry, MultiPolygon) else MultiPolygon([geometry])
    received = received_at or datetime.now(UTC)
    licence = Licence(
        code=next_code(session, spec.code_prefix, received.year),
        licence_type=licence_type,
        status="application",
        commodities=list(commodities),
        holder_id=holder.id,
        geom=from_shape(geom, srid=4326),
        area_ha=geodesic_area_ha(geom),
        received_at=received,
        district=district,
        notes=[],
        risk_reasons=[],
        version=1,
        renewals=0,
    )
    session.add(licence)
    session.flush()
    record_event(session, licence, "apply", actor=actor, before=None, at=received)
    session.flush()
    return licence


def perform_action(
    session: Session,
    profile: Profile,
    licence_id: int,
    action: str,
    *,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    **params: Any,
) -> Licence:
    """Apply a lifecycle action to a licence and record it."""
    licence = get_licence(session, licence_id, for_update=True)
    if expected_version is not None and expected_version != licence.version:
        raise PreconditionFailed(
            f"Licence {licence.code} has changed since you read it "
            f"(version {licence.version}, you sent {expected_version}); reload and try again."
        )
    transition = check_transition(action, licence.status)
    when = at or datetime.now(UTC)
    before = snapshot(licence)
    spec = profile.licence_type(licence.licence_type)
    if action == "grant":
        licence.granted_at = when.date()
        licence.expires_at = add_years(when.date(), spec.term_years)
    elif action == "renew":
        base = licence.expires_at or when.date()
        licence.expires_at = add_years(base, spec.renewal_term_years)
        licence.renewals += 1
    elif action == "transfer":
        licence.holder_id = int(params["holder_id"])
    if transition.target is not None:
        licence.status = transition.target
    elif action == "relinquish":
        licence.status = "relinquished"
    licence.version += 1
    session.flush()
    record_event(session, licence, action, actor=actor, before=before, reason=reason, at=when)
    session.flush()
    return licence
