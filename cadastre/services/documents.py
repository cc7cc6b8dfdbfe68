"""Documents on file: take one (checked by content, kept by checksum, recorded in the licence's
history), supersede an older one with it, list them, find one's file.

Nothing is kept on a refusal: every check runs before the file is written or a row added.
The history event's ``after`` carries the document's SHA-256, so the chain pins the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.documents import (
    MAX_DOCUMENT_BYTES,
    CheckedDocument,
    check_document,
    check_kind,
    check_title,
)
from cadastre.errors import NotFound, ServiceUnavailable, ValidationError
from cadastre.models import LicenceDocument
from cadastre.services.document_store import DocumentStore
from cadastre.services.history import MAX_ID, get_licence, record_event, snapshot


@dataclass(frozen=True)
class Upload:
    """A document as it arrives: the file's name and bytes, and what the uploader says of it."""

    filename: str | None
    data: bytes
    kind: str | None
    title: str | None
    supersedes: str | int | None = None


def add_document(
    session: Session,
    store: DocumentStore,
    licence_id: int,
    upload: Upload,
    *,
    actor: str,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    at: datetime | None = None,
) -> LicenceDocument:
    """Put a document on a licence's file (superseding an older one when asked); ``at``
    dates it in the past (the demo and training registers' history), else now."""
    licence = get_licence(session, licence_id, for_update=True)
    errors: list[dict] = []
    kind = _collect(errors, check_kind, upload.kind)
    title = _collect(errors, check_title, upload.title)
    old = _collect(errors, _superseded, session, licence_id, upload.supersedes)
    checked: CheckedDocument | None = _collect(
        errors, check_document, upload.filename, upload.data, max_bytes
    )
    if errors:
        detail = errors[0]["message"] if len(errors) == 1 else "The document was not taken."
        raise ValidationError(detail + " Nothing was stored.", errors=errors)
    assert checked is not None
    store.put(upload.data)
    doc = LicenceDocument(
        licence_id=licence.id,
        kind=kind,
        title=title,
        filename=checked.filename,
        media_type=checked.media_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    if at is not None:
        doc.uploaded_at = at
    session.add(doc)
    session.flush()
    after = {"document": document_fields(doc)}
    if old is not None:
        old.superseded_by_id = doc.id
        after["supersedes"] = {"id": old.id, "sha256": old.sha256}
    before = snapshot(licence)
    action = "supersede_document" if old is not None else "attach_document"
    event = record_event(session, licence, action, actor=actor, before=before, at=at)
    event.after = {**event.after, **after}
    session.flush()
    return doc


def _collect(errors: list[dict], check, *args):
    """``check(*args)``, its field errors added to ``errors`` (None then)."""
    try:
        return check(*args)
    except ValidationError as exc:
        errors.extend(exc.errors or [{"field": "", "message": exc.detail}])
        return None


def _superseded(session: Session, licence_id: int, raw) -> LicenceDocument | None:
    """The document the new one replaces: of this licence, and not replaced already."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise _supersedes_error(f"'{text[:20]}' is not a document's number.")
    old = session.get(LicenceDocument, int(text), with_for_update=True)
    if old is None or old.licence_id != licence_id:
        raise _supersedes_error(f"This licence has no document number {text}.")
    if old.superseded_by_id is not None:
        raise _supersedes_error(
            f"Document {text} is already superseded by document {old.superseded_by_id}; "
            "supersede that one."
        )
    return old


def _supersedes_error(message: str) -> ValidationError:
    return ValidationError(message, errors=[{"field": "supersedes", "message": message}])


def licence_documents(session: Session, licence_id: int) -> list[LicenceDocument]:
    """A licence's documents, current and superseded, oldest first."""
    get_licence(session, licence_id)
    return list(
        session.scalars(
            select(LicenceDocument)
            .where(LicenceDocument.licence_id == licence_id)
            .order_by(LicenceDocument.id)
        )
    )


def get_document(session: Session, licence_id: int, document_id: int) -> LicenceDocument:
    """One of a licence's documents, or NotFound."""
    get_licence(session, licence_id)
    doc = session.get(LicenceDocument, document_id) if 0 < document_id <= MAX_ID else None
    if doc is None or doc.licence_id != licence_id:
        raise NotFound(f"Licence {licence_id} has no document {document_id}.")
    return doc


def open_document_file(store: DocumentStore, doc: LicenceDocument) -> BinaryIO:
    """The document's file from the store; 503 (never a stack) when the store has lost it."""
    try:
        return store.open(doc.sha256)
    except (FileNotFoundError, ValueError):
        raise ServiceUnavailable(
            f"The file of document {doc.id} ('{doc.filename}', SHA-256 {doc.sha256}) is missing "
            "from the document store; the record is intact. Restore the store from its backup.",
        ) from None
    except OSError as exc:
        raise ServiceUnavailable(
            f"The document store cannot be read just now ({exc.strerror or 'error'})."
        ) from None


def document_fields(doc: LicenceDocument) -> dict:
    """What a history event records of a document: its content pinned by the SHA-256; not its
    title or file name, which may name people (the history is public, the file is not)."""
    return {
        "id": doc.id,
        "kind": doc.kind,
        "media_type": doc.media_type,
        "size": doc.size,
        "sha256": doc.sha256,
    }


def document_to_dict(doc: LicenceDocument) -> dict:
    """A document as the API answers it."""
    return {
        **document_fields(doc),
        "title": doc.title,
        "filename": doc.filename,
        "licence_id": doc.licence_id,
        "uploaded_by": doc.uploaded_by,
        "uploaded_at": doc.uploaded_at.isoformat() if doc.uploaded_at else None,
        "superseded_by_id": doc.superseded_by_id,
        "current": doc.superseded_by_id is None,
        "file": f"/api/licences/{doc.licence_id}/documents/{doc.id}/file",
    }
