"""Odd register files on the admin upload page: never a 500, never the database driver's words."""

from __future__ import annotations

import csv
import io

import pytest

from cadastre.services.users import add_user
from tests.importer import samples
from tests.importer.test_cli_web import PASSWORD, _login


@pytest.fixture
def admin(client, session):
    add_user(session, "imp_admin", "admin", password=PASSWORD)
    session.commit()
    return _login(client, "admin")


def _upload(client, token, data: bytes, name: str):
    return client.post(
        "/admin/import/",
        data={"csrf_token": token, "as_of": samples.AS_OF, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("where", ["licence no", "holder", "reg no", "minerals"])
def test_a_nul_inside_a_csv_register_is_refused_in_our_words(client, sewa, admin, tmp_path, where):
    text = samples.csv_wkt(tmp_path).read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    col = next(i for i, h in enumerate(header) if where in h.lower())
    cells[col] = cells[col][:3] + "\x00" + cells[col][3:]
    lines[1] = ",".join(cells)
    response = _upload(client, admin, "\n".join(lines).encode(), "register.csv")
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:800]
    assert "contains a NUL character" in html and "row 2" in html  # beside the file field
    assert 'id="import-file"' in html  # the form, redisplayed
    for driver_words in ("0x00", "psycopg", "NUL (0x00)", "invalid byte sequence"):
        assert driver_words not in html


def test_the_import_report_csv_quotes_formula_cells(client, sewa, admin, session, tmp_path):
    from sqlalchemy import select

    from cadastre.models.imports import ImportRun

    text = samples.csv_wkt(tmp_path).read_text(encoding="utf-8")
    lines = text.splitlines()
    header = lines[0].split(",")
    col = header.index("Holder")
    hostile = '=HYPERLINK(""http://x"",""y"")'  # CSV-escaped quotes
    for i in range(1, len(lines)):
        cells = lines[i].split(",")
        cells[col] = f'"{hostile}"'
        lines[i] = ",".join(cells)
    response = _upload(client, admin, "\n".join(lines).encode(), "register.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    run = session.scalars(select(ImportRun)).one()
    report = client.get(f"/admin/import/{run.id}/report.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(report)))
    holders = {r["holder"] for r in rows if r["holder"]}
    assert '\'=HYPERLINK("http://x","y")' in holders
    assert not any(h.startswith(("=", "+", "-", "@")) for h in holders)
