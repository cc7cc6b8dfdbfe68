"""Border-risk tier bands: the area inside the home country within each tier of a land border."""

from __future__ import annotations

from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base


class BorderZone(Base):
    """One tier's ring (e.g. 5–10 km) along one land border, clipped to the home country."""

    __tablename__ = "border_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("boundary_datasets.id", ondelete="CASCADE"), index=True
    )
    tier: Mapped[str] = mapped_column(String(20))
    #: The land border, e.g. "Sierra Leone–Liberia".
    border: Mapped[str] = mapped_column(String(160))
    min_km: Mapped[float] = mapped_column(Float)
    max_km: Mapped[float] = mapped_column(Float)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=True))
