"""The one place that defines the map layers: source tables, ids, public properties, zooms.

The OGC API items, the vector tiles and the file exports all read these definitions, so
a property added here appears in every encoding (and in the OpenAPI document).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, FromClause, case, literal_column, or_, select, true

from cadastre import models
from cadastre.domain.holder_privacy import ORGANISATION_KINDS
from cadastre.models import BorderLine, BorderZone, BoundaryDataset, Country, Holder, Licence


@dataclass(frozen=True)
class Prop:
    """A public property: its name, SQL expression and JSON Schema type."""

    name: str
    column: Any
    type: str  # string | integer | number | date | date-time | array
    title: str
    #: Name in a Shapefile (10 characters at most); None means ``name`` already fits.
    short: str | None = None
    #: Carried in vector tiles (kept small: what a map styles and labels on).
    in_tiles: bool = True
    #: The values it takes: fixed, or a function of the app's profile (the licence types).
    enum: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None

    def choices(self) -> tuple[str, ...] | None:
        """The values the property takes, now (a profile's types are read when asked)."""
        return self.enum() if callable(self.enum) else self.enum

    @property
    def shp_name(self) -> str:
        """The field name in a Shapefile."""
        return self.short or self.name


@dataclass(frozen=True, eq=False)  # identity: one object per collection, hashable for caches
class Collection:
    """A feature collection served as OGC API items, tiles and exports."""

    id: str
    title: str
    description: str
    source: FromClause
    id_column: Any
    geom_column: Any
    geometry_type: str
    properties: tuple[Prop, ...]
    #: Extra condition every query applies (e.g. only the active boundary data set).
    base_where: Callable[[], ColumnElement[bool]] = field(default=lambda: true())
    #: (start, end) columns the ``datetime`` parameter is matched against.
    temporal: tuple[Any, Any] | None = None
    #: Column giving Last-Modified, when the table keeps one.
    updated_column: Any = None
    #: Tables whose row versions (xmin) make up the data fingerprint of a query.
    version_tables: tuple[str, ...] = ()
    minzoom: int = 0
    maxzoom: int = 16

    def prop(self, name: str) -> Prop | None:
        """The property called ``name``, if public."""
        return self.props_by_name.get(name)

    @property
    def props_by_name(self) -> dict[str, Prop]:
        """Properties by name."""
        return {p.name: p for p in self.properties}

    def fingerprint_columns(self) -> list[Any]:
        """SQL sums of the row versions of every source table (change on any update)."""
        return [
            literal_column(f"coalesce(sum({t}.xmin::text::bigint), 0)") for t in self.version_tables
        ]


def _active_dataset_ids():
    return select(BoundaryDataset.id).where(BoundaryDataset.active.is_(True)).scalar_subquery()


def _public_registration():
    """A company's or cooperative's registration number is on the public record; an
    individual's (an identity number) is personal data and never published
    (``cadastre.domain.holder_privacy``, the same rule as the API and pages)."""
    # Equalities, not IN: an expanding IN would need every parameter at compile time
    # (``reading.compile_sql`` renders post-compile parameters, and ``fid`` comes later).
    public = or_(*(Holder.kind == kind for kind in ORGANISATION_KINDS))
    return case((public, Holder.registration_number), else_=None)


def _profile_licence_types() -> tuple[str, ...]:
    """The licence types of the serving app's profile (the collections are shared by apps)."""
    from cadastre.state import registry

    return tuple(registry().profile.licence_types)


def _mechanised():
    """The grant's mechanisation condition as 'yes' / 'no' (null when none was recorded)."""
    return case((Licence.mechanised.is_(True), "yes"), (Licence.mechanised.is_(False), "no"))


def _licences() -> Collection:
    statuses = models.licences.LICENCE_STATUSES
    return Collection(
        id="licences",
        title="Mineral licences and applications",
        description=(
            "Every licence in the register, pending applications included, with its public "
            "attributes and its border assessment (tier, distance to the nearest land border)."
        ),
        source=Licence.__table__.join(Holder.__table__, Licence.holder_id == Holder.id),
        id_column=Licence.id,
        geom_column=Licence.geom,
        geometry_type="MultiPolygon",
        properties=(
            Prop("code", Licence.code, "string", "Licence code"),
            Prop("licence_type", Licence.licence_type, "string", "Licence type", "lic_type",
                 enum=_profile_licence_types),
            Prop("status", Licence.status, "string", "Status", enum=statuses),
            Prop("commodities", Licence.commodities, "array", "Commodities", "commods"),
            Prop("holder_name", Holder.name, "string", "Holder", "holder"),
            Prop(
                "holder_kind",
                Holder.kind,
                "string",
                "Holder kind",
                "hold_kind",
                in_tiles=False,
                enum=models.holders.HOLDER_KINDS,
            ),
            Prop(
                "holder_registration",
                _public_registration(),
                "string",
                "Holder's registration number (companies and cooperatives)",
                "hold_reg",
                in_tiles=False,
            ),
            Prop("area_ha", Licence.area_ha, "number", "Area (ha)"),
            Prop(
                "received_at",
                Licence.received_at,
                "date-time",
                "Received",
                "received",
                in_tiles=False,
            ),
            Prop("granted_at", Licence.granted_at, "date", "Granted", "granted"),
            Prop("expires_at", Licence.expires_at, "date", "Expires", "expires"),
            Prop("district", Licence.district, "string", "District"),
            Prop("border_tier", Licence.border_tier, "string", "Border tier", "bord_tier"),
            Prop("border_distance_km", Licence.border_distance_km, "number",
                 "Distance to the nearest land border (km)", "bord_km"),
            Prop("nearest_border", Licence.nearest_border, "string", "Nearest land border",
                 "near_bord", in_tiles=False),
            Prop("risk_level", Licence.risk_level, "string", "Risk level"),
            Prop("max_depth_m", Licence.max_depth_m, "number",
                 "Maximum working depth (m), recorded at grant", "max_depth", in_tiles=False),
            Prop("mechanised", _mechanised(), "string",
                 "Mechanised earth-moving allowed (recorded at grant)", in_tiles=False,
                 enum=("yes", "no")),
        ),
        temporal=(Licence.granted_at, Licence.expires_at),
        updated_column=Licence.updated_at,
        version_tables=("licences", "holders"),
        minzoom=6,
        maxzoom=16,
    )


def _borders() -> Collection:
    return Collection(
        id="borders",
        title="International land borders",
        description="Land border lines of the boundary data set in force (no coastlines).",
        source=BorderLine.__table__,
        id_column=BorderLine.id,
        geom_column=BorderLine.geom,
        geometry_type="MultiLineString",
        properties=(
            Prop("name", BorderLine.name, "string", "Border"),
            Prop("country_a", BorderLine.country_a, "string", "Country A"),
            Prop("country_b", BorderLine.country_b, "string", "Country B"),
        ),
        base_where=lambda: BorderLine.dataset_id.in_(_active_dataset_ids()),
        version_tables=("border_lines",),
        minzoom=0,
        maxzoom=14,
    )


def _countries() -> Collection:
    return Collection(
        id="countries",
        title="Countries",
        description="Country territories of the boundary data set in force.",
        source=Country.__table__,
        id_column=Country.id,
        geom_column=Country.geom,
        geometry_type="MultiPolygon",
        properties=(
            Prop("iso_a3", Country.iso_a3, "string", "ISO 3166 alpha-3"),
            Prop("name", Country.name, "string", "Name"),
        ),
        base_where=lambda: Country.dataset_id.in_(_active_dataset_ids()),
        version_tables=("countries",),
        minzoom=0,
        maxzoom=12,
    )


def _border_zones() -> Collection:
    """The border-risk tier bands as areas."""
    return Collection(
        id="border-zones",
        title="Border risk zones",
        description="Distance tiers from the international land borders, as areas inside "
        "the country, for the boundary data set in force.",
        source=BorderZone.__table__,
        id_column=BorderZone.id,
        geom_column=BorderZone.geom,
        geometry_type=_geometry_type(BorderZone),
        properties=(
            Prop("tier", BorderZone.tier, "string", "Border tier"),
            Prop("border", BorderZone.border, "string", "Land border"),
            Prop("min_km", BorderZone.min_km, "number", "From (km)"),
            Prop("max_km", BorderZone.max_km, "number", "To (km)"),
        ),
        base_where=lambda: BorderZone.dataset_id.in_(_active_dataset_ids()),
        version_tables=(BorderZone.__tablename__,),
        minzoom=4,
        maxzoom=14,
    )


def _geometry_type(model) -> str:
    kind = getattr(model.geom.type, "geometry_type", "GEOMETRY") or "GEOMETRY"
    names = {
        "MULTIPOLYGON": "MultiPolygon",
        "POLYGON": "Polygon",
        "MULTILINESTRING": "MultiLineString",
        "LINESTRING": "LineString",
    }
    return names.get(kind.upper(), "Geometry")


@cache
def all_collections() -> dict[str, Collection]:
    """Every collection, by id, in listing order."""
    found = [_licences(), _borders(), _border_zones(), _countries()]
    return {c.id: c for c in found}


def get_collection(collection_id: str) -> Collection:
    """The collection with this id, or a 404 in the OGC shape."""
    from cadastre.ogc.errors import not_found

    coll = all_collections().get(collection_id)
    if coll is None:
        raise not_found(f"There is no collection '{collection_id}'.")
    return coll
