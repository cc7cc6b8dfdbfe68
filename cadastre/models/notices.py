"""Notices before suspension or revocation: the breach, the remedy period, its outcome."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base, created_at_column


class LicenceNotice(Base):
    """A notice to a licence's holder: what is wrong and until when it may be remedied.

    A licence may be suspended or revoked only on a notice whose remedy period has run out
    while it stayed unremedied (``cadastre.domain.lifecycle.check_notice_ran_out``).
    """

    __tablename__ = "licence_notices"
    __table_args__ = (
        CheckConstraint("remedy_days > 0", name="remedy_days_positive"),
        CheckConstraint("(remedied_at IS NULL) = (remedied_by IS NULL)", name="remedied_by_whom"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    #: The ground in general words (the profile's default cause unless the supervisor wrote one).
    cause: Mapped[str] = mapped_column(Text)
    #: The breach itself, as the supervisor found it.
    breach: Mapped[str] = mapped_column(Text)
    remedy_days: Mapped[int] = mapped_column(Integer)
    #: Where the remedy period comes from (the Act's section, or "guess: ...").
    remedy_source: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_by: Mapped[str] = mapped_column(String(120))
    #: The last day on which the holder may remedy the breach.
    remedy_by: Mapped[date] = mapped_column(Date)
    remedied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remedied_by: Mapped[str | None] = mapped_column(String(120))
    remedy_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
