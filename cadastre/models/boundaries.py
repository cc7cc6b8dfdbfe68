"""Countries and international land border lines, each tied to the data set it came from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base, created_at_column


class BoundaryDataset(Base):
    """A boundary product (Natural Earth, an agency's file) at one version."""

    __tablename__ = "boundary_datasets"
    __table_args__ = (UniqueConstraint("name", "version", name="name_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    version: Mapped[str] = mapped_column(String(60))
    #: Stated positional uncertainty of the lines, shown beside every distance.
    uncertainty_km: Mapped[float] = mapped_column(Float)
    checksum: Mapped[str | None] = mapped_column(String(64))
    #: Only one data set is in force at a time; assessments use it.
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_at: Mapped[datetime] = created_at_column()

    @property
    def label(self) -> str:
        """How the data set is named beside a distance."""
        return f"{self.name} {self.version}"


class Country(Base):
    """A country's territory in one boundary data set."""

    __tablename__ = "countries"
    __table_args__ = (UniqueConstraint("dataset_id", "iso_a3", name="dataset_iso"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("boundary_datasets.id", ondelete="CASCADE"))
    iso_a3: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True))


class BorderLine(Base):
    """An international land border between two countries (never a coastline)."""

    __tablename__ = "border_lines"
    __table_args__ = (UniqueConstraint("dataset_id", "country_a", "country_b", name="pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("boundary_datasets.id", ondelete="CASCADE"))
    country_a: Mapped[str] = mapped_column(String(3))
    country_b: Mapped[str] = mapped_column(String(3))
    #: E.g. "Sierra Leone–Liberia".
    name: Mapped[str] = mapped_column(String(160))
    geom: Mapped[Any] = mapped_column(Geometry("MULTILINESTRING", srid=4326, spatial_index=True))
