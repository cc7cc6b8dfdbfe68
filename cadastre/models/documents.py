"""Documents on file for a licence or application: the record; the file is kept by checksum
outside the database (``services.document_store``). Superseded by a newer one, never deleted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.domain.documents import DOCUMENT_KINDS
from cadastre.models.base import Base


class LicenceDocument(Base):
    """One file on a licence's file: what it is, who brought it, and its content's checksum."""

    __tablename__ = "licence_documents"
    __table_args__ = (
        CheckConstraint(f"kind IN {DOCUMENT_KINDS!r}", name="kind"),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("superseded_by_id IS NULL OR superseded_by_id <> id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    #: The content's SHA-256 (hex): the file's name in the store, and in the history event.
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    #: The newer document that replaces this one (a document is superseded, never deleted).
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("licence_documents.id"), unique=True
    )
