"""The stages an application has passed: who completed each and when. Append-only, like
history: a completed stage is never changed or removed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base


class LicenceStage(Base):
    """One completed stage of a licence's procedure."""

    __tablename__ = "licence_stages"
    __table_args__ = (UniqueConstraint("licence_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    stage: Mapped[str] = mapped_column(String(40))
    #: Its place in the procedure when completed (1-based).
    position: Mapped[int] = mapped_column(Integer)
    completed_by: Mapped[str] = mapped_column(String(120))
    #: The role the completing user held (``migration`` for stages placed by a migration).
    role: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    #: What the officer wrote on completing it (optional).
    note: Mapped[str | None] = mapped_column(Text)
