"""Licence areas from imported rows, checked by the same geometry rules as an application.

The common case (a valid polygon inside the country) is decided for the whole file at once
with shapely 2 array functions; only rows that look wrong go through the per-row domain
functions (``parse_geojson``, ``parse_corners``, ``check_inside_country``), which say
precisely what is wrong and where. Areas come from a Lambert azimuthal equal-area projection
on the WGS 84 ellipsoid centred on the country (exactly equal-area; it agrees with the
geodesic area to well under a millionth for licence-sized polygons).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from cadastre.domain.geometry import (
    WEST_AFRICA_BBOX,
    check_inside_country,
    parse_corners,
    parse_geojson,
    to_geojson,
)
from cadastre.errors import ValidationError
from cadastre.importer.mapping import Mapping
from cadastre.importer.normalise import is_blank, text_value
from cadastre.importer.readers import Table

_COORD = re.compile(
    r"([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s+([-+]?[\d.]+(?:[eE][-+]?\d+)?)(?:\s+[-+]?[\d.eE+-]+)*"
)
_WKT_HEAD = re.compile(
    r"^\s*(?:SRID=\d+;)?\s*(MULTIPOLYGON|POLYGON)\s*(?:Z|M|ZM)?\s*", re.IGNORECASE
)


@dataclass
class Shapes:
    """Per row: the checked MultiPolygon (or None), its area, and reasons in words."""

    geoms: np.ndarray
    area_ha: np.ndarray
    errors: list[str | None]
    warnings: list[list[str]] = field(default_factory=list)
    #: Per row: why an officer should look at the area (imported all the same).
    flags: list[list[str]] = field(default_factory=list)


def equal_area(lon: float, lat: float) -> Transformer:
    """lon/lat -> metres in a Lambert azimuthal equal-area projection centred at lon, lat."""
    return Transformer.from_crs(
        "EPSG:4326", f"+proj=laea +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m", always_xy=True
    )


def areas_ha(geoms: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    """Ellipsoidal areas in hectares of an array of lon/lat geometries (NaN for None)."""
    tr = equal_area(*centre)
    projected = shapely.transform(
        geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    )
    return shapely.area(projected) / 10_000


def build_shapes(
    table: Table,
    mapping: Mapping,
    *,
    country: BaseGeometry,
    country_name: str,
    tolerance: float,
    max_vertices: int,
) -> Shapes:
    """Every row's licence area, checked; rows at fault get the domain's message."""
    n = len(table)
    errors: list[str | None] = [None] * n
    geoms = np.full(n, None, dtype=object)
    parse = partial(parse_geojson, max_vertices=max_vertices, source=_source(table))
    if table.geometry_kind == "shapely":
        geoms[:] = table.geometries
        fast = np.ones(n, dtype=bool)
        for i, raw in table.raw_geometries.items():
            fast[i] = False
            geoms[i], errors[i] = _per_row(lambda r=raw: parse(r))
    elif table.geometry_kind == "geojson":
        fast = np.zeros(n, dtype=bool)
        for i, raw in enumerate(table.geometries):
            geoms[i], errors[i] = _per_row(lambda r=raw: parse(r))
    else:
        fast = _from_columns(table, mapping, geoms, errors, max_vertices, parse)

    missing = np.array([g is None for g in geoms]) & fast
    for i in np.flatnonzero(missing):
        errors[i] = errors[i] or "The row has no geometry (no polygon, WKT or corner columns)."
    check = fast & ~missing
    if check.any():
        _check_fast(geoms, errors, np.flatnonzero(check), max_vertices, parse)

    ok = np.array([g is not None and e is None for g, e in zip(geoms, errors, strict=True)])
    idx = np.flatnonzero(ok)
    area = np.full(n, np.nan)
    warnings: list[list[str]] = [[] for _ in range(n)]
    flags: list[list[str]] = [[] for _ in range(n)]
    if idx.size:
        parts, owner = shapely.get_parts(geoms[idx], return_index=True)
        parts = shapely.orient_polygons(parts)
        geoms[idx] = shapely.multipolygons(parts, indices=owner)
        c = shapely.centroid(country)
        area[idx] = areas_ha(geoms[idx], (c.x, c.y))
        shapely.prepare(country)
        inside = shapely.contains_properly(country, geoms[idx])
        for i in idx[~inside]:
            try:  # only an area wholly outside is refused: a title across the border stands
                result = check_inside_country(
                    geoms[i], country, tolerance=1.0, country_name=country_name
                )
            except ValidationError as exc:
                errors[i] = exc.detail
                continue
            if result["outside_share"] > tolerance:
                flags[i].append(
                    f"{result['outside_share'] * 100:.1f}% of the area "
                    f"({result['outside_ha']:,.2f} ha) lies outside {country_name}; at most "
                    f"{tolerance * 100:g}% may, to allow for coarse boundary data. Imported as "
                    "found, for an officer to check the corners near the border."
                )
            elif result["note"]:
                warnings[i].append(result["note"][:1].upper() + result["note"][1:] + ".")
    for i, e in enumerate(errors):
        if e is not None:
            geoms[i] = None
            area[i] = np.nan
    return Shapes(geoms, area, errors, warnings, flags)


#: How messages name where an area's coordinates came from, by file format.
_SOURCES = {"geojson": "GeoJSON", "gpkg": "a GeoPackage", "shapefile": "a Shapefile",
            "kml": "KML"}  # fmt: skip


def _source(table: Table) -> str:
    """Where the coordinates came from, for the swapped-axes message."""
    if table.geometry_kind in ("shapely", "geojson"):
        return _SOURCES.get(table.format, table.format)
    return "WKT"


def _per_row(parse) -> tuple[BaseGeometry | None, str | None]:
    try:
        return parse(), None
    except ValidationError as exc:
        return None, exc.detail


def _check_fast(
    geoms: np.ndarray, errors: list, idx: np.ndarray, max_vertices: int, parse: Callable
) -> None:
    """Vectorised checks; a suspicious row is re-read by parse_geojson for the exact reason."""
    sub = geoms[idx]
    polygonal = np.isin(shapely.get_type_id(sub), (3, 6)) & ~shapely.is_empty(sub)
    counts = shapely.get_num_coordinates(sub)
    valid = shapely.is_valid(sub)
    b = shapely.bounds(sub)
    x0, y0, x1, y1 = WEST_AFRICA_BBOX
    inside = (b[:, 0] >= x0) & (b[:, 1] >= y0) & (b[:, 2] <= x1) & (b[:, 3] <= y1)
    suspicious = ~(polygonal & valid & inside & (counts <= max_vertices))
    for k in np.flatnonzero(suspicious):
        i = idx[k]
        geom, errors[i] = _per_row(lambda g=sub[k]: parse(to_geojson(g)))
        if errors[i] is None:
            geoms[i] = geom


def _from_columns(
    table: Table,
    mapping: Mapping,
    geoms: np.ndarray,
    errors: list,
    max_vertices: int,
    parse: Callable,
) -> np.ndarray:
    """Geometry from a WKT/GeoJSON column or corner columns; returns the rows for _check_fast."""
    n = len(table)
    fast = np.zeros(n, dtype=bool)
    column = mapping.columns.get("geometry")
    corners = mapping.columns.get("corners")
    notation = _notation(mapping.corner_notation)
    for i, rec in enumerate(table.records):
        if column and not is_blank(rec.get(column)):
            text = str(rec[column]).strip()
            if text.startswith("{"):
                geoms[i], errors[i] = _per_row(lambda t=text: parse(t, source="GeoJSON"))
                continue
            geom = shapely.from_wkt(text, on_invalid="ignore")
            if geom is not None and _WKT_HEAD.match(text):
                geoms[i] = _from_crs(geom, mapping.crs)
                fast[i] = True
            else:
                geoms[i], errors[i] = _per_row(lambda t=text: _wkt_fallback(t, parse))
        elif corners and not is_blank(rec.get(corners)):
            text = str(rec[corners]).replace(";", "\n")
            geoms[i], errors[i] = _per_row(
                lambda t=text: parse_corners(t, notation=notation, max_vertices=max_vertices)
            )
        elif mapping.corner_pairs:
            pairs = [
                (text_value(rec.get(x)), text_value(rec.get(y))) for x, y in mapping.corner_pairs
            ]
            pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
            if pairs:
                geoms[i], errors[i] = _per_row(
                    lambda p=pairs: _from_pairs(p, notation, max_vertices, parse)
                )
    return fast


def _notation(value: str | None) -> str:
    key = re.sub(r"[\s_\-]", "", str(value or "auto").lower())
    return {"epsg4326": "dd", "4326": "dd", "wgs84": "dd", "utm": "auto"}.get(key, key)


def _from_pairs(
    pairs: list[tuple[str, str]], notation: str, max_vertices: int, parse: Callable
) -> BaseGeometry:
    """Corner columns: x/y in degrees (longitude, latitude) or UTM eastings and northings."""
    if notation == "dd" or (notation == "auto" and all(abs(float(x)) <= 180 for x, _ in pairs)):
        ring = [[float(x), float(y)] for x, y in pairs]
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return parse({"type": "Polygon", "coordinates": [ring]}, source="the corner columns")
    rows = [f"{x} {y}" for x, y in pairs]
    return parse_corners(rows, notation=notation, max_vertices=max_vertices)


def _from_crs(geom: BaseGeometry, crs: str | None) -> BaseGeometry:
    if not crs or _notation(crs) == "dd":
        return geom
    epsg = {"utm28": "EPSG:32628", "utm29": "EPSG:32629"}.get(_notation(crs), crs)
    tr = Transformer.from_crs(epsg, "EPSG:4326", always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _wkt_fallback(text: str, parse: Callable) -> Any:
    """Read WKT that GEOS refuses (an open ring, say) so parse_geojson can name the fault."""
    head = _WKT_HEAD.match(text)
    if not head:
        word = text.split("(")[0].strip()[:30] or text[:30]
        raise ValidationError(
            f"The WKT “{word}” is not a POLYGON or MULTIPOLYGON; a licence area must be one."
        )
    body = _COORD.sub(lambda m: f"[{m[1]},{m[2]}]", text[head.end() :])
    body = body.replace("(", "[").replace(")", "]")
    try:
        coords = json.loads(body)
    except ValueError:
        raise ValidationError(f"The WKT cannot be read: “{text[:60]}”.") from None
    kind = "MultiPolygon" if head[1].upper() == "MULTIPOLYGON" else "Polygon"
    return parse({"type": kind, "coordinates": coords})
