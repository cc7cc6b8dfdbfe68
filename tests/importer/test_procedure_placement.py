"""An application imported from a legacy register enters its type's procedure: at the first
stage, its decision clock started from its historical receipt, one history event saying so;
licences already decided stay out of any procedure, and a re-import places nothing again."""

from __future__ import annotations

from datetime import date

from licence_support import walk_to
from sqlalchemy import func, select

from cadastre.domain.procedure import decision_due
from cadastre.importer.service import import_register
from cadastre.models import Licence, LicenceEvent, LicenceStage
from cadastre.services.procedure import procedure_view
from tests.importer import samples

PENDING = "SML/2023/0007"  # "Pending", received "12 May 2023"


def _licences(session) -> dict[str, Licence]:
    return {lic.code: lic for lic in session.scalars(select(Licence))}


def _events(session, licence_id: int) -> list[LicenceEvent]:
    query = select(LicenceEvent).where(LicenceEvent.licence_id == licence_id)
    return session.scalars(query.order_by(LicenceEvent.id)).all()


def test_an_imported_application_waits_at_the_first_stage(sewa, session, profile, as_of, tmp_path):
    path = samples.csv_wkt(tmp_path)
    report = import_register(session, profile, path, as_of=as_of, actor="clerk")
    licences = _licences(session)
    pending = licences[PENDING]
    procedure = profile.procedure(pending.licence_type)
    assert pending.status == "application"
    assert pending.stage == procedure.first.name
    assert pending.decision_due == decision_due(procedure.clock, date(2023, 5, 12))
    # decided licences are in no procedure
    for code, lic in licences.items():
        if code != PENDING:
            assert lic.status != "application" and lic.stage is None, code
            assert lic.decision_due is None, code
    # one event for the move, after the import's own, by the importing user
    events = _events(session, pending.id)
    assert [e.action for e in events] == ["import", "procedure"]
    moved = events[-1]
    assert moved.actor == "clerk" and moved.after["stage"] == procedure.first.name
    assert f"stage 1 of {len(procedure.stages)}" in moved.reason
    assert f"import run {report.run_id}" in moved.reason and path.name in moved.reason
    assert moved.before["stage"] is None and moved.after["version"] == pending.version
    # nothing was completed for it: the file starts at the beginning, its decision overdue
    stages = select(func.count()).select_from(LicenceStage)
    assert session.scalar(stages.where(LicenceStage.licence_id == pending.id)) == 0
    view = procedure_view(session, profile, pending.id)
    assert view["current_stage"] == procedure.first.name
    assert view["clock"]["overdue"] is True  # due in 2023, still undecided
    # and it goes on like any application: its first stage can be completed
    walk_to(session, profile, pending.id, until=procedure.first.name)
    assert pending.stage == procedure.stages[1].name


def test_a_reimport_places_nothing_again(sewa, session, profile, as_of, tmp_path):
    path = samples.gpkg(tmp_path)
    import_register(session, profile, path, as_of=as_of)
    pending = _licences(session)[PENDING]
    version, stage = pending.version, pending.stage
    import_register(session, profile, path, as_of=as_of)
    session.expire_all()
    pending = session.get(Licence, pending.id)
    assert (pending.version, pending.stage) == (version, stage)
    assert [e.action for e in _events(session, pending.id)] == ["import", "procedure"]


def test_a_dry_run_places_nothing(sewa, session, profile, as_of, tmp_path):
    report = import_register(session, profile, samples.csv_wkt(tmp_path), as_of=as_of,
                             dry_run=True)  # fmt: skip
    assert report.dry_run and session.scalar(select(func.count()).select_from(Licence)) == 0
    assert session.scalar(select(func.count()).select_from(LicenceEvent)) == 0
