"""Queue messages in the outbox, inside the transaction of the event that causes them.

Nothing here commits or sends: the caller's unit of work commits the message with the
event (rolled back, neither exists), and ``cadastre notices run`` (``mail_delivery``)
delivers it. The ``dedupe_key`` names the event, so queueing twice queues once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cadastre.domain.holder_rules import email_problem
from cadastre.domain.message_templates import TEMPLATES
from cadastre.errors import ValidationError
from cadastre.models import Holder, Licence, LicenceNotice, OutboxMessage
from cadastre.profile import Profile

#: The Message-ID's right-hand side (RFC 5322 dot-atom); the left is unique per message.
MESSAGE_ID_DOMAIN = "cadastre"


def new_message_id() -> str:
    """A Message-ID for a new row: kept with it, so every attempt sends the same one."""
    return f"<outbox.{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def queue_message(
    session: Session,
    *,
    kind: str,
    to_address: str,
    subject: str,
    body: str,
    dedupe_key: str,
    to_name: str | None = None,
    licence_id: int | None = None,
    holder_id: int | None = None,
    user_id: int | None = None,
) -> int | None:
    """Add a message to the outbox in the session's transaction; the new row's id, or None
    when a message with this ``dedupe_key`` was queued before (it is not queued again).

    An address that is not one is a ValidationError naming ``to_address``.
    """
    problem = email_problem(to_address or "")
    if problem:
        raise ValidationError(
            f"The address {to_address!r} {problem}.",
            errors=[{"field": "to_address", "message": problem}],
        )
    values = {
        "kind": kind,
        "to_address": to_address,
        "to_name": to_name,
        "subject": subject[:300],
        "body": body,
        "licence_id": licence_id,
        "holder_id": holder_id,
        "user_id": user_id,
        "dedupe_key": dedupe_key,
        "message_id": new_message_id(),
    }
    stmt = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def queue_template(
    session: Session,
    kind: str,
    values: Mapping[str, object],
    *,
    to_address: str,
    dedupe_key: str,
    **row: object,
) -> int | None:
    """Render the template of ``kind`` with ``values`` and queue it (see ``queue_message``)."""
    subject, body = TEMPLATES[kind].render(values)
    return queue_message(
        session,
        kind=kind,
        to_address=to_address,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        **row,
    )


def _to_holder(
    session: Session, licence: Licence, kind: str, values: dict, dedupe_key: str
) -> int | None:
    """Queue ``kind`` to the licence's holder, if the holder has a usable address.

    A holder without one (or with an address recorded before addresses were checked that
    is not one) gets the letter only: the notice's letter page prints it.
    """
    holder = session.get(Holder, licence.holder_id)
    if holder is None or not holder.email or email_problem(holder.email):
        return None
    return queue_template(
        session,
        kind,
        {"holder": holder.name, "licence": licence.code, "code": licence.code,
         "licence_type": licence.licence_type, **values},
        to_address=holder.email,
        to_name=holder.name,
        dedupe_key=dedupe_key,
        licence_id=licence.id,
        holder_id=holder.id,
    )  # fmt: skip


def _day(when: datetime) -> str:
    return when.astimezone(UTC).date().isoformat()


def queue_notice_message(
    session: Session, profile: Profile, licence: Licence, notice: LicenceNotice
) -> int | None:
    """The message of a notice just issued, to the licence's holder."""
    values = {
        "licence_type": profile.type_label(licence.licence_type),
        "cause": notice.cause,
        "breach": notice.breach,
        "notice": notice.id,
        "remedy_by": notice.remedy_by.isoformat(),
        "remedy_days": notice.remedy_days,
        "remedy_source": notice.remedy_source,
        "issued_by": notice.issued_by,
        "date": _day(notice.issued_at),
    }
    return _to_holder(session, licence, "licence_notice", values, f"notice:{notice.id}")


#: The decisions a holder is told of, and the template each uses.
DECISION_MESSAGES = {"grant": "licence_granted", "finalise": "licence_granted",
                     "refuse": "licence_refused"}  # fmt: skip


def queue_decision_message(
    session: Session,
    profile: Profile,
    licence: Licence,
    action: str,
    *,
    event_id: int,
    actor: str,
    reason: str | None,
    at: datetime,
) -> int | None:
    """The message of a grant or refusal just recorded (event ``event_id``) to the holder."""
    kind = DECISION_MESSAGES.get(action)
    if kind is None:
        return None
    values: dict[str, object] = {"actor": actor, "date": _day(at)}
    if kind == "licence_granted":
        values["granted_on"] = licence.granted_at.isoformat() if licence.granted_at else _day(at)
        values["expires_on"] = licence.expires_at.isoformat() if licence.expires_at else "-"
    else:
        values["reason"] = reason or licence.refusal_reason or "-"
    values["licence_type"] = profile.type_label(licence.licence_type)
    return _to_holder(session, licence, kind, values, f"licence-event:{event_id}")
