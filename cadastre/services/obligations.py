"""Obligations in the register: generated for every licence in force (``cadastre obligations
run``), received with the document that satisfies them, waived with a reason, and, once
overdue, the ground of a show-cause notice.

Generating is idempotent: an obligation is unique per licence and key
(``work_programme:2027``), so a second run adds nothing; it writes no history (nothing about
the licence changed). A receipt, a waiver and a show-cause notice each are one history event
of the licence, in the same transaction as the change (``services.history.record_event``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cadastre.domain.obligations import is_overdue, licence_occurrences
from cadastre.errors import Conflict, NotFound, field_error
from cadastre.models import Licence, LicenceDocument, LicenceNotice, LicenceObligation
from cadastre.profile import Profile
from cadastre.services.history import MAX_ID, get_licence, record_event, snapshot
from cadastre.services.notices import issue_notice, mark_remedied

SYSTEM_ACTOR = "system"
#: Longest waiver reason accepted.
MAX_REASON = 2000
#: Statuses of a licence in force: its obligations come round.
IN_FORCE = ("granted", "suspended")


@dataclass
class ObligationsRun:
    """What one ``obligations run`` generated."""

    as_of: date
    licences: int = 0
    generated: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    #: Open obligations past their due day after the run (all licences).
    overdue: int = 0

    def as_dict(self) -> dict:
        """For the command line's JSON."""
        return {
            "as_of": self.as_of.isoformat(),
            "licences_checked": self.licences,
            "obligations_generated": self.generated,
            "by_kind": dict(sorted(self.by_kind.items())),
            "overdue": self.overdue,
        }


_CANDIDATES = """
SELECT l.id, l.licence_type, l.granted_at, l.expires_at, coalesce(k.keys, '{}') AS keys
  FROM licences l
  LEFT JOIN (SELECT o.licence_id, array_agg(o.key) AS keys FROM licence_obligations o
              GROUP BY o.licence_id) k ON k.licence_id = l.id
 WHERE l.status IN ('granted', 'suspended') AND l.granted_at IS NOT NULL
   AND l.granted_at <= :as_of AND l.licence_type = ANY(:types)
 ORDER BY l.id
"""

DUE_TABLE = "obligations_due"
_COLUMNS = "n, licence_id, key, kind, label, document_kind, period_start, period_end, due_on"
_CREATE_DUE = f"""
CREATE TEMP TABLE {DUE_TABLE} (
    n integer PRIMARY KEY, licence_id integer NOT NULL, key text NOT NULL, kind text NOT NULL,
    label text NOT NULL, document_kind text NOT NULL, period_start date, period_end date,
    due_on date NOT NULL
) ON COMMIT DROP
"""
_INSERT = f"""
WITH ins AS (
    INSERT INTO licence_obligations (licence_id, key, kind, label, document_kind, period_start,
                                     period_end, due_on, status)
    SELECT licence_id, key, kind, label, document_kind, period_start, period_end, due_on, 'open'
      FROM {DUE_TABLE} WHERE n > :lo AND n <= :hi ORDER BY n
    ON CONFLICT (licence_id, key) DO NOTHING
    RETURNING kind
)
SELECT kind, count(*) FROM ins GROUP BY kind
"""
_OVERDUE = "SELECT count(*) FROM licence_obligations WHERE status = 'open' AND due_on < :today"
#: Obligations inserted per statement.
BATCH = 50_000


