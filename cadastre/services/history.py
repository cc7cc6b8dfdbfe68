"""Licence history and codes: snapshots, one event per change, human-readable codes.

Every change to a licence writes exactly one event here, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2.shape import to_shape
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cadastre.errors import NotFound
from cadastre.models import Licence, LicenceEvent

#: Largest value an integer id column holds; larger ids cannot exist (and must not reach SQL).
MAX_ID = 2**31 - 1


_NEXT_CODE = (
    "INSERT INTO licence_code_counters (prefix, year, last) VALUES (:p, :y, 1) "
    "ON CONFLICT (prefix, year) DO UPDATE SET last = licence_code_counters.last + 1 "
    "RETURNING last"
)
#: The same, taking a transaction-level advisory lock first (one round trip for both).
_LOCK_AND_NEXT_CODE = (
    "WITH lk AS (SELECT pg_advisory_xact_lock(:k)) "
    "INSERT INTO licence_code_counters (prefix, year, last) SELECT :p, :y, 1 FROM lk "
    "ON CONFLICT (prefix, year) DO UPDATE SET last = licence_code_counters.last + 1 "
    "RETURNING last"
)


def next_code(session: Session, prefix: str, year: int, *, lock_key: int | None = None) -> str:
    """Issue the next licence code for a prefix and year, e.g. 'EL/2026/0042' (row-locked).

    With ``lock_key`` the advisory lock of that key is taken in the same statement, before
    the code is issued (statements after it see everything committed before the lock).
    """
    params = {"p": prefix, "y": year}
    sql = _NEXT_CODE
    if lock_key is not None:
        sql, params["k"] = _LOCK_AND_NEXT_CODE, lock_key
    number = session.execute(text(sql), params).scalar_one()
    return f"{prefix}/{year}/{number:04d}"


def licence_shape(licence: Licence) -> BaseGeometry | None:
    """The licence's geometry as a shapely object."""
    geom = licence.geom
    if geom is not None and not isinstance(geom, BaseGeometry):
        geom = to_shape(geom)
    return geom


def snapshot(licence: Licence) -> dict[str, Any]:
    """The state of a licence as recorded in its history (geometry included)."""
    geom = licence_shape(licence)
    return {
        **snapshot_fields(licence),
        "geometry": _plain(mapping(geom)) if geom is not None else None,
    }


def snapshot_fields(licence: Any) -> dict[str, Any]:
    """``snapshot`` less the geometry, from anything with a licence's attributes (an import
    builds its events' snapshots from the values it writes, with the geometry as GeoJSON)."""
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
        "district": licence.district,
        "version": licence.version,
        "stage": getattr(licence, "stage", None),
    }


def _plain(value: Any) -> Any:
    """Tuples to lists, so a snapshot is plain JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


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
    if (
        isinstance(licence_id, bool)
        or not isinstance(licence_id, int)
        or not (0 < licence_id <= MAX_ID)
    ):
        raise NotFound(f"There is no licence with id {licence_id}.")
    licence = session.get(Licence, licence_id, with_for_update=for_update)
    if licence is None:
        raise NotFound(f"There is no licence with id {licence_id}.")
    return licence


def licence_history(session: Session, licence_id: int) -> list[LicenceEvent]:
    """Every event of a licence, oldest first (NotFound for an unknown licence)."""
    get_licence(session, licence_id)
    return list(
        session.scalars(
            select(LicenceEvent)
            .where(LicenceEvent.licence_id == licence_id)
            .order_by(LicenceEvent.id)
        )
    )


def event_to_dict(event: LicenceEvent, *, show_actor: bool = True) -> dict[str, Any]:
    """The JSON form of a history event."""
    return {
        "id": event.id,
        "action": event.action,
        "actor": event.actor if show_actor else None,
        "at": event.at.isoformat() if event.at else None,
        "reason": event.reason,
        "before": event.before,
        "after": event.after,
    }
