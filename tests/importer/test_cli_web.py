"""`cadastre import` on the command line and the admin upload page."""

from __future__ import annotations

import io
import json
import re

from sqlalchemy import func, select

from cadastre.models import Licence
from cadastre.models.imports import ImportRun
from cadastre.services.users import add_user
from tests.importer import samples

PASSWORD = "correct-horse-battery"


def test_cli_dry_run_prints_the_report_and_changes_nothing(runner, sewa, session, tmp_path):
    path = samples.gpkg(tmp_path)
    out = tmp_path / "report.json"
    result = runner.invoke(
        args=["import", str(path), "--dry-run", "--as-of", samples.AS_OF, "--report", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "EL/2020/0009" in result.output and "refused" in result.output
    assert "dry run (nothing changed)" in result.output
    assert "Grant_Date           -> granted_at: its words “grant date”" in result.output
    assert "import (dry run): done" in result.output  # progress line
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["dry_run"] is True and report["counts"]["refused"] == 4
    assert {r["code"]: r["outcome"] for r in report["rows"]} == samples.EXPECTED
    assert session.scalar(select(func.count()).select_from(Licence)) == 0


def test_cli_import_with_mapping_and_csv_output(runner, sewa, session, tmp_path):
    path, mapping = samples.csv_utm(tmp_path)
    result = runner.invoke(
        args=["import", str(path), "--mapping", str(mapping), "--as-of", samples.AS_OF,
              "--format", "csv"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith(("row ", "row,"))]
    assert lines[0].startswith("row,code,outcome,reason")
    assert any("AML/2022/0005,refused,Only 2 distinct corners" in ln for ln in lines)
    assert session.scalar(select(func.count()).select_from(Licence)) == samples.IMPORTED


def test_cli_refuses_a_bad_mapping_with_the_reason(runner, sewa, tmp_path):
    path = samples.csv_wkt(tmp_path)
    bad = tmp_path / "map.yaml"
    bad.write_text("columns: {code: Nope}\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--mapping", str(bad)])
    assert result.exit_code == 2
    assert "columns.code: the file has no column “Nope”" in result.output
    assert "nothing was imported" in result.output


def _token(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


def _login(client, role: str) -> str:
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"username": f"imp_{role}", "password": PASSWORD,
                                "csrf_token": _token(page)})  # fmt: skip
    return _token(client.get("/admin/import/").get_data(as_text=True)) if role == "admin" else ""


def test_admin_uploads_a_register_and_sees_the_report(client, sewa, session, tmp_path):
    for role in ("officer", "admin"):
        add_user(session, f"imp_{role}", role, password=PASSWORD)
    session.commit()
    assert client.get("/admin/import/").status_code == 302  # to sign-in
    _login(client, "officer")
    assert client.get("/admin/import/").status_code == 403
    client.post(
        "/logout", data={"csrf_token": _token(client.get("/dashboard").get_data(as_text=True))}
    )

    token = _login(client, "admin")
    html = client.get("/admin/import/").get_data(as_text=True)
    for name in ("import-file", "import-mapping", "import-as-of", "import-dry-run"):
        assert re.search(rf'<label[^>]*for="{name}"', html), name

    data = samples.kml(tmp_path).read_bytes()
    response = client.post(
        "/admin/import/",
        data={"csrf_token": token, "as_of": samples.AS_OF,
              "file": (io.BytesIO(data), "legacy.kml")},
        content_type="multipart/form-data",
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:500]
    assert "Report: legacy.kml" in html
    assert html.count('class="outcome-refused"') == 4
    assert "lies entirely outside Sierra Leone" in html
    assert "<h3>Columns of the file</h3>" in html
    assert "<td>Expiry_Date</td><td>expires_at</td>" in html
    features = json.loads(
        re.search(r"data-geojson='([^']+)'", html).group(1).replace("&#34;", '"')
    )["features"]
    assert {f["properties"]["outcome"] for f in features} >= {"imported", "refused"}
    run = session.scalars(select(ImportRun)).one()
    assert run.file_name == "legacy.kml" and run.actor == "import:imp_admin"
    csv_text = client.get(f"/admin/import/{run.id}/report.csv").get_data(as_text=True)
    assert "EL/2020/0009,refused" in csv_text
    assert "legacy.kml" in client.get(f"/admin/import/{run.id}").get_data(as_text=True)

    bad = client.post(
        "/admin/import/",
        data={"csrf_token": token, "file": (io.BytesIO(b"x"), "notes.docx")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "cannot be imported" in bad.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ImportRun)) == 1