def run_obligations(
    session: Session,
    profile: Profile,
    as_of: date,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ObligationsRun:
    """Generate every obligation of every licence in force whose period has begun by
    ``as_of`` and is not generated yet. Safe to run daily, or twice: an obligation already
    in the register is never generated again nor changed."""
    rules = profile.obligations
    result = ObligationsRun(as_of)
    types = list(rules.types)
    rows = session.execute(text(_CANDIDATES), {"as_of": as_of, "types": types}).all()
    result.licences = len(rows)
    due = []
    for row in rows:
        have = set(row.keys)
        for occ in licence_occurrences(rules, row.licence_type, row.granted_at, row.expires_at,
                                       as_of):  # fmt: skip
            if occ.key not in have:
                due.append((row.id, occ))
    if due:
        _copy_due(session, due)
        for lo in range(0, len(due), BATCH):
            params = {"lo": lo, "hi": lo + BATCH}
            for kind, count in session.execute(text(_INSERT), params):
                result.generated += count
                result.by_kind[kind] = result.by_kind.get(kind, 0) + count
            if progress is not None:
                progress(min(lo + BATCH, len(due)), len(due))
        session.execute(text(f"DROP TABLE {DUE_TABLE}"))
    result.overdue = session.execute(text(_OVERDUE), {"today": as_of}).scalar_one()
    return result


def _copy_due(session: Session, due: list) -> None:
    """The obligations found due, into a temporary table by COPY (one round trip)."""
    session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{DUE_TABLE}"))
    session.execute(text(_CREATE_DUE))
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {DUE_TABLE} ({_COLUMNS}) FROM STDIN") as copy:
        for n, (licence_id, o) in enumerate(due, 1):
            copy.write_row(
                (n, licence_id, o.key, o.kind, o.label, o.document, o.period_start,
                 o.period_end, o.due_on)
            )  # fmt: skip
    session.execute(text(f"ANALYZE {DUE_TABLE}"))


def licence_obligations(session: Session, licence_id: int) -> list[LicenceObligation]:
    """A licence's obligations, by due day (NotFound for an unknown licence)."""
    get_licence(session, licence_id)
    return list(
        session.scalars(
            select(LicenceObligation)
            .where(LicenceObligation.licence_id == licence_id)
            .order_by(LicenceObligation.due_on, LicenceObligation.key)
        )
    )


def get_obligation(
    session: Session, licence_id: int, obligation_id: int, *, for_update: bool = False
) -> LicenceObligation:
    """Obligation ``obligation_id`` of licence ``licence_id``, or NotFound."""
    get_licence(session, licence_id)
    ok = isinstance(obligation_id, int) and not isinstance(obligation_id, bool)
    found = (
        session.get(LicenceObligation, obligation_id, with_for_update=for_update)
        if ok and 0 < obligation_id <= MAX_ID
        else None
    )
    if found is None or found.licence_id != licence_id:
        raise NotFound(f"Licence {licence_id} has no obligation {obligation_id}.")
    return found


def _open(obligation: LicenceObligation) -> None:
    if obligation.status != "open":
        when = obligation.resolved_at.date().isoformat() if obligation.resolved_at else ""
        raise Conflict(
            f"Obligation '{obligation.label}' was already {obligation.status} on {when} by "
            f"{obligation.resolved_by}.",
            extra={"status": obligation.status},
        )


def _locked(session: Session, licence_id: int, obligation_id: int):
    """The licence (locked: one change to its file at a time) and its open obligation."""
    licence = get_licence(session, licence_id, for_update=True)
    obligation = get_obligation(session, licence_id, obligation_id, for_update=True)
    return licence, obligation


def _document(session: Session, licence: Licence, obligation, raw: Any) -> LicenceDocument:
    """The document on the licence's file, current and of the kind that satisfies it."""
    if raw is None or raw == "":
        raise field_error(
            "document_id",
            f"Name the document on the licence's file that satisfies it (a "
            f"{obligation.document_kind.replace('_', ' ')}): document_id is required.",
        )
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise field_error("document_id", "must be a document's number (a whole number)")
    doc = session.get(LicenceDocument, raw) if 0 < raw <= MAX_ID else None
    if doc is None or doc.licence_id != licence.id:
        raise field_error(
            "document_id",
            f"Licence {licence.code} has no document {raw}; put it on the licence's file first.",
        )
    if doc.superseded_by_id is not None:
        raise field_error(
            "document_id",
            f"Document {raw} is superseded by document {doc.superseded_by_id}; name that one.",
        )
    if doc.kind != obligation.document_kind:
        raise field_error(
            "document_id",
            f"Document {raw} is a {doc.kind.replace('_', ' ')}; '{obligation.label}' is "
            f"satisfied by a {obligation.document_kind.replace('_', ' ')}.",
        )
    return doc


def _record(session, licence, obligation, action: str, actor: str, reason: str, when):
    before = snapshot(licence)
    event = record_event(session, licence, action, actor=actor, before=before, reason=reason,
                         at=when)  # fmt: skip
    event.after = {**event.after, "obligation": obligation_fields(obligation)}
    session.flush()


def receive_obligation(
    session: Session,
    licence_id: int,
    obligation_id: int,
    *,
    actor: str,
    document_id: Any,
    at: datetime | None = None,
) -> LicenceObligation:
    """Record the obligation received, with the document on file that satisfies it; a
    show-cause notice issued for it and not yet remedied is marked remedied with it."""
    when = at or datetime.now(UTC)
    licence, obligation = _locked(session, licence_id, obligation_id)
    _open(obligation)
    doc = _document(session, licence, obligation, document_id)
    obligation.status, obligation.document_id = "received", doc.id
    obligation.resolved_by, obligation.resolved_at = actor, when
    late = (when.date() - obligation.due_on).days
    timing = f", {late} days late" if late > 0 else ""
    reason = (
        f"Obligation {obligation.id} '{obligation.label}' (due {obligation.due_on.isoformat()}) "
        f"received{timing}: document {doc.id}."
    )
    _record(session, licence, obligation, "obligation_received", actor, reason, when)
    _remedy_show_cause(session, obligation, doc, actor, when)
    return obligation


def _remedy_show_cause(session, obligation, doc, actor: str, when: datetime) -> None:
    """A receipt answers the show-cause notice issued for the obligation: the notice is marked
    remedied (its own history event, ``services.notices.mark_remedied``) in the same
    transaction, so no suspension can rest on it."""
    if obligation.notice_id is None:
        return
    notice = session.get(LicenceNotice, obligation.notice_id)
    if notice is None or notice.remedied_at is not None:
        return
    note = (
        f"Remedied by the receipt of obligation {obligation.id} '{obligation.label}': "
        f"document {doc.id}."
    )
    mark_remedied(session, obligation.licence_id, notice.id, actor=actor, note=note, at=when)


def waive_obligation(
    session: Session,
    licence_id: int,
    obligation_id: int,
    *,
    actor: str,
    reason: Any,
    at: datetime | None = None,
) -> LicenceObligation:
    """Waive the obligation, with the reason (printed in the history)."""
    when = at or datetime.now(UTC)
    text_ = _reason(reason)
    licence, obligation = _locked(session, licence_id, obligation_id)
    _open(obligation)
    obligation.status, obligation.waiver_reason = "waived", text_
    obligation.resolved_by, obligation.resolved_at = actor, when
    reason_text = (
        f"Obligation {obligation.id} '{obligation.label}' (due {obligation.due_on.isoformat()}) "
        f"waived: {text_}"
    )
    _record(session, licence, obligation, "obligation_waived", actor, reason_text, when)
    return obligation


def _reason(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise field_error("reason", "Say why the obligation is waived: the reason is required.")
    if not isinstance(value, str):
        raise field_error("reason", "must be text")
    if len(value) > MAX_REASON or "\x00" in value:
        raise field_error("reason", f"must be text of at most {MAX_REASON} characters")
    return " ".join(value.split())


def show_cause(
    session: Session,
    profile: Profile,
    licence_id: int,
    obligation_id: int,
    *,
    actor: str,
    cause: Any = None,
    at: datetime | None = None,
) -> tuple[LicenceObligation, LicenceNotice]:
    """Issue a show-cause notice for an overdue obligation: a licence notice whose breach
    names the obligation (``services.notices.issue_notice``: the remedy period, the history
    event). Refused (409) unless it is open and overdue, and while an earlier notice for it
    is still unremedied."""
    when = at or datetime.now(UTC)
    licence, obligation = _locked(session, licence_id, obligation_id)
    _open(obligation)
    today = when.date()
    if not is_overdue(obligation.status, obligation.due_on, today):
        raise Conflict(
            f"'{obligation.label}' is due on {obligation.due_on.isoformat()}; a show-cause "
            "notice is issued only once it is overdue.",
            extra={"due_on": obligation.due_on.isoformat()},
        )
    if obligation.notice_id is not None:
        earlier = session.get(LicenceNotice, obligation.notice_id)
        if earlier is not None and earlier.remedied_at is None:
            raise Conflict(
                f"Notice {earlier.id} was issued for '{obligation.label}' on "
                f"{earlier.issued_at.date().isoformat()} and is not remedied; its remedy "
                f"period ends on {earlier.remedy_by.isoformat()}.",
                extra={"notice_id": earlier.id},
            )
    late = (today - obligation.due_on).days
    breach = (
        f"Show cause: the {obligation.label} (obligation {obligation.id}, {obligation.key}), "
        f"due on {obligation.due_on.isoformat()}, has not been delivered; it is {late} days "
        f"overdue. Deliver a {obligation.document_kind.replace('_', ' ')} or show cause why "
        "the licence should not be suspended."
    )
    notice = issue_notice(
        session, profile, licence.id, actor=actor, breach=breach, cause=cause, at=when
    )
    obligation.notice_id = notice.id
    session.flush()
    return obligation, notice


def obligation_fields(ob: LicenceObligation) -> dict[str, Any]:
    """What a history event records of an obligation."""
    return {
        "id": ob.id,
        "key": ob.key,
        "status": ob.status,
        "due_on": ob.due_on.isoformat(),
        "document_id": ob.document_id,
    }


def obligation_to_dict(ob: LicenceObligation, today: date) -> dict[str, Any]:
    """The JSON form of an obligation, overdue judged on ``today``."""
    overdue = is_overdue(ob.status, ob.due_on, today)
    return {
        "id": ob.id,
        "licence_id": ob.licence_id,
        "key": ob.key,
        "kind": ob.kind,
        "label": ob.label,
        "document_kind": ob.document_kind,
        "period_start": ob.period_start.isoformat() if ob.period_start else None,
        "period_end": ob.period_end.isoformat() if ob.period_end else None,
        "due_on": ob.due_on.isoformat(),
        "status": ob.status,
        "overdue": overdue,
        "days_overdue": (today - ob.due_on).days if overdue else 0,
        "document_id": ob.document_id,
        "notice_id": ob.notice_id,
        "waiver_reason": ob.waiver_reason,
        "resolved_by": ob.resolved_by,
        "resolved_at": ob.resolved_at.isoformat() if ob.resolved_at else None,
    }
