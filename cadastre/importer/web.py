"""Admin web page: upload a register file, see the report as a table with the rows on a map."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, render_template, request
from sqlalchemy import select

from cadastre.auth import WEB, current_actor
from cadastre.db import unit_of_work
from cadastre.errors import NotFound, ValidationError
from cadastre.http_errors import MAX_UPLOAD_BODY, max_body
from cadastre.importer.readers import detect_format
from cadastre.importer.report import ImportReport
from cadastre.models.imports import ImportRun
from cadastre.officer.errors import register_html_errors
from cadastre.state import registry

bp = Blueprint("importer", __name__, url_prefix="/admin/import")
register_html_errors(bp)

#: Rows drawn on the report's map (the table lists every row).
MAP_ROWS = 2000


def _recent_runs() -> list[ImportRun]:
    with registry().sessions() as session:
        return list(session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(20)))


def _page(errors: dict | None = None, report: ImportReport | None = None, status: int = 200):
    body = render_template(
        "importer/upload.html",
        errors=errors or {},
        report=report,
        runs=_recent_runs(),
        form=request.form,
    )
    return body, status


@bp.get("/")
@WEB.required("admin")
def upload_form():
    """The upload form and the latest imports."""
    return _page()


@bp.post("/")
@max_body(MAX_UPLOAD_BODY)
@WEB.required("admin")
def upload():
    """Run an import (or a dry run) of the uploaded file and show its report."""
    errors: dict[str, str] = {}
    upload = request.files.get("file")
    mapping_upload = request.files.get("mapping")
    if upload is None or not upload.filename:
        errors["file"] = "Choose the register file to import."
    else:
        try:
            detect_format(upload.filename)
        except ValidationError as exc:
            errors["file"] = exc.detail
    as_of = None
    if request.form.get("as_of"):
        try:
            as_of = date.fromisoformat(request.form["as_of"])
        except ValueError:
            errors["as_of"] = "Give the as-of date as YYYY-MM-DD."
    if mapping_upload is not None and mapping_upload.filename:
        if not mapping_upload.filename.lower().endswith((".yaml", ".yml", ".json")):
            errors["mapping"] = "The mapping must be a .yaml, .yml or .json file."
    if errors:
        return _page(errors, status=422)
    dry_run = bool(request.form.get("dry_run"))
    actor = current_actor()
    reg = registry()
    with tempfile.TemporaryDirectory(prefix="cadastre-import-") as folder:
        path = Path(folder) / ("upload" + Path(upload.filename).suffix.lower())
        upload.save(path)
        mapping_path = None
        if mapping_upload is not None and mapping_upload.filename:
            mapping_path = Path(folder) / ("mapping" + Path(mapping_upload.filename).suffix.lower())
            mapping_upload.save(mapping_path)
        from cadastre.importer.service import import_register

        try:
            with unit_of_work(reg.sessions) as session:
                report = import_register(
                    session,
                    reg.profile,
                    path,
                    mapping=mapping_path,
                    dry_run=dry_run,
                    as_of=as_of,
                    actor=f"import:{actor.username}" if actor else "import",
                    file_name=Path(upload.filename).name,
                    map_rows=MAP_ROWS,
                )
        except ValidationError as exc:
            fields = {e.get("field"): e.get("message") for e in exc.errors}
            where = (
                "mapping"
                if any(str(f).startswith(("columns", "corners")) for f in fields)
                else "file"
            )
            return _page({where: exc.detail}, status=422)
    return _page(report=report)


@bp.get("/<int:run_id>")
@WEB.required("admin")
def run_report(run_id: int):
    """The stored report of an earlier import."""
    report = _stored(run_id)
    return _page(report=report)


@bp.get("/<int:run_id>/report.<fmt>")
@WEB.required("admin")
def run_download(run_id: int, fmt: str):
    """The stored report as CSV or JSON."""
    report = _stored(run_id)
    if fmt == "csv":
        return Response(
            report.to_csv(),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="import-{run_id}.csv"'},
        )
    if fmt == "json":
        return Response(report.to_json_text(), mimetype="application/json")
    raise NotFound(f"No report format '{fmt}'; use csv or json.")


def _stored(run_id: int) -> ImportReport:
    with registry().sessions() as session:
        run = session.get(ImportRun, run_id)
        if run is None:
            raise NotFound(f"There is no import run {run_id}.")
        return ImportReport.from_json(run.report)
