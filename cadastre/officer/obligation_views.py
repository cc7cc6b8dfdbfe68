"""Obligations on the officer pages: record a receipt, a waiver or a show-cause notice from
the licence page's Obligations section, and the list of every overdue obligation.

Each form calls the one service function the API calls too (``services.obligations``): its
refusals (the wrong document, no reason, not yet overdue, already closed) redisplay the
licence page with the message beside the obligation's forms, nothing changed.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from cadastre.auth import WEB
from cadastre.errors import CadastreError, NotFound
from cadastre.forms.obligations import ReceiveForm, ShowCauseForm, WaiveForm
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.officer.licence_views import render_detail
from cadastre.officer.money_panel import today
from cadastre.officer.obligations_panel import error_key, form_prefix
from cadastre.queries.obligations_overdue import overdue_obligations
from cadastre.services.obligations import receive_obligation, show_cause, waive_obligation
from cadastre.state import registry

#: Overdue obligations per page of the list.
PAGE = 50
#: The furthest page the list goes to (odd values are the first page).
MAX_PAGE = 100_000


def _refused(licence_id: int, obligation_id: int, key: str, form, messages: list[str], status):
    errors = [{"field": error_key(obligation_id), "message": m} for m in messages]
    body, _ = render_detail(
        licence_id, errors=field_errors(errors), extra_forms={key: form}, open_action=key
    )
    return body, status


def _form_messages(form) -> list[str]:
    return [m for ms in form.errors.values() for m in ms]


def _done(licence_id: int, said: str):
    flash(said, "success")
    return redirect(url_for("officer.licence", licence_id=licence_id) + "#obligations")


def _attempt(licence_id: int, obligation_id: int, key: str, form, act):
    """Validate ``form``, then ``act(session)`` in one unit of work: the flash's words, or
    the licence page again with the refusal beside the form."""
    if not form.validate():
        return _refused(licence_id, obligation_id, key, form, _form_messages(form), 422)
    try:
        with work() as s:
            said = act(s)
        return _done(licence_id, said)
    except NotFound:
        raise
    except CadastreError as exc:
        return _refused(licence_id, obligation_id, key, form, [exc.detail], exc.status)


@bp.post("/licences/<int:licence_id>/obligations/<int:obligation_id>/receive")
@WEB.required("officer", "record an obligation received")
def licence_obligation_receive(licence_id: int, obligation_id: int):
    """Record the obligation received with the chosen document."""
    key = form_prefix("receive", obligation_id)
    form = ReceiveForm(prefix=key)
    raw = (form.document_id.data or "").strip()

    def act(s):
        document_id = int(raw) if raw.isdigit() and len(raw) < 12 else (raw or None)
        ob = receive_obligation(
            s, licence_id, obligation_id, actor=current_user.username, document_id=document_id
        )
        due = ob.due_on.isoformat()
        return f"'{ob.label}' (due {due}) recorded received: document {ob.document_id}."

    return _attempt(licence_id, obligation_id, key, form, act)


@bp.post("/licences/<int:licence_id>/obligations/<int:obligation_id>/waive")
@WEB.required("supervisor", "waive an obligation")
def licence_obligation_waive(licence_id: int, obligation_id: int):
    """Waive the obligation, with the reason."""
    key = form_prefix("waive", obligation_id)
    form = WaiveForm(prefix=key)

    def act(s):
        ob = waive_obligation(
            s, licence_id, obligation_id, actor=current_user.username, reason=form.reason.data
        )
        return f"'{ob.label}' (due {ob.due_on.isoformat()}) waived."

    return _attempt(licence_id, obligation_id, key, form, act)


@bp.post("/licences/<int:licence_id>/obligations/<int:obligation_id>/show-cause")
@WEB.required("supervisor", "issue a show-cause notice")
def licence_obligation_show_cause(licence_id: int, obligation_id: int):
    """Issue a show-cause notice for the overdue obligation."""
    key = form_prefix("showcause", obligation_id)
    form = ShowCauseForm(prefix=key)

    def act(s):
        ob, notice = show_cause(
            s,
            registry().profile,
            licence_id,
            obligation_id,
            actor=current_user.username,
            cause=form.cause.data,
        )
        return (
            f"Notice {notice.id} issued for '{ob.label}'; the holder has until "
            f"{notice.remedy_by.isoformat()} to remedy it."
        )

    return _attempt(licence_id, obligation_id, key, form, act)


def _page_number(raw: str | None) -> int:
    raw = (raw or "").strip()
    return max(1, min(int(raw), MAX_PAGE)) if raw.isdigit() else 1


@bp.get("/obligations/overdue")
@login_required
def obligations_overdue():
    """Every open obligation past its due day, the longest overdue first, 50 to a page."""
    number = _page_number(request.args.get("page"))
    day = today()
    with reading() as s:
        items, total = overdue_obligations(s, day, offset=(number - 1) * PAGE, limit=PAGE)
    pages = max(1, -(-total // PAGE))
    return render_template(
        "obligations_overdue.html", items=items, total=total, number=number, pages=pages, today=day
    )
