"""Mail to holders about their obligations, queued by ``cadastre obligations run``.

Two messages per obligation at most, each once: a reminder when an open obligation falls due
within the profile's reminder period (``obligations.remind_days``), and a warning once it is
overdue (past its due day, still open). The outbox's ``dedupe_key`` is the obligation and the
kind of message (``obligation:<id>:reminder``, ``obligation:<id>:overdue``), so a second run,
or a run the next day, never queues either again. An obligation found already overdue gets the
warning only. A holder with no usable address gets none (the letter is the officers' part).

Queued in the caller's transaction (the run's unit of work): rolled back, nothing is queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from cadastre.domain.holder_rules import email_problem
from cadastre.domain.message_templates import TEMPLATES
from cadastre.models import OutboxMessage
from cadastre.profile import Profile
from cadastre.services.outbox import new_message_id

#: Messages inserted per statement.
BATCH = 1000

_CANDIDATES = """
SELECT o.id, o.licence_id, o.label, o.document_kind, o.period_start, o.period_end, o.due_on,
       l.code, l.licence_type, h.id AS holder_id, h.name AS holder_name, h.email,
       CASE WHEN o.due_on < :as_of THEN 'overdue' ELSE 'reminder' END AS which
  FROM licence_obligations o
  JOIN licences l ON l.id = o.licence_id
  JOIN holders h ON h.id = l.holder_id
 WHERE o.status = 'open' AND o.due_on <= :until
   AND l.status IN ('granted', 'suspended')
   AND h.email IS NOT NULL AND h.email <> ''
   AND NOT EXISTS (
        SELECT 1 FROM outbox_messages m
         WHERE m.dedupe_key = 'obligation:' || o.id || ':'
               || CASE WHEN o.due_on < :as_of THEN 'overdue' ELSE 'reminder' END)
 ORDER BY o.due_on, o.id
"""


@dataclass
class ObligationMail:
    """What one run queued."""

    reminders: int = 0
    overdue: int = 0
    #: Holders skipped because their address is not one.
    bad_addresses: int = 0

    def as_dict(self) -> dict:
        """For the command line's JSON."""
        return {
            "reminders_queued": self.reminders,
            "overdue_queued": self.overdue,
            "bad_addresses": self.bad_addresses,
        }


def dedupe_key(obligation_id: int, which: str) -> str:
    """The outbox key of ``which`` ('reminder' or 'overdue') for the obligation."""
    return f"obligation:{obligation_id}:{which}"


def _period(row) -> str:
    if row.period_start and row.period_end:
        return f" for {row.period_start.isoformat()} to {row.period_end.isoformat()}"
    return ""


def message_row(profile: Profile, row, as_of: date) -> dict:
    """The outbox row of one candidate (rendered from its template)."""
    which = row.which
    values = {
        "holder": row.holder_name,
        "licence": row.code,
        "code": row.code,
        "licence_type": profile.type_label(row.licence_type),
        "obligation": row.id,
        "label": row.label,
        "document": row.document_kind.replace("_", " "),
        "period": _period(row),
        "due_on": row.due_on.isoformat(),
        "date": as_of.isoformat(),
    }
    if which == "overdue":
        values["days_overdue"] = (as_of - row.due_on).days
    else:
        values["days_left"] = (row.due_on - as_of).days
    kind = f"obligation_{which}"
    subject, body = TEMPLATES[kind].render(values)
    return {
        "kind": kind,
        "to_address": row.email,
        "to_name": row.holder_name,
        "subject": subject[:300],
        "body": body,
        "licence_id": row.licence_id,
        "holder_id": row.holder_id,
        "dedupe_key": dedupe_key(row.id, which),
        "message_id": new_message_id(),
    }


def queue_obligation_mail(session: Session, profile: Profile, as_of: date) -> ObligationMail:
    """Queue the reminders and overdue warnings due on ``as_of`` not queued before."""
    result = ObligationMail()
    until = as_of + timedelta(days=profile.obligations.remind_days)
    rows = session.execute(text(_CANDIDATES), {"as_of": as_of, "until": until})
    batch: list[dict] = []
    for row in rows:
        if email_problem(row.email):
            result.bad_addresses += 1
            continue
        batch.append(message_row(profile, row, as_of))
        if row.which == "overdue":
            result.overdue += 1
        else:
            result.reminders += 1
    for lo in range(0, len(batch), BATCH):
        stmt = insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])
        session.execute(stmt, batch[lo : lo + BATCH])
    return result
