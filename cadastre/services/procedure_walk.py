"""A file taken through its procedure in one go, as the agency's officers would have: the
past of the demo register and the training scenarios, and a helper for tests.

Each stage is completed by a user of a role it allows, through ``complete_stage`` (the same
rules as every other path): a document a stage requires is put on file first (a one-page
placeholder PDF saying what it stands for), and a payment it requires is paid first, as the
applicant would have at the bank.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.services.document_store import DocumentStore
from cadastre.services.documents import Upload, add_document
from cadastre.services.history import get_licence
from cadastre.services.payments import pay_what_is_owed
from cadastre.services.procedure import file_facts, procedure_of
from cadastre.services.stages import complete_stage

#: Who completes a stage for each role, when the caller names no one.
DEFAULT_ACTORS = {
    "officer": "clerk",
    "supervisor": "manager",
    "finance": "cashier",
    "admin": "admin",
    "viewer": "viewer",
}


def placeholder_pdf(title: str) -> bytes:
    """A valid one-page PDF carrying ``title`` (no active content)."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")[:120]
    stream = b"BT /F1 14 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def walk_procedure(
    session: Session,
    profile: Profile,
    licence_id: int,
    *,
    store: DocumentStore,
    at: datetime | None = None,
    until: str | None = None,
    actors: dict[str, str] | None = None,
    receipt: Callable[[str], str] | None = None,
) -> Licence:
    """Complete the file's stages in order, up to and including ``until`` (all: None),
    supplying the documents and payments each needs. The licence as it ends."""
    actors = {**DEFAULT_ACTORS, **(actors or {})}
    licence = get_licence(session, licence_id)
    procedure = procedure_of(profile, licence)
    while licence.stage is not None and licence.status in ("application", "approved"):
        stage = procedure.stage(licence.stage)
        _supply(session, profile, licence, stage, store, actors, at, receipt)
        role = stage.roles[0]
        licence = complete_stage(
            session, profile, licence.id, stage.name, actor=actors[role], role=role, at=at
        )
        if stage.name == until:
            break
    return licence


def _supply(session, profile, licence, stage, store, actors, at, receipt) -> None:
    """Put on file what ``stage`` still lacks."""
    facts = file_facts(session, licence)
    for kind in stage.documents:
        if kind not in facts.documents:
            title = f"{kind.replace('_', ' ').capitalize()} for {licence.code}"
            upload = Upload(filename=f"{kind}.pdf", data=placeholder_pdf(title), kind=kind,
                            title=title, supersedes=None)  # fmt: skip
            add_document(session, store, licence.id, upload, actor=actors["officer"])
    if stage.payment and stage.payment not in facts.paid:
        day = (at.date() if at else None) or datetime.now().date()
        tag = stage.name.replace("_", "-")  # a receipt number has no underscore
        number = receipt or (lambda c: f"WALK-{licence.id}-{c}-{tag}")
        pay_what_is_owed(
            session, licence.id, receipt=number, paid_on=day, actor=actors["finance"], today=day
        )
    session.flush()
