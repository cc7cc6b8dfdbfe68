"""Expiry is never stale: ``expire_due`` ends the licences whose expiry date has passed,
with an event by ``system``; readers and actions call it in their own transaction first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.lifecycle import RIGHT_STATUSES
from cadastre.errors import PreconditionFailed
from cadastre.models import Licence
from cadastre.services.history import get_licence, record_event, snapshot

SYSTEM_ACTOR = "system"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def expire_due(
    session: Session, *, today: date | None = None, licence_id: int | None = None
) -> list[int]:
    """Expire every right (or the one given) whose expiry date has passed; return their ids."""
    today = today or datetime.now(UTC).date()
    query = (
        select(Licence)
        .where(Licence.status.in_(RIGHT_STATUSES), Licence.expires_at < today)
        .order_by(Licence.id)
        .with_for_update()  # a concurrent reader waits, then re-checks the status
    )
    if licence_id is not None:
        query = query.where(Licence.id == licence_id)
    expired = []
    for licence in session.scalars(query):
        before = snapshot(licence)
        ended = licence.expires_at
        licence.status = "expired"
        licence.version += 1
        session.flush()
        record_event(
            session,
            licence,
            "expire",
            actor=SYSTEM_ACTOR,
            before=before,
            reason=f"The term ended on {ended.isoformat()} without renewal.",
            at=min(_day_start(ended + timedelta(days=1)), datetime.now(UTC)),
        )
        expired.append(licence.id)
    if expired:
        session.flush()
    return expired


def locked_licence(
    session: Session, licence_id: int, expected_version: int | None, when: datetime
) -> Licence:
    """The licence, brought up to date (expired if its day has passed) and locked for the
    change, at the version the caller read (412 when someone changed it meanwhile)."""
    get_licence(session, licence_id)  # NotFound before anything else
    expire_due(session, today=when.date(), licence_id=licence_id)
    licence = get_licence(session, licence_id, for_update=True)
    if expected_version is not None and expected_version != licence.version:
        raise PreconditionFailed(
            f"Licence {licence.code} has changed since you read it "
            f"(it is at version {licence.version}, you sent {expected_version}); "
            "reload it and try again."
        )
    return licence
