"""Consents: a holder lets an application be made on its licence's ground."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base, created_at_column


class LicenceConsent(Base):
    """The holder of ``overlapped_id`` consented to licence ``licence_id`` on its ground.

    Artisanal mining on another holder's area is allowed with that holder's permission
    (``domain.eligibility.consent_fault``); the overlap check then lets exactly these
    licences be overlapped.
    """

    __tablename__ = "licence_consents"
    __table_args__ = (UniqueConstraint("licence_id", "overlapped_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The application (later the licence) made with the consent.
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    #: The licence whose ground it overlaps.
    overlapped_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    #: The holder of the overlapped licence who gave the consent.
    given_by: Mapped[int] = mapped_column(ForeignKey("holders.id"))
    given_on: Mapped[date] = mapped_column(Date)
    #: The consent document's reference.
    document: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = created_at_column()
