"""Border measuring run ahead on a second connection: same answers, and never stale."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from cadastre.importer import insert
from cadastre.importer.service import import_register
from cadastre.models import Licence
from cadastre.services.border import ASSESSED_COLUMNS, assess
from cadastre.services.boundaries import import_boundary_file
from tests.border.test_recompute import _shifted_boundaries
from tests.importer import samples


@pytest.fixture
def measured_in_transaction(monkeypatch):
    """How many rows the import had to measure itself (not ahead), per import."""
    counts: list[int] = []
    original = insert.measure_batches

    def spy(*args, **kwargs):
        batches = list(original(*args, **kwargs))
        counts.append(sum(len(b) for b in batches))
        return batches

    monkeypatch.setattr(insert, "measure_batches", spy)
    return counts


def _assessments(session) -> dict[str, tuple]:
    licences = session.scalars(select(Licence).order_by(Licence.code)).all()
    return {lic.code: tuple(getattr(lic, c) for c in ASSESSED_COLUMNS) for lic in licences}


def _reassessed(session, profile) -> dict[str, tuple]:
    for licence in session.scalars(select(Licence)).all():
        assess(session, profile, licence)
    return _assessments(session)


@pytest.mark.parametrize("min_part", [2000, 1])  # one measuring connection, then two
def test_licences_measured_ahead_are_assessed_as_one_by_one(
    sewa, session, profile, as_of, tmp_path, measured_in_transaction, monkeypatch, min_part
):
    from cadastre.importer import ahead

    monkeypatch.setattr(ahead, "MIN_PART", min_part)
    report = import_register(session, profile, samples.gpkg(tmp_path), as_of=as_of)
    assert len(report.rows) - report.counts["refused"] == samples.IMPORTED
    assert measured_in_transaction == []  # all were measured ahead
    imported = _assessments(session)
    assert all(values[0] is not None for values in imported.values())
    assert imported == _reassessed(session, profile)


def test_a_boundary_change_in_the_importing_transaction_is_not_measured_ahead(
    sewa, session, profile, as_of, tmp_path, measured_in_transaction
):
    """The second connection sees only committed boundaries; the import must notice."""
    import_boundary_file(
        session,
        profile,
        str(_shifted_boundaries(session, tmp_path)),
        source="Shifted test boundaries",
        version="t2",
        uncertainty_km=0.5,
    )
    import_register(session, profile, samples.gpkg(tmp_path), as_of=as_of)
    assert measured_in_transaction == [samples.IMPORTED]  # the ahead results were set aside
    imported = _assessments(session)
    assert {values[3] for values in imported.values()} == {"Shifted test boundaries t2"}
    assert imported == _reassessed(session, profile)


def test_an_interrupted_import_stops_the_measuring_ahead(
    sewa, session, profile, as_of, tmp_path, monkeypatch
):
    """Ctrl-C while the second connection is busy: its statement is cancelled, not awaited."""
    from sqlalchemy import text

    from cadastre.importer import ahead, service

    started: list[ahead.MeasureAhead] = []

    def slow_measure(s, *args, **kwargs):
        s.execute(text("SELECT pg_sleep(60)"))
        return []

    class Recorded(ahead.MeasureAhead):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    def interrupt(done, total):
        time.sleep(0.5)  # let the second connection reach its statement
        raise KeyboardInterrupt

    monkeypatch.setattr(ahead, "measure_batches", slow_measure)
    monkeypatch.setattr(service, "MeasureAhead", Recorded)
    before = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        import_register(session, profile, samples.gpkg(tmp_path), as_of=as_of, progress=interrupt)
    assert time.monotonic() - before < 15
    assert not started[0]._thread.is_alive()
    assert "cancel" in str(started[0].error).lower()
    assert session.scalar(select(func.count()).select_from(Licence)) == 0
