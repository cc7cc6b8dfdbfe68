"""The licence page's Documents section: the documents on file (current and superseded) and,
for officers and above, the upload form."""

from __future__ import annotations

from cadastre.auth import WEB
from cadastre.forms.documents import DocumentForm
from cadastre.forms.forms import options
from cadastre.state import registry

#: The upload form's prefix: its fields are ``document-file``, ``document-kind``…
PREFIX = "document"


def documents_context(docs: list, form: DocumentForm | None = None) -> dict:
    """What the Documents section shows; the upload form only for officers and above."""
    if form is None and WEB.allows("officer"):
        form = DocumentForm(prefix=PREFIX, formdata=None)
    if form is not None:
        current = [(str(d.id), f"{d.id}: {d.title}") for d in docs if d.superseded_by_id is None]
        form.supersedes.choices = options([("", "Nothing (a new document)")] + current)
    limit = registry().settings.max_document_bytes
    return {"documents": docs, "document_form": form, "document_limit_mb": limit // 2**20}
