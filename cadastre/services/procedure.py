"""An application's way through its type's procedure: entering it on receipt, completing its
stages in order (each by the right role, with what it requires on file), and the decisions
those stages take through the lifecycle.

Every path comes through here: the API's ``POST /api/licences/{id}/stages/{stage}``, the
officer's page, the training scenarios and the demo; and a lifecycle decision asked for
directly (``grant``, ``approve``, ``finalise``) is let through only as the stage the file
waits at (``decision_gate``, called by ``services.lifecycle``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.money import format_amount
from cadastre.domain.procedure import (
    STAGE_ACTIONS,
    FileFacts,
    Procedure,
    Stage,
    check_refusal,
    check_requirements,
    decision_due,
    decision_stage,
    stage_rows,
)
from cadastre.errors import Conflict
from cadastre.models import Licence, LicenceDocument, LicenceStage, OrderToPay
from cadastre.profile import Profile
from cadastre.services.history import get_licence

#: The history action of a completed stage that takes no decision.
STAGE_EVENT = "stage"


def enter_procedure(profile: Profile, licence: Licence) -> None:
    """Put a new application at the first stage of its type's procedure and start the
    decision clock (nothing when the type has no procedure)."""
    procedure = profile.procedure(licence.licence_type)
    if procedure is None or licence.status != "application":
        return
    licence.stage = procedure.first.name
    received = licence.received_at or datetime.now(UTC)
    licence.decision_due = decision_due(procedure.clock, received.date())


def procedure_of(profile: Profile, licence: Licence) -> Procedure:
    """The licence's procedure; 409 when its type has none."""
    procedure = profile.procedure(licence.licence_type)
    if procedure is None:
        raise Conflict(
            f"A {profile.type_words(licence.licence_type)} licence has no staged procedure in "
            "this profile: its application is decided at once.",
            extra={"licence_type": licence.licence_type},
        )
    return procedure


def file_facts(session: Session, licence: Licence) -> FileFacts:
    """What the file holds: current documents by kind, fields filled in, payments made."""
    kinds = session.scalars(
        select(LicenceDocument.kind)
        .where(LicenceDocument.licence_id == licence.id, LicenceDocument.superseded_by_id.is_(None))
        .distinct()
    ).all()
    fields = {"holder"} if licence.holder_id else set()
    if (licence.district or "").strip():
        fields.add("district")
    if licence.commodities:
        fields.add("commodities")
    orders = session.scalars(
        select(OrderToPay)
        .where(
            OrderToPay.licence_id == licence.id,
            OrderToPay.status == "open",
            OrderToPay.key.in_(("application", "annual:1")),
        )
        .order_by(OrderToPay.due_on, OrderToPay.id)
    ).all()
    paid = set()
    if not any(o.key == "application" for o in orders):
        paid.add("application_fee")
    if not orders:
        paid.add("before_grant")
    unpaid = tuple(f"{o.number} ({format_amount(o.amount - o.paid)} {o.currency})" for o in orders)
    return FileFacts(frozenset(kinds), frozenset(fields), frozenset(paid), unpaid)


def decision_gate(
    session: Session, profile: Profile, licence: Licence, action: str
) -> tuple[Procedure, Stage] | None:
    """For an application in a procedure: the decision stage ``action`` completes (its
    requirements met), or 409 saying which stage the file waits at; a refusal only at a
    stage where the procedure allows one. None: the procedure has nothing to say."""
    procedure = profile.procedure(licence.licence_type)
    if procedure is None or licence.stage is None:
        return None
    if licence.status not in ("application", "approved"):
        return None
    if action == "refuse":
        check_refusal(procedure, licence.stage)
        return None
    if action not in STAGE_ACTIONS:
        return None
    stage = decision_stage(procedure, licence.stage, action)
    check_requirements(stage, file_facts(session, licence))
    return procedure, stage


def advance(
    session: Session,
    procedure: Procedure,
    licence: Licence,
    stage: Stage,
    *,
    actor: str,
    role: str,
    at: datetime,
    note: str | None = None,
) -> None:
    """Record ``stage`` complete and move the file to the next (none after the last)."""
    session.add(
        LicenceStage(
            licence_id=licence.id,
            stage=stage.name,
            position=procedure.position(stage.name),
            completed_by=actor,
            role=role,
            completed_at=at,
            note=note,
        )
    )
    licence.stage = procedure.after(stage.name)
    if stage.name == procedure.clock.until:
        licence.decision_due = None  # decided: no clock runs any more


def procedure_view(session: Session, profile: Profile, licence_id: int) -> dict:
    """The file's place in its procedure: every stage with its status, who completed it and
    when, what it requires and what the file still lacks for the current one; the clock."""
    from cadastre.domain.procedure import missing

    licence = get_licence(session, licence_id)
    procedure = procedure_of(profile, licence)
    done = {
        s.stage: {"completed_by": s.completed_by, "completed_at": s.completed_at.isoformat(),
                  "role": s.role, "note": s.note}
        for s in session.scalars(
            select(LicenceStage).where(LicenceStage.licence_id == licence.id)
        )
    }  # fmt: skip
    waiting = licence.status in ("application", "approved")
    current = licence.stage if waiting else None
    rows = stage_rows(procedure, done, current)
    facts = file_facts(session, licence) if current else None
    for row in rows:
        if row["name"] in done:
            row["note"] = done[row["name"]]["note"]
        if row["status"] == "current" and facts is not None:
            row["missing"] = missing(procedure.stage(row["name"]), facts)
    clock = procedure.clock
    today = datetime.now(UTC).date()
    decided = clock.until in done
    received = licence.received_at.date() if licence.received_at else None
    due = licence.decision_due or (decision_due(clock, received) if received else None)
    return {
        "licence_id": licence.id,
        "code": licence.code,
        "licence_type": licence.licence_type,
        "status": licence.status,
        "current_stage": current,
        "stages": rows,
        "clock": {
            "days": clock.days,
            "count": clock.count,
            "until": clock.until,
            "source": clock.source,
            "due": due.isoformat() if due else None,
            "decided": decided,
            "overdue": bool(waiting and not decided and due and due < today),
        },
    }


def is_overdue(licence: Licence, today: date) -> bool:
    """Whether the decision on a waiting application is past its due day."""
    waiting = licence.stage is not None and licence.status in ("application", "approved")
    return bool(waiting and licence.decision_due is not None and licence.decision_due < today)


__all__ = [
    "STAGE_EVENT",
    "advance",
    "decision_gate",
    "enter_procedure",
    "file_facts",
    "is_overdue",
    "procedure_of",
    "procedure_view",
]
