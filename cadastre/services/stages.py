"""Completing a stage of an application's procedure: the one function every path calls (the
API's ``POST /api/licences/{id}/stages/{stage}``, the officer's page, training, the demo).

A stage that takes a decision takes it through the lifecycle (``perform_action``), which
records the stage; any other is recorded here with its own history event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from cadastre.domain.procedure import check_stage
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.services.expiry import locked_licence
from cadastre.services.history import record_event, snapshot
from cadastre.services.lifecycle import perform_action
from cadastre.services.procedure import STAGE_EVENT, advance, file_facts, procedure_of


def complete_stage(
    session: Session,
    profile: Profile,
    licence_id: int,
    stage_name: str,
    *,
    actor: str,
    role: str,
    note: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Licence:
    """Complete the stage the application waits at: in order, by a role the stage allows,
    with what it requires on file; a decision stage takes its decision (``perform_action``).
    One history event either way."""
    when = at or datetime.now(UTC)
    licence = locked_licence(session, licence_id, expected_version, when)
    procedure = procedure_of(profile, licence)
    current = licence.stage if licence.status in ("application", "approved") else None
    stage = check_stage(procedure, stage_name, current, role, file_facts(session, licence))
    note = (note or "").strip() or None
    if stage.action is not None:
        return perform_action(
            session, profile, licence_id, stage.action, actor=actor, role=role, reason=note, at=when
        )
    before = snapshot(licence)
    advance(session, procedure, licence, stage, actor=actor, role=role, at=when, note=note)
    licence.version += 1
    session.flush()
    words = f"Stage {procedure.position(stage.name)} of {len(procedure.stages)}: {stage.label}"
    record_event(
        session,
        licence,
        STAGE_EVENT,
        actor=actor,
        before=before,
        reason=f"{words}. {note}" if note else words,
        at=when,
    )
    session.flush()
    return licence
