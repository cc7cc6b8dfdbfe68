"""Holders: the companies, individuals and cooperatives that hold or apply for licences."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cadastre.models.base import Base, created_at_column

if TYPE_CHECKING:
    from cadastre.models.licences import Licence

HOLDER_KINDS = ("company", "individual", "cooperative")


class Holder(Base):
    """A legal or natural person who may hold mineral rights."""

    __tablename__ = "holders"
    __table_args__ = (
        CheckConstraint(f"kind IN {HOLDER_KINDS!r}", name="kind"),
        CheckConstraint("local_ownership_pct BETWEEN 0 AND 100", name="local_ownership_pct_share"),
        Index("ix_holders_name_lower", text("lower(name)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    registration_number: Mapped[str | None] = mapped_column(String(60), unique=True)
    #: ISO 3166 alpha-3 code (older free text is kept as it was until the holder is edited).
    nationality: Mapped[str | None] = mapped_column(String(60))
    #: A cooperative's: whether all its members are citizens (None: not recorded).
    citizen_members: Mapped[bool | None] = mapped_column(Boolean)
    #: A company's: the share (per cent) owned by citizens (None: not recorded).
    local_ownership_pct: Mapped[float | None] = mapped_column(Numeric(5, 2, asdecimal=False))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
    #: Optimistic lock: bumped on every change, exposed as the ETag (like a licence's).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    licences: Mapped[list[Licence]] = relationship(back_populates="holder")
