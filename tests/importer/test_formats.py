"""The messy sample register in every format: the report row by row, and what was stored."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from cadastre.importer.service import import_register
from cadastre.models import Holder, Licence, LicenceEvent
from cadastre.models.imports import ImportRun, LicenceConflict
from cadastre.services.history import snapshot
from tests.importer import samples

FORMATS = {
    "csv-wkt": samples.csv_wkt,
    "csv-utm-corners": samples.csv_utm,
    "xlsx": samples.xlsx,
    "geojson": samples.geojson,
    "gpkg": samples.gpkg,
    "shapefile-zip": samples.shapefile_zip,
    "kml": samples.kml,
}
#: The reason each refused row must give, in words (corner-list wording for the UTM file).
REASONS = {
    "AML/2022/0005": ("is not closed", "Only 2 distinct corners"),
    "SML/2022/0003": ("look like latitude, longitude", "read easting first, then northing"),
    "QP/2020/0001": ("“Quarry Permit” is not known",) * 2,
    "EL/2020/0009": ("lies entirely outside Sierra Leone",) * 2,
}


#: How the swapped-axes reason names where the coordinates came from.
SWAP_SOURCE = {"csv-wkt": "WKT", "xlsx": "WKT", "geojson": "GeoJSON", "gpkg": "a GeoPackage",
               "shapefile-zip": "a Shapefile", "kml": "KML"}  # fmt: skip


def write_sample(fmt: str, folder):
    out = FORMATS[fmt](folder)
    return out if isinstance(out, tuple) else (out, None)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_format_is_imported_with_a_report_row_by_row(
    fmt, sewa, session, profile, as_of, tmp_path
):
    path, mapping = write_sample(fmt, tmp_path)
    report = import_register(session, profile, path, mapping=mapping, as_of=as_of, actor="t")

    assert {r.code: r.outcome for r in report.rows} == samples.EXPECTED
    assert len(report.rows) == len(samples.ROWS)
    utm = fmt == "csv-utm-corners"
    for code, wording in REASONS.items():
        reasons = " ".join(report.row(code).reasons)
        assert wording[1 if utm else 0] in reasons, (code, reasons)
        assert report.row(code).licence_id is None
    if not utm:
        swapped = " ".join(report.row("SML/2022/0003").reasons)
        assert f"{SWAP_SOURCE[fmt]} wants longitude, latitude" in swapped, swapped
    assert report.row("LML/2015/0002").reasons == []
    # a title over today's area limit exists in the world: imported, flagged with the reason
    over = report.row("AML/2023/0010")
    assert over.flags == ["The area is 3.97 ha; an artisanal licence may cover at most 1 ha."]
    assert over.flags[0] in over.reasons and over.licence_id is not None
    assert "“Moa Gold Ltd” was not in the register; registered as a company" in " ".join(
        report.row("EL/2021/0002").reasons
    )
    assert "registered as a cooperative" in " ".join(report.row("SML/2023/0007").reasons)

    # the legacy overlap is imported on both sides, flagged once, with its area measured
    stored = session.execute(
        text(
            "SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) / 10000 "
            "FROM licences a, licences b WHERE a.code = 'EL/2021/0001' AND b.code = 'EL/2021/0002'"
        )
    ).scalar_one()
    assert stored == pytest.approx(714.73, abs=0.05)
    conflicts = session.scalars(select(LicenceConflict)).all()
    assert len(conflicts) == 1 and conflicts[0].resolved is False
    assert conflicts[0].overlap_ha == pytest.approx(stored, rel=1e-9)
    for code, other in (("EL/2021/0001", "EL/2021/0002"), ("EL/2021/0002", "EL/2021/0001")):
        assert f"Overlaps {other} (granted) by 714.7" in " ".join(report.row(code).reasons)
    assert report.conflicts == [
        {"licence": "EL/2021/0001", "other": "EL/2021/0002", "overlap_ha": round(stored, 4)}
    ]

    # exactly the accepted rows are in the register, the flagged ones with their flags
    flags = dict(session.execute(text("SELECT code, flags FROM licences")).all())
    assert flags["AML/2023/0010"] == over.flags and flags["LML/2015/0002"] == []
    assert flags["EL/2021/0001"] == [r for r in report.row("EL/2021/0001").reasons
                                     if r.startswith("Overlaps")]  # fmt: skip
    licences = {lic.code: lic for lic in session.scalars(select(Licence))}
    assert set(licences) == {c for c, o in samples.EXPECTED.items() if o != "refused"}
    assert licences["EL/2021/0001"].holder_id == sewa.id  # matched by registration number
    assert licences["LML/2015/0002"].holder_id == sewa.id  # "SEWA RESOURCES LTD"
    moa = session.get(Holder, licences["EL/2021/0002"].holder_id)
    assert (moa.name, moa.kind, moa.registration_number) == (
        "Moa Gold Ltd",
        "company",
        "SL-CR-2002",
    )
    coop = session.get(Holder, licences["SML/2023/0007"].holder_id)
    assert (coop.name, coop.kind) == ("Kono Miners Cooperative", "cooperative")
    abu = session.get(Holder, licences["AML/2023/0010"].holder_id)
    assert (abu.name, abu.kind) == ("Abu Sesay", "individual")
    assert session.scalar(select(func.count()).select_from(Holder)) == 4

    # statuses from synonyms, dates from four notations, historical receipt kept
    el1, el2 = licences["EL/2021/0001"], licences["EL/2021/0002"]
    sml, lml = licences["SML/2023/0007"], licences["LML/2015/0002"]
    assert (el1.status, el2.status, sml.status, lml.status) == (
        "granted",
        "granted",
        "application",
        "granted",
    )
    assert el1.received_at == datetime(2021, 1, 10, tzinfo=UTC)
    assert (el1.granted_at, el1.expires_at) == (date(2021, 3, 15), date(2025, 3, 15))
    assert el2.received_at == datetime(2021, 4, 14, tzinfo=UTC)  # Excel serial 44300
    assert sml.received_at == datetime(2023, 5, 12, tzinfo=UTC)  # "12 May 2023"
    assert (lml.granted_at, lml.expires_at) == (date(2015, 2, 1), date(2040, 2, 1))
    assert el1.commodities == ["diamond", "gold"] and lml.commodities == ["iron_ore"]
    assert lml.licence_type == "large_scale" and sml.licence_type == "small_scale"
    # first come, first served order follows the historical receipt dates
    numbers = sorted(licences.values(), key=lambda lic: lic.application_number)
    assert [lic.code for lic in numbers] == [
        "LML/2015/0002",
        "EL/2021/0001",
        "EL/2021/0002",
        "AML/2023/0010",
        "SML/2023/0007",
    ]

    # one history event each, naming the import, the file and its checksum; an application
    # then placed at the first stage of its procedure, with an event of its own
    run = session.scalars(select(ImportRun)).one()
    assert run.checksum == report.checksum and len(run.checksum) == 64
    assert run.counts["refused"] == 4 and run.report["rows"][0]["code"] == "EL/2021/0001"
    events = session.scalars(select(LicenceEvent).order_by(LicenceEvent.id)).all()
    imported = [e for e in events if e.action == "import"]
    assert sorted(e.licence_id for e in imported) == sorted(lic.id for lic in licences.values())
    for e in imported:
        assert e.actor == "t" and e.before is None
        assert path.name in e.reason and run.checksum in e.reason
    placed = [e for e in events if e.action != "import"]
    assert [e.licence_id for e in placed] == [sml.id] and sml.status == "application"
    assert placed[0].action == "procedure" and placed[0].actor == "t"
    assert f"import run {run.id}" in placed[0].reason
    for lic in licences.values():  # each licence's last event is as it stands (as any event)
        last = [e for e in events if e.licence_id == lic.id][-1]
        assert last.after == snapshot(lic)


def test_imported_licences_are_border_assessed(sewa, session, profile, as_of, tmp_path):
    pytest.importorskip("cadastre.services.border", reason="the border engine is not in this tree")
    report = import_register(session, profile, samples.gpkg(tmp_path), as_of=as_of)
    assert report.border == f"assessed {samples.IMPORTED} licences"
    rows = session.execute(
        text(
            "SELECT code, border_tier, border_distance_km, boundary_source, version "
            "FROM licences ORDER BY code"
        )
    ).all()
    assert len(rows) == samples.IMPORTED
    waiting = {"SML/2023/0007"}  # the pending application, placed in its procedure after
    for code, _tier, km, source, version in rows:
        assert km is not None and km > 0 and source, code
        assert version == (2 if code in waiting else 1)
    # the nearest land border measured independently in PostGIS agrees
    km = session.execute(
        text(
            "SELECT min(ST_Distance(l.geom::geography, b.geom::geography)) / 1000 "
            "FROM licences l, border_lines b WHERE l.code = 'SML/2023/0007'"
        )
    ).scalar_one()
    got = session.execute(
        text("SELECT border_distance_km FROM licences WHERE code = 'SML/2023/0007'")
    ).scalar_one()
    assert got == pytest.approx(km, abs=0.05)
    others = select(LicenceEvent.action).where(LicenceEvent.action != "import")
    assert session.scalars(others).all() == ["procedure"] * len(waiting)
