"""Notices before suspension or revocation: issue one, mark it remedied, list them.

Each notice, and each remedy, is also an event in the licence's history (same
transaction), and bumps the licence's version. Whether a suspension or revocation may rest
on the notices is the pure rule ``cadastre.domain.lifecycle.check_notice_ran_out``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.lifecycle import (
    RIGHT_STATUSES,
    NoticeTerms,
    check_notice_ran_out,
    remedy_deadline,
)
from cadastre.errors import Conflict, NotFound, ValidationError
from cadastre.models import Licence, LicenceNotice
from cadastre.profile import Profile
from cadastre.services.expiry import locked_licence
from cadastre.services.history import MAX_ID, get_licence, record_event, snapshot
from cadastre.services.outbox import queue_notice_message

#: Longest breach, cause or remedy note accepted (a page of text).
MAX_TEXT = 4000


def _text(value: Any, field: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError(
                f"Describe the {field}: it is printed on the notice.",
                errors=[{"field": field, "message": "is required"}],
            )
        return None
    if not isinstance(value, str):
        raise ValidationError(
            f"The {field} must be text.", errors=[{"field": field, "message": "must be text"}]
        )
    if len(value) > MAX_TEXT or "\x00" in value:
        raise ValidationError(
            f"The {field} must be text of at most {MAX_TEXT} characters.",
            errors=[{"field": field, "message": f"at most {MAX_TEXT} characters"}],
        )
    return value.strip()


def issue_notice(
    session: Session,
    profile: Profile,
    licence_id: int,
    *,
    actor: str,
    breach: Any,
    cause: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> LicenceNotice:
    """Issue a notice on a licence in force: the breach and the profile's remedy period."""
    when = at or datetime.now(UTC)
    licence = locked_licence(session, licence_id, expected_version, when)
    breach_text = _text(breach, "breach", required=True)
    cause_text = _text(cause, "cause", required=False) or profile.notices.default_cause
    if licence.status not in RIGHT_STATUSES:
        raise Conflict(
            f"A notice is given on a licence in force; {licence.code} is '{licence.status}'.",
            extra={"current_status": licence.status},
        )
    days = profile.notices.remedy_days
    notice = LicenceNotice(
        licence_id=licence.id,
        cause=cause_text,
        breach=breach_text,
        remedy_days=days,
        remedy_source=profile.notices.source,
        issued_at=when,
        issued_by=actor,
        remedy_by=remedy_deadline(when.date(), days),
    )
    session.add(notice)
    before = snapshot(licence)
    licence.version += 1
    session.flush()
    record_event(
        session,
        licence,
        "notice",
        actor=actor,
        before=before,
        reason=(
            f"Notice {notice.id}: {breach_text} To be remedied by "
            f"{notice.remedy_by.isoformat()} ({days} days)."
        ),
        at=when,
    )
    session.flush()
    queue_notice_message(session, profile, licence, notice)
    return notice


def get_notice(session: Session, licence_id: int, notice_id: int) -> LicenceNotice:
    """The notice ``notice_id`` of licence ``licence_id``, or NotFound."""
    get_licence(session, licence_id)
    notice = (
        session.get(LicenceNotice, notice_id)
        if isinstance(notice_id, int) and 0 < notice_id <= MAX_ID
        else None
    )
    if notice is None or notice.licence_id != licence_id:
        raise NotFound(f"Licence {licence_id} has no notice {notice_id}.")
    return notice


def mark_remedied(
    session: Session,
    licence_id: int,
    notice_id: int,
    *,
    actor: str,
    note: Any = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> LicenceNotice:
    """Record that the holder remedied the breach: no suspension or revocation rests on it."""
    when = at or datetime.now(UTC)
    licence = locked_licence(session, licence_id, expected_version, when)
    notice = get_notice(session, licence_id, notice_id)
    note_text = _text(note, "note", required=False)
    if notice.remedied_at is not None:
        raise Conflict(
            f"Notice {notice.id} was already marked remedied on "
            f"{notice.remedied_at.date().isoformat()} by {notice.remedied_by}."
        )
    notice.remedied_at, notice.remedied_by, notice.remedy_note = when, actor, note_text
    before = snapshot(licence)
    licence.version += 1
    session.flush()
    record_event(
        session,
        licence,
        "notice_remedied",
        actor=actor,
        before=before,
        reason=f"Notice {notice.id} remedied." + (f" {note_text}" if note_text else ""),
        at=when,
    )
    session.flush()
    return notice


def licence_notices(session: Session, licence_id: int) -> list[LicenceNotice]:
    """The notices of a licence, oldest first."""
    return list(
        session.scalars(
            select(LicenceNotice)
            .where(LicenceNotice.licence_id == licence_id)
            .order_by(LicenceNotice.issued_at, LicenceNotice.id)
        )
    )


def _terms(notice: LicenceNotice) -> NoticeTerms:
    return NoticeTerms(
        id=notice.id,
        issued_on=notice.issued_at.astimezone(UTC).date(),
        remedy_days=notice.remedy_days,
        remedied=notice.remedied_at is not None,
    )


def notice_for(session: Session, licence: Licence, action: str, today: date) -> LicenceNotice:
    """The notice a suspension or revocation on ``today`` rests on (Conflict if none)."""
    notices = {n.id: n for n in licence_notices(session, licence.id)}
    chosen = check_notice_ran_out(action, [_terms(n) for n in notices.values()], today)
    return notices[chosen.id]


def close_lapsed(session: Session, licence: Licence, *, actor: str, at: datetime) -> None:
    """On reinstatement: the notices it answers count as remedied from now on."""
    for notice in licence_notices(session, licence.id):
        if notice.remedied_at is None:
            notice.remedied_at, notice.remedied_by = at, actor
            notice.remedy_note = "Closed when the licence was reinstated."


def notice_to_dict(notice: LicenceNotice) -> dict[str, Any]:
    """The JSON form of a notice."""
    return {
        "id": notice.id,
        "licence_id": notice.licence_id,
        "cause": notice.cause,
        "breach": notice.breach,
        "remedy_days": notice.remedy_days,
        "remedy_source": notice.remedy_source,
        "issued_at": notice.issued_at.isoformat(),
        "issued_by": notice.issued_by,
        "remedy_by": notice.remedy_by.isoformat(),
        "remedied": notice.remedied_at is not None,
        "remedied_at": notice.remedied_at.isoformat() if notice.remedied_at else None,
        "remedied_by": notice.remedied_by,
        "remedy_note": notice.remedy_note,
    }
