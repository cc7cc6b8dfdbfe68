"""Applications the register refuses on arrival, kept on record with the reason.

A first-come-first-served register numbers and keeps every well-formed application it
receives. One whose ground the law refuses (it overlaps an earlier exclusive right or
application, or lies outside the country) is stored as ``refused``: its code, application
number, time of receipt, area and reason, with two history events (received, then refused
by the register). A refused application holds no ground: it is not live
(``domain.lifecycle.LIVE_STATUSES``), so it never blocks a later one. Input that cannot be
read (no area, an unknown type, a missing field) is refused without a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from cadastre.domain.geometry import format_area
from cadastre.errors import CadastreError, Conflict, ValidationError
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.queries.overlaps import OverlapRow
from cadastre.services.history import record_event, snapshot

#: Who refuses an application on arrival: the register's own rules, not an officer.
REGISTER_ACTOR = "register"


def overlap_reason(profile: Profile, conflicts: list[OverlapRow], what: str = "The area") -> str:
    """Why overlapping ground is refused, in plain words naming every conflict."""
    listed = "; ".join(
        f"{c.code} ({c.status}, {profile.type_words(c.licence_type)}, "
        f"{format_area(c.overlap_ha)} shared)"
        for c in conflicts
    )
    n = len(conflicts)
    return (
        f"{what} overlaps {n} exclusive licence{'s' if n != 1 else ''} or earlier "
        f"application{'s' if n != 1 else ''}: {listed}. Exclusive rights may not overlap."
    )


@dataclass
class Refusal:
    """An application refused on arrival and kept: the record, why, and what it met."""

    licence: Licence
    reason: str
    conflicts: list[OverlapRow] = field(default_factory=list)
    #: Field errors when the ground is refused for itself (outside the country).
    errors: list[dict] = field(default_factory=list)

    def record(self) -> dict:
        """The refused application as the API's refusal names it."""
        lic = self.licence
        return {
            "id": lic.id,
            "code": lic.code,
            "application_number": lic.application_number,
            "status": lic.status,
            "received_at": lic.received_at.isoformat() if lic.received_at else None,
            "refusal_reason": self.reason,
        }

    def error(self) -> CadastreError:
        """The answer to the applicant: 409 on overlap, 422 on ground outside the country;
        either names the refused application kept on record and the reason."""
        extra = {"refusal_reason": self.reason, "refused_application": self.record()}
        kept = f" The application is on record as {self.licence.code}, refused."
        if self.conflicts:
            return Conflict(
                self.reason + kept + " Trim the area to the free part "
                "(POST /api/availability gives it) and apply again.",
                extra={"conflicts": [c.as_dict() for c in self.conflicts], **extra},
            )
        return ValidationError(self.reason + kept, errors=self.errors, extra=extra)


def keep_refused(
    session: Session,
    licence: Licence,
    *,
    actor: str,
    received: datetime,
    reason: str,
) -> None:
    """Store a received application as refused, with its two history events."""
    licence.status = "application"
    session.add(licence)
    session.flush()
    record_event(session, licence, "apply", actor=actor, before=None, at=received)
    before = snapshot(licence)
    licence.status = "refused"
    licence.refusal_reason = reason
    licence.version += 1
    session.flush()
    record_event(
        session, licence, "refuse", actor=REGISTER_ACTOR, before=before, reason=reason, at=received
    )
    session.flush()
