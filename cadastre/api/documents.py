"""Documents on file over the API: put one on a licence's file (multipart), list them, fetch
one's file as an attachment.

Officers and above upload; anyone signed in reads. A file is checked by its content before
anything is kept (``domain.documents``); a body larger than the limit is refused unread (413).
"""

from __future__ import annotations

from flask import jsonify, request, send_file

from cadastre.api.blueprint import bp
from cadastre.api.common import UnsupportedMediaType, check_id, created
from cadastre.auth import API
from cadastre.db import unit_of_work
from cadastre.http_errors import max_body
from cadastre.services.document_store import FileStore
from cadastre.services.documents import (
    Upload,
    add_document,
    document_to_dict,
    get_document,
    licence_documents,
    open_document_file,
)
from cadastre.state import registry

#: Room in a multipart body for its boundaries and the small fields besides the file.
FORM_OVERHEAD = 64 * 1024


def upload_limit() -> int:
    """The largest upload body taken: the document limit and the form's own bytes."""
    return registry().settings.max_document_bytes + FORM_OVERHEAD


def document_store() -> FileStore:
    """The store of the running app's documents (``CADASTRE_DOCUMENTS_DIR``)."""
    return FileStore(registry().settings.documents_dir)


def read_upload() -> Upload:
    """The multipart form's file and fields (415 for any other body)."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            "Send the document as multipart/form-data with the fields file, kind and title.",
            errors=[{"field": "Content-Type", "message": "must be multipart/form-data"}],
        )
    sent = request.files.get("file")
    data = sent.read() if sent is not None else b""
    return Upload(
        filename=sent.filename if sent is not None else None,
        data=data,
        kind=request.form.get("kind"),
        title=request.form.get("title"),
        supersedes=request.form.get("supersedes"),
    )


@bp.post("/licences/<int:licence_id>/documents")
@max_body(upload_limit)
def add_document_view(licence_id: int):
    """Put a document on a licence's file (officer and above): 201 with the document."""
    actor = API.check("officer", "put documents on file")
    check_id(licence_id, "licence")
    upload = read_upload()
    reg = registry()
    with unit_of_work(reg.sessions) as session:
        doc = add_document(
            session,
            document_store(),
            licence_id,
            upload,
            actor=actor.username,
            max_bytes=reg.settings.max_document_bytes,
        )
        body = document_to_dict(doc)
    return created(body, body["file"].removesuffix("/file"))


@bp.get("/licences/<int:licence_id>/documents")
def licence_documents_view(licence_id: int):
    """A licence's documents, current and superseded (viewer and above)."""
    API.check("viewer", "read documents on file")
    check_id(licence_id, "licence")
    with registry().sessions() as session:
        docs = [document_to_dict(d) for d in licence_documents(session, licence_id)]
    return jsonify({"licence_id": licence_id, "documents": docs})


@bp.get("/licences/<int:licence_id>/documents/<int:document_id>/file")
def document_file_view(licence_id: int, document_id: int):
    """The document's file as an attachment, its SHA-256 as the ETag (viewer and above)."""
    API.check("viewer", "read documents on file")
    check_id(licence_id, "licence")
    check_id(document_id, "document")
    with registry().sessions() as session:
        doc = get_document(session, licence_id, document_id)
        stream = open_document_file(document_store(), doc)
        response = send_file(
            stream,
            mimetype=doc.media_type,
            as_attachment=True,
            download_name=doc.filename,
            etag=doc.sha256,
            conditional=True,
            max_age=0,
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
