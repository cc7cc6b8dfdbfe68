"""Imports of existing registers, and the legacy overlaps they bring in for officers to resolve."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base, created_at_column


class ImportRun(Base):
    """One import of a register file: what was read, by whom, and the report per row."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the file as read.
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    file_format: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Rows per outcome: {"imported": 10, "refused": 2, ...}.
    counts: Mapped[dict] = mapped_column(JSONB, default=dict)
    #: The report: per row the outcome and each reason in words. Plain json (lz4-compressed,
    #: migration 0004): stored and read back whole, never queried inside.
    report: Mapped[dict] = mapped_column(JSON, default=dict)


class LicenceConflict(Base):
    """Two live exclusive licences that overlap (legacy titles); an officer resolves it."""

    __tablename__ = "licence_conflicts"
    __table_args__ = (
        UniqueConstraint("licence_a", "licence_b", name="licence_pair"),
        CheckConstraint("licence_a < licence_b", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The lower licence id of the pair.
    licence_a: Mapped[int] = mapped_column(ForeignKey("licences.id", ondelete="CASCADE"))
    licence_b: Mapped[int] = mapped_column(
        ForeignKey("licences.id", ondelete="CASCADE"), index=True
    )
    overlap_ha: Mapped[float] = mapped_column(Float)
    #: Where the conflict was found, e.g. "import 3: register.gpkg".
    source: Mapped[str] = mapped_column(String(200))
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
