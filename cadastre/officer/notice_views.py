"""Notice pages: issue a notice on a licence, mark it remedied, print it.

A supervisor issues a notice from the licence page (the breach; the cause defaults to the
profile's wording; the remedy period is the profile's). Suspension and revocation are
refused until a notice's remedy period has run out unremedied.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from cadastre.auth import WEB
from cadastre.errors import CadastreError, NotFound
from cadastre.forms import NoticeForm, RemedyForm
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.services.licences import get_licence
from cadastre.services.notices import get_notice, issue_notice, mark_remedied
from cadastre.state import registry


def _version(form) -> int | None:
    try:
        return int(form.version.data) if form.version.data else None
    except ValueError:
        return None


def _form_errors(form) -> list[dict]:
    return [{"field": name, "message": m} for name, ms in form.errors.items() for m in ms]


def _refused(licence_id: int, form_name: str, form, errors: list[dict]):
    from cadastre.officer.licence_views import render_detail

    return render_detail(
        licence_id,
        extra_forms={form_name: form},
        errors=field_errors(errors),
        open_action=form_name,
        status=422,
    )


@bp.post("/licences/<int:licence_id>/notices")
@WEB.required("supervisor")
def licence_notice_issue(licence_id: int):
    """Issue a notice; a refusal redisplays the licence page with the message."""
    form = NoticeForm(prefix="notice")
    errors = [] if form.validate() else _form_errors(form)
    if not errors:
        try:
            with work() as s:
                notice = issue_notice(
                    s,
                    registry().profile,
                    licence_id,
                    actor=current_user.username,
                    breach=form.breach.data,
                    cause=form.cause.data,
                    expected_version=_version(form),
                )
                notice_id, remedy_by = notice.id, notice.remedy_by
            flash(
                f"Notice {notice_id} issued; the holder has until {remedy_by.isoformat()} "
                "to remedy the breach.",
                "success",
            )
            return redirect(
                url_for("officer.licence_notice", licence_id=licence_id, notice_id=notice_id)
            )
        except NotFound:
            raise
        except CadastreError as exc:
            errors = list(exc.errors or []) + [{"field": "_form", "message": exc.detail}]
    return _refused(licence_id, "notice", form, errors)


@bp.post("/licences/<int:licence_id>/notices/<int:notice_id>/remedied")
@WEB.required("supervisor")
def licence_notice_remedied(licence_id: int, notice_id: int):
    """Mark a notice remedied: no suspension or revocation rests on it any more."""
    form = RemedyForm(prefix=f"remedy{notice_id}")
    errors = [] if form.validate() else _form_errors(form)
    if not errors:
        try:
            with work() as s:
                mark_remedied(
                    s,
                    licence_id,
                    notice_id,
                    actor=current_user.username,
                    note=form.note.data,
                    expected_version=_version(form),
                )
            flash(f"Notice {notice_id} marked remedied.", "success")
            return redirect(url_for("officer.licence", licence_id=licence_id))
        except NotFound:
            raise
        except CadastreError as exc:
            errors = list(exc.errors or []) + [{"field": "_form", "message": exc.detail}]
    return _refused(licence_id, f"remedy{notice_id}", form, errors)


@bp.get("/licences/<int:licence_id>/notices/<int:notice_id>")
@login_required
def licence_notice(licence_id: int, notice_id: int):
    """The notice as a printable page (A4, print CSS)."""
    with reading() as s:
        notice = get_notice(s, licence_id, notice_id)
        lic = get_licence(s, licence_id)
        holder = lic.holder
        return render_template(
            "licences/notice.html",
            notice=notice,
            lic=lic,
            holder=holder,
            profile=registry().profile,
            printed_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
