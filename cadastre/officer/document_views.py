"""The licence page's Documents section: the documents on file with their download links, and
the officer's upload form (errors beside the field; nothing kept on a refusal)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_login import current_user, login_required

from cadastre.api.documents import document_store, upload_limit
from cadastre.auth import WEB
from cadastre.errors import CadastreError, NotFound
from cadastre.forms.documents import DocumentForm
from cadastre.http_errors import max_body
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, work
from cadastre.officer.documents_panel import PREFIX
from cadastre.officer.licence_views import render_detail
from cadastre.services.documents import Upload, add_document
from cadastre.state import registry


@bp.post("/licences/<int:licence_id>/documents")
@login_required
@max_body(upload_limit)
def licence_document_upload(licence_id: int):
    """Put a document on the licence's file; a refusal redisplays the form beside the field."""
    WEB.check("officer", "put documents on file")
    form = DocumentForm(prefix=PREFIX)
    errors = []
    if not form.validate():
        errors = [{"field": n, "message": m} for n, ms in form.errors.items() for m in ms]
    sent = form.file.data
    upload = Upload(
        filename=getattr(sent, "filename", None),
        data=sent.read() if sent else b"",
        kind=form.kind.data,
        title=form.title.data,
        supersedes=form.supersedes.data,
    )
    if not errors:
        try:
            with work() as s:
                doc = add_document(
                    s,
                    document_store(),
                    licence_id,
                    upload,
                    actor=current_user.username,
                    max_bytes=registry().settings.max_document_bytes,
                )
                title = doc.title
            flash(f"'{title}' is on file.", "success")
            return redirect(url_for("officer.licence", licence_id=licence_id) + "#documents")
        except NotFound:
            raise
        except CadastreError as exc:
            errors = [
                {"field": f"{PREFIX}-{e.get('field') or 'file'}", "message": e.get("message")}
                for e in exc.errors
            ] or [{"field": f"{PREFIX}-file", "message": exc.detail}]
    return render_detail(
        licence_id, extra_forms={"document": form}, errors=field_errors(errors), status=422
    )
