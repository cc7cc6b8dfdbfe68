"""A messy legacy register: column names in the clerks' own words, and titles that break
today's rules. Every title that exists in the world is imported (flagged, with the reason,
for an officer); only what cannot be recorded faithfully is refused; the priority date is
the earliest date the file gives, never the day of the import."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import shapely
from sqlalchemy import func, select

from cadastre.importer.mapping import resolve
from cadastre.importer.service import import_register
from cadastre.models import Licence, LicenceEvent
from cadastre.models.imports import ImportRun
from cadastre.officer.queries import ListFilter, filtered
from tests.importer.samples import _write_csv, rect

HEADER = ["licence_no", "lic_type", "Company Name", "holder_type", "status", "Minerals",
          "app_date", "date_of_grant", "expiry_dt", "WKT", "Remarks"]  # fmt: skip
OVERLAP = rect(-11.20, 8.40, 1000, 1000)
OVERLAPPING = shapely.affinity.translate(OVERLAP, xoff=0.003)  # a third of its width east
ROWS = [  # code, type, holder, kind, status, minerals, applied, granted, expires, area
    ("EL/2010/0001", "exploration", "Musa Bangura", "", "granted", "gold",
     "2009-11-02", "2010-01-15", "2030-01-15", rect(-11.50, 8.10, 3000, 3000)),
    ("EL/2010/0002", "exploration", "Fatu Koroma", "individual", "granted", "gold",
     "2009-12-01", "2010-02-01", "2030-02-01", rect(-11.60, 8.10, 3000, 3000)),
    ("AML/2015/0003", "artisanal", "Tongo Field Ltd", "company", "granted", "diamond",
     "2015-01-05", "2015-02-01", "2030-02-01", rect(-11.00, 8.30, 90, 90)),
    ("AML/2016/0004", "artisanal", "Sahr Komba", "individual", "granted", "diamond",
     "2016-01-05", "2016-02-01", "2030-02-01", rect(-11.05, 8.30, 200, 200)),
    ("SML/2017/0005", "small_scale", "Kono Miners Cooperative", "cooperative", "granted",
     "diamond", "2017-01-10", "2017-03-01", "2030-03-01", OVERLAP),
    ("SML/2017/0006", "small_scale", "Aminata Sesay", "individual", "granted", "diamond",
     "2017-02-10", "2017-04-01", "2030-04-01",
     OVERLAPPING),
    ("SML/2018/0007", "small_scale", "Brima Kallon", "individual", "granted", "gold",
     "", "2018-03-01", "2030-03-01", rect(-11.30, 8.20, 500, 500)),
    ("SML/2018/0008", "small_scale", "Isatu Conteh", "individual", "granted", "gold",
     "2018-06-01", "2018-05-01", "2030-05-01", rect(-11.35, 8.20, 500, 500)),
    ("SML/2019/0009", "small_scale", "Alie Turay", "individual", "application", "gold",
     "", "", "", rect(-11.40, 8.20, 500, 500)),
    ("EL/2019/0010", "exploration", "Lungi Gold Ltd", "company", "granted", "gold",
     "2019-01-01", "2019-02-01", "2030-02-01", "POLYGON((-11.1 8.1, -11.0 8.1, oops))"),
    ("EL/2019/0011", "exploration", "Kambia Bauxite Ltd", "company", "granted", "bauxite",
     "2019-01-01", "2019-02-01", "2030-02-01", rect(-11.00, 10.60, 3000, 3000)),
    ("LML/2012/0012", "large_scale", "Marampa Iron Ltd", "company", "granted", "iron ore",
     "2011-07-04", "2012-01-10", "2037-01-10", rect(-12.40, 8.70, 8000, 7000)),
]  # fmt: skip
REFUSED = {"EL/2019/0010", "EL/2019/0011"}


def _file(tmp_path):
    lines = []
    for row in ROWS:
        area = row[9]
        wkt = area if isinstance(area, str) else area.wkt
        lines.append([*row[:9], wkt, "checked 1998"])
    return _write_csv(tmp_path / "legacy register.csv", HEADER, lines)


@pytest.fixture
def imported(empty_register, profile, as_of, tmp_path):
    path = _file(tmp_path)
    return path, import_register(empty_register, profile, path, as_of=as_of)


def test_columns_are_matched_by_their_words_and_the_report_says_why(imported, empty_register):
    _, report = imported
    assert report.mapping | {"holder": report.mapping["holder"]} == {
        "code": "licence_no", "licence_type": "lic_type", "holder": "Company Name",
        "holder_kind": "holder_type", "status": "status", "commodities": "Minerals",
        "received_at": "app_date", "granted_at": "date_of_grant", "expires_at": "expiry_dt",
        "geometry": "WKT",
    }  # fmt: skip
    why = {m["column"]: (m["field"], m["why"]) for m in report.matching}
    assert why["date_of_grant"] == ("granted_at", "its words “date grant” match “grant date”")
    assert why["app_date"][0] == "received_at" and "“application date”" in why["app_date"][1]
    assert why["Remarks"] == (None, "not used: its words name no field of the register")
    assert [m["column"] for m in report.matching] == HEADER  # in the file's order
    stored = empty_register.scalars(select(ImportRun)).one().report
    assert stored["matching"] == report.matching
    assert "date_of_grant" in report.to_table(width=140)


@pytest.mark.parametrize(
    "column, field",
    [("date_of_grant", "granted_at"), ("grant_dt", "granted_at"), ("Date Granted", "granted_at"),
     ("DateOfGrant", "granted_at"), ("issue_date", "granted_at"), ("expiry_dt", "expires_at"),
     ("valid_to", "expires_at"), ("EXPIRY DATE", "expires_at"), ("valid_until", "expires_at"),
     ("exp_date", "expires_at"), ("app_date", "received_at"), ("appl_dt", "received_at"),
     ("DateReceived", "received_at"), ("reg_no", "holder_registration"),
     ("LicenceNbr", "code"), ("holder_kind", "holder_kind")],
)  # fmt: skip
def test_a_column_name_is_read_by_its_words(column, field):
    assert resolve(["Type", column]).columns.get(field) == column


def test_a_column_that_could_be_several_fields_stays_unmapped_with_a_note():
    mapping = resolve(["licence_no", "Date", "grant_dt"])
    assert mapping.columns == {"code": "licence_no", "granted_at": "grant_dt"}
    note = {m["column"]: m["why"] for m in mapping.matching()}["Date"]
    assert "the application date and the grant date and the expiry date equally well" in note


def test_titles_breaking_todays_rules_are_imported_and_flagged(imported, empty_register, profile):
    _, report = imported
    session = empty_register
    outcomes = {r.code: r.outcome for r in report.rows}
    assert {c for c, o in outcomes.items() if o == "refused"} == REFUSED
    stored = dict(session.execute(select(Licence.code, Licence.flags)).all())
    assert set(stored) == {r[0] for r in ROWS} - REFUSED  # nothing else is dropped

    def flags(code):
        row = report.row(code)
        assert row.outcome == "flagged", (code, row.reasons)
        assert stored[code] == row.flags  # kept on the licence for the officer
        return " ".join(row.flags)

    assert "may be held only by a company; Musa Bangura is an individual. (The holder's " \
           "kind was guessed from the name.)" in flags("EL/2010/0001")  # fmt: skip
    assert "may be held only by a company; Fatu Koroma is an individual." in flags("EL/2010/0002")
    assert "an artisanal licence may cover at most 1 ha" in flags("AML/2016/0004")
    assert "Overlaps SML/2017/0006 (granted) by" in flags("SML/2017/0005")
    assert "Overlaps SML/2017/0005 (granted) by" in flags("SML/2017/0006")
    # a company holding an artisanal licence: flagged where the profile's law forbids it
    company = report.row("AML/2015/0003")
    if "company" in profile.licence_types["artisanal"].holder_kinds:
        assert company.outcome == "imported with warnings" and not company.flags
    else:
        assert "Tongo Field Ltd is a company" in flags("AML/2015/0003")
    assert report.row("LML/2012/0012").flags == []
    assert "cannot be read" in " ".join(report.row("EL/2019/0010").reasons)
    assert "lies entirely outside Sierra Leone" in " ".join(report.row("EL/2019/0011").reasons)

    # the officer list finds exactly the flagged licences
    asked = ListFilter.from_args({"flagged": "1"}, profile)
    listed = {lic.code for lic, _ in session.execute(filtered(asked))}
    assert listed == {code for code, f in stored.items() if f}
    assert "EL/2010/0001" in listed and "LML/2012/0012" not in listed


def test_the_priority_date_is_the_earliest_date_the_file_gives(imported, empty_register):
    _, report = imported
    received = dict(empty_register.execute(select(Licence.code, Licence.received_at)).all())
    day = lambda y, m, d: datetime(y, m, d, tzinfo=UTC)  # noqa: E731
    assert received["LML/2012/0012"] == day(2011, 7, 4)  # the application date
    assert received["SML/2018/0007"] == day(2018, 3, 1)  # none: the grant date
    assert "No date of application in the file; the grant date 2018-03-01 is taken as the " \
           "priority date." in report.row("SML/2018/0007").flags  # fmt: skip
    assert received["SML/2018/0008"] == day(2018, 5, 1)  # applied after the grant: earliest
    assert "after the grant date 2018-05-01" in " ".join(report.row("SML/2018/0008").flags)
    assert received["SML/2019/0009"] is None  # no date at all: unknown, not the import day
    assert "the priority date is unknown" in " ".join(report.row("SML/2019/0009").flags)
    numbers = dict(empty_register.execute(select(Licence.code, Licence.application_number)).all())
    assert numbers["LML/2012/0012"] < numbers["SML/2018/0008"] < numbers["SML/2019/0009"]


def test_reimporting_the_legacy_file_changes_nothing(imported, empty_register, profile, as_of):
    path, first = imported
    session = empty_register
    flags = dict(session.execute(select(Licence.code, Licence.flags)).all())
    events = session.scalar(select(func.count()).select_from(LicenceEvent))
    again = import_register(session, profile, path, as_of=as_of)
    assert {r.code for r in again.rows if r.outcome == "unchanged"} == {
        r[0] for r in ROWS
    } - REFUSED
    assert dict(session.execute(select(Licence.code, Licence.flags)).all()) == flags  # no twice
    assert session.scalar(select(func.count()).select_from(LicenceEvent)) == events
