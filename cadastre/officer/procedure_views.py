"""The procedure on the officer pages: completing the stage an application waits at (the
licence page's "Complete this stage" form) and the queues, "Waiting for me" and "Overdue".

A stage is completed only through ``services.stages.complete_stage``, the one function the
API, training and the demo call too: its refusals (the wrong role, out of order, a document or
a payment missing) redisplay the licence page with the message beside the form, nothing kept.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cadastre.errors import CadastreError, NotFound
from cadastre.forms.stages import StageForm
from cadastre.officer import queries
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.officer.licence_views import render_detail
from cadastre.officer.procedure_panel import PREFIX
from cadastre.queries.queue import PAGE, QUEUES, queue_page
from cadastre.services.stages import complete_stage
from cadastre.state import registry

#: The furthest page the queue pages to (odd values are ignored, as on the licence list).
MAX_PAGE = 100_000
#: The queues' tabs, in order, with their names on the page.
TABS = {"mine": "Waiting for me", "overdue": "Overdue"}


@bp.post("/licences/<int:licence_id>/stages/<stage>")
@login_required
def licence_stage(licence_id: int, stage: str):
    """Complete ``stage``; a refusal redisplays the licence page with the message beside the
    stage form (403 the wrong role, 409 out of order or something missing, 422 bad input)."""
    form = StageForm(prefix=PREFIX)
    errors: list[dict] = []
    status = 422
    if form.validate():
        version = form.version.data or ""
        try:
            with work() as s:
                lic = complete_stage(
                    s,
                    registry().profile,
                    licence_id,
                    stage[:80],
                    actor=current_user.username,
                    role=current_user.role,
                    note=form.note.data,
                    expected_version=int(version) if version.isdigit() else None,
                )
                said = _completed_words(lic.code, stage, lic.status, lic.stage, lic.licence_type)
            flash(said, "success")
            return redirect(url_for("officer.licence", licence_id=licence_id) + "#procedure")
        except NotFound:
            raise
        except CadastreError as exc:
            errors, status = [{"field": "stage", "message": exc.detail}], exc.status
    else:
        errors = [{"field": "stage", "message": m} for ms in form.errors.values() for m in ms]
    body, _ = render_detail(licence_id, errors=field_errors(errors), extra_forms={"stage": form})
    return body, status


def _completed_words(code: str, done: str, status: str, waits: str | None, ltype: str) -> str:
    """What the flash says: the stage completed and where the file waits now."""
    procedure = registry().profile.procedure(ltype)
    of = len(procedure.stages)
    said = f"{code}: stage {procedure.position(done)} of {of} complete ({_label(procedure, done)})"
    if waits:
        where = f"stage {procedure.position(waits)} of {of}: {_label(procedure, waits)}"
        return f"{said}; the file now waits at {where}."
    return f"{said}; the licence is now '{status}'."


def _label(procedure, name: str) -> str:
    stage = procedure.stage(name)
    return stage.label if stage else name


def _page_number(raw: str | None) -> int:
    """The page asked for; anything odd is the first page (never an error)."""
    raw = (raw or "").strip()
    return max(1, min(int(raw), MAX_PAGE)) if raw.isdigit() else 1


@bp.get("/queue")
@login_required
def queue():
    """A queue a page at a time (50), the decisions due first: ``?queue=mine`` (the files at a
    stage the signed-in user's role completes) or ``overdue``; ``?district=``, ``?page=``."""
    profile = registry().profile
    name = request.args.get("queue", "mine")
    name = name if name in QUEUES else "mine"
    number = _page_number(request.args.get("page"))
    today = datetime.now(UTC).date()
    with reading() as s:
        districts = queries.districts(s, profile)
        district = (request.args.get("district") or "").strip()[:60]
        district = district if district in districts else ""
        page = queue_page(
            s, profile, name, current_user.role, today,
            offset=(number - 1) * PAGE, limit=PAGE, district=district or None,
        )  # fmt: skip
        counts = queries.queue_totals(s, profile, current_user.role, today, district or None)
    pages = max(1, -(-page["total"] // PAGE))
    return render_template(
        "queue.html",
        name=name,
        tabs=TABS,
        counts=counts,
        page=page,
        number=number,
        pages=pages,
        district=district,
        districts=districts,
        today=today,
    )
