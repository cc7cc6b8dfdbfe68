"""CSV downloads: no cell runs as a formula, and a failure part-way is an error status,
never a cut-off file that looks complete (checked through a real HTTP server)."""

import csv
import io

import pytest
import requests
from sqlalchemy import update

from cadastre import csv_cells
from cadastre.exports import writers
from cadastre.models import Holder
from tests.conftest import serving
from tests.page_support import PASSWORD, login

NAMES = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-2+3", "@cmd", "\tTabbed Ltd"]


@pytest.fixture
def hostile(register, session):
    """Give the register's holders names a spreadsheet would run."""
    ids = [h for (h,) in session.execute(Holder.__table__.select().with_only_columns(Holder.id))]
    for hid, name in zip(ids, NAMES, strict=False):
        session.execute(update(Holder).where(Holder.id == hid).values(name=name))
    session.commit()
    return register


def test_export_csv_quotes_formula_cells_and_keeps_numbers(client, hostile):
    r = client.get("/collections/licences/export.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert rows and len(rows) == len(hostile)
    names = {row["holder_name"] for row in rows}
    assert names <= {"'" + n for n in NAMES}
    assert '\'=HYPERLINK("http://x","y")' in names
    for row in rows:
        assert float(row["area_ha"]) > 0  # a number stays a number
        assert not row["holder_name"].startswith(csv_cells.FORMULA_STARTS)


def _fail_after_first_chunk(monkeypatch):
    monkeypatch.setattr(writers, "CHUNK", 1)
    real = writers._rows

    def rows(session, stmt):
        parts = real(session, stmt)
        yield next(parts)
        raise RuntimeError("the database went away mid-export")

    monkeypatch.setattr(writers, "_rows", rows)


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_failing_part_way_is_an_error_not_a_short_file(app, register, monkeypatch, fmt):
    _fail_after_first_chunk(monkeypatch)
    with serving(app) as url:
        r = requests.get(f"{url}/collections/licences/export.{fmt}", timeout=60)
    assert r.status_code == 500
    assert "attachment" not in r.headers.get("Content-Disposition", "")
    assert "wkt" not in r.text and "FeatureCollection" not in r.text


def test_the_licence_list_csv_failing_part_way_is_an_error(
    app, client, register, session, monkeypatch
):
    from cadastre.services.users import add_user

    add_user(session, "t_viewer", "viewer", password=PASSWORD)
    session.commit()
    login(client, "viewer")
    whole = client.get("/licences.csv")
    assert whole.status_code == 200 and whole.get_data(as_text=True).count("\n") > 2
    written = []
    real = csv_cells.SafeWriter.writerow

    def writerow(self, row):
        if len(written) == 2:  # the header and one licence, then the database goes away
            raise RuntimeError("the database went away mid-list")
        written.append(row)
        real(self, row)

    monkeypatch.setattr(csv_cells.SafeWriter, "writerow", writerow)
    # plain http here: requests would not send the Secure session cookie back
    app.config.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    with serving(app) as url:
        http = requests.Session()
        page = http.get(f"{url}/login", timeout=30).text
        from tests.page_support import token

        http.post(
            f"{url}/login",
            timeout=30,
            data={"username": "t_viewer", "password": PASSWORD, "csrf_token": token(page)},
        )
        r = http.get(f"{url}/licences.csv", timeout=60)
    assert r.status_code == 500
    assert "attachment" not in r.headers.get("Content-Disposition", "")
