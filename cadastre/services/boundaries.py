"""Load boundary data sets (Natural Earth by default, or an agency's file) into the register."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely import line_merge
from shapely.geometry import LineString, MultiLineString, MultiPolygon
from shapely.ops import unary_union
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cadastre.domain.topojson import countries_and_borders
from cadastre.errors import ConfigurationError, ValidationError
from cadastre.models import BorderLine, BoundaryDataset, Country
from cadastre.profile import Profile

NATURAL_EARTH = "Natural Earth 1:10m"
NATURAL_EARTH_VERSION = "world-atlas 2.0.2"
#: p90 of the offset against OpenStreetMap at these borders (DOMAIN.md).
NATURAL_EARTH_UNCERTAINTY_KM = 2.0


@dataclass
class LoadResult:
    """What a boundary load did."""

    dataset: BoundaryDataset
    created: bool
    countries: int
    borders: int


def file_checksum(path: str | Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def active_dataset(session: Session) -> BoundaryDataset | None:
    """The boundary data set in force, if any."""
    return session.scalars(select(BoundaryDataset).where(BoundaryDataset.active)).first()


def load_natural_earth(session: Session, profile: Profile, path: str) -> LoadResult:
    """Load the profile's countries and their shared land borders from world-atlas TopoJSON."""
    try:
        checksum = file_checksum(path)
        with open(path, encoding="utf-8") as fh:
            topology = json.load(fh)
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read the boundary file {path}: {exc.strerror}. "
            "Run `npm install` in web/ (make does this) or set CADASTRE_WORLD_ATLAS."
        ) from exc
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"The boundary file {path} is not valid JSON: {exc}") from exc
    ids = {str(c.iso_numeric).zfill(3): c.iso_a3 for c in profile.countries}
    polygons, borders = countries_and_borders(topology, "countries", ids)
    missing = set(ids.values()) - set(polygons)
    if missing:
        raise ConfigurationError(f"The boundary file {path} lacks countries {sorted(missing)}")
    return store_dataset(
        session,
        profile,
        name=NATURAL_EARTH,
        version=NATURAL_EARTH_VERSION,
        uncertainty_km=NATURAL_EARTH_UNCERTAINTY_KM,
        checksum=checksum,
        polygons=polygons,
        borders=borders,
    )


ISO_FIELDS = ("iso_a3", "ISO_A3", "iso3", "ISO3", "adm0_a3", "ADM0_A3", "GID_0", "shapeGroup")


def import_boundary_file(
    session: Session,
    profile: Profile,
    path: str,
    *,
    source: str,
    version: str | None = None,
    uncertainty_km: float = 0.5,
    iso_field: str | None = None,
    snap_km: float = 0.5,
) -> LoadResult:
    """Import an official boundary file (GeoJSON, GeoPackage, Shapefile) of country polygons.

    Land borders are the parts of one country's outline that lie within ``snap_km`` of a
    neighbour's territory, so files whose neighbours do not share vertices still work.
    """
    import pyogrio

    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; all mean unreadable
        raise ConfigurationError(f"Cannot read the boundary file {path}: {exc}") from exc
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    field = iso_field or next((f for f in ISO_FIELDS if f in frame.columns), None)
    if field is None or field not in frame.columns:
        raise ValidationError(
            f"The boundary file {path} has no ISO 3166 alpha-3 column; "
            f"name it with --iso-field (columns: {', '.join(map(str, frame.columns))})",
            errors=[{"field": "iso_field", "message": "no ISO alpha-3 column found"}],
        )
    wanted = {c.iso_a3 for c in profile.countries}
    polygons: dict[str, MultiPolygon] = {}
    for iso, group in frame.groupby(field):
        if iso in wanted:
            merged = unary_union(list(group.geometry))
            polygons[iso] = merged if merged.geom_type == "MultiPolygon" else MultiPolygon([merged])
    if profile.iso_a3 not in polygons:
        raise ValidationError(
            f"The boundary file {path} has no polygon for {profile.name} ({profile.iso_a3}) "
            f"in column '{field}'",
            errors=[{"field": "file", "message": f"no {profile.iso_a3} polygon"}],
        )
    snap_deg = snap_km / 111.0
    borders: dict[tuple[str, str], MultiLineString] = {}
    codes = sorted(polygons)
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            shared = polygons[a].boundary.intersection(polygons[b].buffer(snap_deg))
            lines = _line_parts(shared)
            if lines:
                merged = line_merge(MultiLineString(lines))
                borders[(a, b)] = MultiLineString(_line_parts(merged))
    return store_dataset(
        session,
        profile,
        name=source,
        version=version or file_checksum(path)[:12],
        uncertainty_km=uncertainty_km,
        checksum=file_checksum(path),
        polygons=polygons,
        borders=borders,
    )


def _line_parts(geom) -> list[LineString]:
    """The non-empty line strings inside any geometry."""
    if geom.is_empty:
        return []
    if geom.geom_type == "LineString":
        return [geom]
    return [part for g in getattr(geom, "geoms", []) for part in _line_parts(g)]


def store_dataset(
    session: Session,
    profile: Profile,
    *,
    name: str,
    version: str,
    uncertainty_km: float,
    checksum: str,
    polygons: dict[str, MultiPolygon],
    borders: dict[tuple[str, str], MultiLineString],
) -> LoadResult:
    """Store a data set and make it the one in force; a data set already stored is reused."""
    existing = session.scalars(
        select(BoundaryDataset).where(
            BoundaryDataset.name == name, BoundaryDataset.version == version
        )
    ).first()
    if existing is not None and existing.checksum == checksum:
        was_active = existing.active
        session.execute(update(BoundaryDataset).values(active=False))
        existing.active = True
        n_c = len(
            session.scalars(select(Country.id).where(Country.dataset_id == existing.id)).all()
        )
        n_b = len(
            session.scalars(select(BorderLine.id).where(BorderLine.dataset_id == existing.id)).all()
        )
        return LoadResult(existing, not was_active, n_c, n_b)
    if existing is not None:
        session.delete(existing)
        session.flush()
    session.execute(update(BoundaryDataset).values(active=False))
    dataset = BoundaryDataset(
        name=name, version=version, uncertainty_km=uncertainty_km, checksum=checksum, active=True
    )
    session.add(dataset)
    session.flush()
    for iso, geom in polygons.items():
        session.add(
            Country(
                dataset_id=dataset.id,
                iso_a3=iso,
                name=profile.country_name(iso),
                geom=from_shape(geom, srid=4326),
            )
        )
    for (a, b), lines in borders.items():
        if b == profile.iso_a3:
            a, b = b, a
        session.add(
            BorderLine(
                dataset_id=dataset.id,
                country_a=a,
                country_b=b,
                name=f"{profile.country_name(a)}–{profile.country_name(b)}",
                geom=from_shape(lines, srid=4326),
            )
        )
    session.flush()
    return LoadResult(dataset, True, len(polygons), len(borders))
