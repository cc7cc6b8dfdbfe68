"""Consents: an artisanal application on another holder's ground, with that holder's leave.

The rule is ``domain.eligibility.consent_fault``; here the consents given with an
application are read, matched with the licences the area overlaps, stored, and read again
when the licence is granted (a consent holds while its giver still holds the licence).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.eligibility import Consent, Overlapped, consent_fault, parse_consent
from cadastre.errors import ValidationError
from cadastre.models import Holder, Licence, LicenceConsent
from cadastre.profile import LicenceType, Profile
from cadastre.queries.overlaps import OverlapRow


def read_consents(value: Any, today: date) -> list[Consent]:
    """The consents sent with an application (None: none); ValidationError naming each fault."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(
            "The consents must be a list.",
            errors=[{"field": "consents", "message": "must be a list of consents"}],
        )
    errors: list[dict] = []
    out: list[Consent] = []
    for i, item in enumerate(value):
        try:
            out.append(parse_consent(item, i, today))
        except ValidationError as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors[0]["message"], errors=errors)
    return out


def without_consented(
    session: Session,
    profile: Profile,
    spec: LicenceType,
    conflicts: list[OverlapRow],
    consents: list[Consent],
) -> list[OverlapRow]:
    """The conflicts the consents do not lift; ValidationError for a consent that lifts none."""
    if not consents:
        return conflicts
    by_id = {c.id: c for c in conflicts}
    holders = dict(
        session.execute(
            select(Licence.id, Licence.holder_id).where(Licence.id.in_(list(by_id) or [0]))
        ).all()
    )
    errors, lifted = [], set()
    for i, consent in enumerate(consents):
        row = by_id.get(consent.licence_id)
        overlapped = (
            Overlapped(row.id, row.code, row.licence_type, holders[row.id]) if row else None
        )
        fault = consent_fault(profile, spec, consent, overlapped)
        if fault:
            errors.append({"field": f"consents[{i}]", "message": fault})
        else:
            lifted.add(consent.licence_id)
    if errors:
        raise ValidationError(errors[0]["message"], errors=errors)
    return [c for c in conflicts if c.id not in lifted]


def record_consents(
    session: Session, licence: Licence, consents: list[Consent], actor: str
) -> str | None:
    """Store the consents of a new application; their mention for its history (None: none)."""
    words = []
    for consent in consents:
        session.add(
            LicenceConsent(
                licence_id=licence.id,
                overlapped_id=consent.licence_id,
                given_by=consent.given_by,
                given_on=consent.given_on,
                document=consent.document,
                recorded_by=actor,
            )
        )
        code = session.scalar(select(Licence.code).where(Licence.id == consent.licence_id))
        name = session.scalar(select(Holder.name).where(Holder.id == consent.given_by))
        words.append(
            f"{name}, holder of {code}, consented on {consent.given_on.isoformat()} "
            f"(document {consent.document})"
        )
    if not words:
        return None
    return "Applied for on another holder's ground with consent: " + "; ".join(words) + "."


def standing_consents(session: Session, licence_id: int) -> set[int]:
    """Licences whose ground ``licence_id`` may overlap: consented by their present holder."""
    rows = session.execute(
        select(LicenceConsent.overlapped_id)
        .join(Licence, Licence.id == LicenceConsent.overlapped_id)
        .where(
            LicenceConsent.licence_id == licence_id,
            LicenceConsent.given_by == Licence.holder_id,
        )
    ).scalars()
    return set(rows)
