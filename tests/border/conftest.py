"""Border-test fixtures: the land borders as shapely lines, and licences placed directly."""

from __future__ import annotations

import itertools

import pytest
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon
from sqlalchemy import select

from cadastre.models import BorderLine, BoundaryDataset, Country, Licence
from cadastre.services.holders import create_holder

_codes = itertools.count(1)


@pytest.fixture
def borders(empty_register):
    """``borders(iso)`` -> the active Sierra Leone–<iso> land border as a shapely line."""

    def get(iso: str):
        geom = empty_register.scalar(
            select(BorderLine.geom)
            .join(BoundaryDataset, BoundaryDataset.id == BorderLine.dataset_id)
            .where(BoundaryDataset.active, BorderLine.country_a == "SLE")
            .where(BorderLine.country_b == iso)
        )
        return to_shape(geom)

    return get


@pytest.fixture
def sierra_leone(empty_register):
    geom = empty_register.scalar(
        select(Country.geom)
        .join(BoundaryDataset, BoundaryDataset.id == Country.dataset_id)
        .where(BoundaryDataset.active, Country.iso_a3 == "SLE")
    )
    return to_shape(geom)


@pytest.fixture
def holder_id(empty_register) -> int:
    return create_holder(empty_register, {"name": "Border Test Mining Ltd", "kind": "company"}).id


@pytest.fixture
def add_licence(empty_register, holder_id):
    """Insert a licence row directly (no application rules): the engine is what is tested."""

    def add(geom, licence_type="exploration", commodities=("iron_ore",), status="granted"):
        geom = geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])
        licence = Licence(
            code=f"BT/{next(_codes):05d}",
            licence_type=licence_type,
            status=status,
            commodities=list(commodities),
            holder_id=holder_id,
            geom=from_shape(geom, srid=4326),
            area_ha=1.0,
            notes=[],
            risk_reasons=[],
            version=1,
            renewals=0,
        )
        empty_register.add(licence)
        empty_register.flush()
        return licence

    return add
