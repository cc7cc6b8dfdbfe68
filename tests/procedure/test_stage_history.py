"""Each completed stage is one history event carrying the stage in its snapshots (the one it
completed before, the one the file waits at next after), and the tamper-evident chain still
verifies after a file has walked its whole procedure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from licence_support import KONO, make_holder, rect
from sqlalchemy import select

from cadastre.models import LicenceEvent, LicenceStage
from cadastre.services.applications import register_application
from cadastre.services.chain import verify_chain
from cadastre.services.document_store import FileStore
from cadastre.services.procedure_walk import walk_procedure

#: The history actions of a completed stage: its own, or the decision it takes.
STAGE_ACTIONS = ("stage", "approve", "grant", "finalise")


@pytest.fixture
def store(tmp_path):
    return FileStore(str(tmp_path / "documents"))


def applied(session, profile, licence_type, kind="company"):
    holder = make_holder(session, kind, f"{licence_type} holder")
    size = 90 if licence_type == "artisanal" else 2000
    lon = KONO[0] + (0.05 if licence_type == "artisanal" else 0)
    lic = register_application(
        session, profile, holder_id=holder, licence_type=licence_type, commodities=["diamond"],
        geometry=rect(lon, KONO[1], size), actor="clerk", district="Kono",
        received_at=datetime.now(UTC) - timedelta(days=3),
    )  # fmt: skip
    session.flush()
    return lic


def stage_events(session, licence_id) -> list[LicenceEvent]:
    return session.scalars(
        select(LicenceEvent)
        .where(LicenceEvent.licence_id == licence_id, LicenceEvent.action.in_(STAGE_ACTIONS))
        .order_by(LicenceEvent.id)
    ).all()


@pytest.mark.parametrize(("licence_type", "kind"), [("exploration", "company"),
                                                     ("artisanal", "individual")])  # fmt: skip
def test_each_stage_is_one_event_with_the_stage_in_its_snapshots(
    empty_register, profile, store, licence_type, kind
):
    session = empty_register
    lic = applied(session, profile, licence_type, kind)
    procedure = profile.procedure(licence_type)
    names = [s.name for s in procedure.stages]
    walk_procedure(session, profile, lic.id, store=store)
    events = stage_events(session, lic.id)
    assert len(events) == len(names)
    for i, (event, name) in enumerate(zip(events, names, strict=True), 1):
        spec = procedure.stage(name)
        assert event.action == (spec.action or "stage")
        assert event.before["stage"] == name
        assert event.after["stage"] == (names[i] if i < len(names) else None)
        assert event.after["version"] == event.before["version"] + 1
        if spec.action is None:
            assert event.reason == f"Stage {i} of {len(names)}: {spec.label}"
    rows = session.scalars(
        select(LicenceStage).where(LicenceStage.licence_id == lic.id).order_by(LicenceStage.id)
    ).all()
    assert [(r.stage, r.position) for r in rows] == [(n, i) for i, n in enumerate(names, 1)]
    assert events[-1].after["status"] == "granted"
    result = verify_chain(session)
    assert result.ok, result.mismatch and result.mismatch.text()
    assert result.checked >= len(events)


def test_a_stage_note_is_kept_in_the_event_and_the_stage_row(empty_register, profile, store):
    from cadastre.services.stages import complete_stage

    session = empty_register
    lic = applied(session, profile, "artisanal", "individual")
    complete_stage(session, profile, lic.id, "plot_allocation", actor="clerk", role="officer",
                   note="  Allocated by the committee on 2 December.  ")  # fmt: skip
    (event,) = stage_events(session, lic.id)
    assert event.reason == (
        "Stage 1 of 8: Plot chosen with the Chiefdom Mining Allocation Committee. "
        "Allocated by the committee on 2 December."
    )
    row = session.scalar(select(LicenceStage).where(LicenceStage.licence_id == lic.id))
    assert row.note == "Allocated by the committee on 2 December."
    assert (row.completed_by, row.role) == ("clerk", "officer")


def test_cadastre_history_verify_after_a_walk(empty_register, profile, store, runner):
    session = empty_register
    for licence_type, kind in (("exploration", "company"), ("artisanal", "individual")):
        lic = applied(session, profile, licence_type, kind)
        walk_procedure(session, profile, lic.id, store=store)
    session.commit()
    result = runner.invoke(args=["history", "verify"])
    assert result.exit_code == 0, result.output
    assert "history chain OK" in result.output
