"""Re-import, changed rows, dry run, interruption, whole-file refusals, code counters."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlalchemy import func, select, text

from cadastre.errors import ValidationError
from cadastre.importer.service import import_register
from cadastre.models import Holder, Licence, LicenceEvent
from cadastre.models.imports import ImportRun, LicenceConflict
from cadastre.services.licences import next_code
from tests.importer import samples

TABLES = (Licence, Holder, LicenceEvent, ImportRun, LicenceConflict)


def counts(session) -> dict[str, int]:
    return {t.__tablename__: session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def state(session) -> list[tuple]:
    return session.execute(
        text(
            "SELECT code, status, version, holder_id, granted_at, expires_at, "
            "ST_AsBinary(geom), updated_at FROM licences ORDER BY code"
        )
    ).all()


def test_reimporting_the_same_file_changes_nothing(sewa, session, profile, as_of, tmp_path):
    path = samples.gpkg(tmp_path)
    first = import_register(session, profile, path, as_of=as_of)
    before, rows_before = counts(session), state(session)

    again = import_register(session, profile, path, as_of=as_of)

    outcomes = {r.code: r.outcome for r in again.rows}
    assert outcomes == {
        c: ("refused" if o == "refused" else "unchanged") for c, o in samples.EXPECTED.items()
    }
    after = counts(session)
    assert after.pop("import_runs") == before.pop("import_runs") + 1  # the run is recorded
    assert after == before
    assert state(session) == rows_before
    # the unchanged overlapping rows still say so
    assert "Overlaps EL/2021/0002" in " ".join(again.row("EL/2021/0001").reasons)
    assert [r.licence_id for r in again.rows] == [r.licence_id for r in first.rows]


def test_a_changed_row_updates_the_licence_with_history(sewa, session, profile, as_of, tmp_path):
    path = samples.csv_wkt(tmp_path)
    import_register(session, profile, path, as_of=as_of)
    lml = session.scalars(select(Licence).where(Licence.code == "LML/2015/0002")).one()
    lml_id, version = lml.id, lml.version

    rows = list(csv.reader(open(path, encoding="utf-8")))
    for row in rows[1:]:
        if row[0] == "LML/2015/0002":
            row[5], row[9] = "Suspended", "01/02/2041"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    report = import_register(session, profile, path, as_of=as_of, actor="clerk")

    assert report.row("LML/2015/0002").outcome == "updated"
    assert report.counts["updated"] == 1 and report.counts["unchanged"] == samples.IMPORTED - 1
    session.expire_all()
    lml = session.get(Licence, lml_id)
    assert (lml.status, lml.expires_at, lml.version) == ("suspended", date(2041, 2, 1), version + 1)
    events = session.scalars(
        select(LicenceEvent).where(LicenceEvent.licence_id == lml_id).order_by(LicenceEvent.id)
    ).all()
    assert [e.action for e in events] == ["import", "import_update"]
    update = events[1]
    assert update.actor == "clerk" and report.checksum in update.reason
    assert update.before["status"] == "granted" and update.after["status"] == "suspended"
    assert update.before["expires_at"] == "2040-02-01"
    assert update.after["expires_at"] == "2041-02-01"
    # the other licences have still their import event each, and the pending application its
    # placement in its procedure, made by the first import only
    others = session.scalars(
        select(LicenceEvent.action).where(LicenceEvent.licence_id != lml_id)
    ).all()
    assert sorted(others) == ["import"] * (samples.IMPORTED - 1) + ["procedure"]


def test_dry_run_changes_nothing_and_gives_the_same_report(sewa, session, profile, as_of, tmp_path):
    path = samples.xlsx(tmp_path)
    before = counts(session)
    dry = import_register(session, profile, path, as_of=as_of, dry_run=True)
    assert counts(session) == before
    assert dry.dry_run and dry.run_id is None
    real = import_register(session, profile, path, as_of=as_of)
    assert [(r.row, r.code, r.outcome, r.reasons) for r in dry.rows] == [
        (r.row, r.code, r.outcome, r.reasons) for r in real.rows
    ]
    assert dry.conflicts == real.conflicts
    assert counts(session)["licences"] == samples.IMPORTED


def test_an_interrupted_import_leaves_nothing_behind(sewa, session, profile, as_of, tmp_path):
    path = samples.geojson(tmp_path)
    before = counts(session)
    seen = []

    def progress(done, total):
        seen.append(done)
        if done > len(samples.ROWS):  # the writing half has begun: rows are in the database
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_register(session, profile, path, as_of=as_of, progress=progress)
    assert seen[-1] > len(samples.ROWS)
    assert counts(session) == before
    # and the session is usable: the same file imports cleanly afterwards
    report = import_register(session, profile, path, as_of=as_of)
    assert len(report.rows) - report.counts["refused"] == samples.IMPORTED


def test_a_file_without_needed_columns_is_refused_whole(sewa, session, profile, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Name,Area\nSewa,12\n", encoding="utf-8")
    before = counts(session)
    with pytest.raises(ValidationError) as caught:
        import_register(session, profile, path)
    fields = {e["field"] for e in caught.value.errors}
    assert {"code", "licence_type", "geometry"} <= fields
    assert "mapping file" in caught.value.detail
    assert counts(session) == before


def test_a_mapping_file_names_columns_and_adds_synonyms(sewa, session, profile, as_of, tmp_path):
    path = tmp_path / "odd.csv"
    ring = samples._wkt(samples.ROWS[8])
    path.write_text(
        "Ref,Kind of title,Who,Shape,Mineral,State,Lodged\n"
        f'X-1,Mining Lease,Sewa Resources Ltd,"{ring}",iron ore,good standing,2015-01-01\n',
        encoding="utf-8",
    )
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns: {code: Ref, licence_type: Kind of title, holder: Who, geometry: Shape, "
        "status: State}\n"
        "synonyms: {licence_type: {Mining Lease: large_scale}, status: {good standing: granted}}\n",
        encoding="utf-8",
    )
    report = import_register(session, profile, path, mapping=mapping, as_of=as_of)
    row = report.row("X-1")
    assert row.outcome == "flagged", row.reasons
    assert row.flags == ["The licence is granted but has no grant date."]
    lic = session.scalars(select(Licence).where(Licence.code == "X-1")).one()
    assert (lic.licence_type, lic.status, lic.holder_id) == ("large_scale", "granted", sewa.id)

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("columns: {code: Licence Number}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        import_register(session, profile, path, mapping=wrong, as_of=as_of)
    assert caught.value.errors[0]["field"] == "columns.code"
    assert "has no column “Licence Number”" in caught.value.errors[0]["message"]


def test_issued_codes_stay_ahead_of_imported_ones(sewa, session, profile, as_of, tmp_path):
    import_register(session, profile, samples.csv_wkt(tmp_path), as_of=as_of)
    assert next_code(session, "EL", 2021) == "EL/2021/0003"
    assert next_code(session, "LML", 2015) == "LML/2015/0003"


def test_dates_after_the_as_of_date_are_imported_and_flagged(sewa, session, profile, tmp_path):
    report = import_register(session, profile, samples.csv_wkt(tmp_path), as_of=date(2021, 2, 1))
    row = report.row("EL/2021/0001")
    assert row.outcome == "flagged"
    assert "The grant date 2021-03-15 is after the as-of date 2021-02-01." in row.flags
    lic = session.scalars(select(Licence).where(Licence.code == "EL/2021/0001")).one()
    assert lic.granted_at == date(2021, 3, 15) and row.flags[0] in lic.flags


def test_new_holders_are_announced_once_and_kinds_flagged(sewa, session, profile, as_of, tmp_path):
    geoms = [samples.rect(-11.5, 8.2, 900, 900), samples.rect(-11.6, 8.2, 900, 900),
             samples.rect(-11.7, 8.2, 900, 900)]  # fmt: skip
    path = tmp_path / "holders.csv"
    lines = ["Licence No,Type,Holder,Holder Type,Status,Minerals,Date of application,WKT"]
    lines.append(
        f'SML/1,small_scale,Gbla Diamonds Ltd,,granted,diamond,2020-01-01,"{geoms[0].wkt}"'
    )
    lines.append(
        f'SML/2,small_scale,Gbla Diamonds Ltd,,granted,diamond,2020-01-02,"{geoms[1].wkt}"'
    )
    lines.append(
        f'EL/3,exploration,Musu Conteh,individual,granted,gold,2020-01-03,"{geoms[2].wkt}"'
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_register(session, profile, path, as_of=as_of)
    first, second, third = (report.row(c) for c in ("SML/1", "SML/2", "EL/3"))
    assert any("“Gbla Diamonds Ltd” was not in the register" in r for r in first.reasons)
    assert not any("was not in the register" in r for r in second.reasons)
    assert third.outcome == "flagged"  # a title held against today's rule stands, flagged
    assert "may be held only by a company; Musu Conteh is an individual" in " ".join(third.flags)
    gbla = session.scalars(select(Holder).where(Holder.name == "Gbla Diamonds Ltd")).one()
    assert gbla.kind == "company"
    musu = session.scalars(select(Holder).where(Holder.name == "Musu Conteh")).one()
    assert musu.kind == "individual"


def test_an_overlap_with_a_licence_already_in_the_register_is_flagged(
    sewa, session, profile, as_of, tmp_path
):
    """The file's own overlaps are found beside the import; one with a licence the file does
    not hold is found in the register, and flagged all the same."""
    first, second = (r for r in samples.ROWS if r["code"] in ("EL/2021/0001", "EL/2021/0002"))
    header = samples.ATTRS + ["WKT"]
    import_register(
        session,
        profile,
        samples._write_csv(
            tmp_path / "one.csv", header, [samples._attrs(first) + [samples._wkt(first)]]
        ),
        as_of=as_of,
    )
    assert session.scalar(select(func.count()).select_from(LicenceConflict)) == 0
    report = import_register(
        session,
        profile,
        samples._write_csv(
            tmp_path / "two.csv", header, [samples._attrs(second) + [samples._wkt(second)]]
        ),
        as_of=as_of,
    )
    stored = session.execute(
        text(
            "SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) / 10000 "
            "FROM licences a, licences b WHERE a.code = 'EL/2021/0001' AND b.code = 'EL/2021/0002'"
        )
    ).scalar_one()
    conflict = session.scalars(select(LicenceConflict)).one()
    assert conflict.overlap_ha == pytest.approx(stored, rel=1e-9)
    assert "Overlaps EL/2021/0001 (granted) by 714.7" in " ".join(
        report.row("EL/2021/0002").reasons
    )
    assert report.conflicts == [
        {"licence": "EL/2021/0002", "other": "EL/2021/0001", "overlap_ha": round(stored, 4)}
    ]
