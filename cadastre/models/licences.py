"""Licences (applications included), their history and their code counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cadastre.domain.lifecycle import LICENCE_STATUSES
from cadastre.models.base import Base, ChainLink, created_at_column

if TYPE_CHECKING:
    from cadastre.models.holders import Holder

APPLICATION_NUMBER = Sequence("application_number_seq", metadata=Base.metadata)


class LicenceTypeRecord(Base):
    """A licence type the register knows: copied from the profile by ``cadastre db upgrade``
    (``cadastre.services.licence_types``). A type the profile no longer lists stays, as not
    offered, so the licences that name it keep a valid reference."""

    __tablename__ = "licence_types"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(7))
    #: The profile's order (pages, legends and enums list types in it).
    sort_order: Mapped[int] = mapped_column(Integer)
    #: False once the profile no longer lists the type: no new applications of it.
    offered: Mapped[bool] = mapped_column(Boolean, server_default="true")


class Licence(Base):
    """A mineral right or an application for one, with its ground and border assessment."""

    __tablename__ = "licences"
    __table_args__ = (
        CheckConstraint(f"status IN {LICENCE_STATUSES!r}", name="status"),
        Index("ix_licences_status_type", "status", "licence_type"),
        Index("ix_licences_border_tier", "border_tier"),
        Index("ix_licences_commodities", "commodities", postgresql_using="gin"),
        Index("ix_licences_flagged", "id", postgresql_where=text("cardinality(flags) > 0")),
        # The queues: files waiting at a stage, and decisions falling due.
        Index(
            "ix_licences_waiting_stage",
            "licence_type",
            "stage",
            "decision_due",
            postgresql_where=text("stage IS NOT NULL AND status IN ('application', 'approved')"),
        ),
        Index(
            "ix_licences_decision_due",
            "decision_due",
            postgresql_where=text("stage IS NOT NULL AND status IN ('application', 'approved')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    #: Order of receipt across all applications: first come, first served.
    application_number: Mapped[int] = mapped_column(
        Integer, APPLICATION_NUMBER, server_default=APPLICATION_NUMBER.next_value(), unique=True
    )
    licence_type: Mapped[str] = mapped_column(ForeignKey("licence_types.name"))
    status: Mapped[str] = mapped_column(String(20), default="application")
    commodities: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    geom: Mapped[Any] = mapped_column(
        Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False
    )
    area_ha: Mapped[float] = mapped_column(Float)
    #: The priority date. NULL only for a legacy title whose file gave no date to go by.
    received_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    granted_at: Mapped[date | None] = mapped_column(Date)
    expires_at: Mapped[date | None] = mapped_column(Date, index=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    district: Mapped[str | None] = mapped_column(String(60))
    #: Working conditions recorded at grant from the profile (artisanal, small-scale).
    max_depth_m: Mapped[float | None] = mapped_column(Float)
    mechanised: Mapped[bool | None] = mapped_column(Boolean)
    #: Remarks the rules attach (e.g. a small excursion beyond the boundary data).
    notes: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    #: Why an officer should look at the licence, in words (e.g. an imported title that
    #: breaks a rule of today's law); empty when nothing is flagged.
    flags: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    #: Why the application was refused, in words (at intake by the register, or by a decision).
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    #: Annual charges for periods that ended by this day were settled outside the register
    #: (a legacy title brought in by an import, the demo): ``charges run`` does not raise them.
    charges_from: Mapped[date | None] = mapped_column(Date)
    #: The stage of its type's procedure the application waits at (``domain.procedure``);
    #: NULL when it is in none (its procedure is over, or its type has none).
    stage: Mapped[str | None] = mapped_column(String(40))
    #: The last day for the decision by the procedure's clock (NULL: no clock runs).
    decision_due: Mapped[date | None] = mapped_column(Date)
    #: Optimistic lock: bumped on every change, exposed as the ETag.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Border assessment, kept with the licence so map layers can filter and style on it.
    border_distance_km: Mapped[float | None] = mapped_column(Float)
    border_tier: Mapped[str | None] = mapped_column(String(20))
    nearest_border: Mapped[str | None] = mapped_column(String(120))
    boundary_source: Mapped[str | None] = mapped_column(String(120))
    uncertainty_km: Mapped[float | None] = mapped_column(Float)
    risk_level: Mapped[str | None] = mapped_column(String(20))
    risk_reasons: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list)
    poi_distance_km: Mapped[float | None] = mapped_column(Float)
    nearest_poi: Mapped[str | None] = mapped_column(String(120))
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    holder: Mapped[Holder] = relationship(back_populates="licences")
    events: Mapped[list[LicenceEvent]] = relationship(
        back_populates="licence", order_by="LicenceEvent.id"
    )


class LicenceEvent(ChainLink, Base):
    """One change to a licence: who, when, what, why, and the state before and after."""

    __tablename__ = "licence_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)

    licence: Mapped[Licence] = relationship(back_populates="events")


class LicenceCodeCounter(Base):
    """Last sequence number issued per code prefix and year (row-locked when issuing)."""

    __tablename__ = "licence_code_counters"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
