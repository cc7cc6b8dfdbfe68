"""Offline map pack for a workshop: one styled GeoPackage plus an MBTiles of vector tiles.

``OUT.gpkg`` holds the layers licences, borders, border_zones (when the register has them),
countries and task_areas, each marked TRAINING (a ``workspace`` column and the layer
description), and a ``layer_styles`` table with a QML and an SLD style per layer, which
QGIS applies when it opens the layer. ``OUT.mbtiles`` (beside it) holds Mapbox vector tiles
of the same layers for zooms 6-12 over the pack's area, made by PostGIS (``ST_AsMVT``),
gzipped, rows in TMS order, with the ``json`` metadata listing the vector layers: GDAL,
QGIS and MapLibre (through an MBTiles server or plugin) read it offline.
"""

from __future__ import annotations

import gzip
import json
import math
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import box
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.geometry import geodesic_area_ha
from cadastre.profile import Profile
from cadastre.training.scenarios import Scenario
from cadastre.training.styles import layer_qml, layer_sld

NOTICE = "TRAINING - practice data, not the real register"
MAX_TILES = 6000
_SQL_LICENCES = """
SELECT l.id, l.code, l.licence_type, l.status, array_to_string(l.commodities, ',') AS commodities,
       h.name AS holder, l.district, l.area_ha,
       to_char(l.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS received_at,
       l.granted_at::text AS granted_at, l.expires_at::text AS expires_at,
       l.border_distance_km, l.border_tier, l.risk_level, 'TRAINING' AS workspace, l.geom
FROM licences l JOIN holders h ON h.id = l.holder_id
WHERE l.geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326) ORDER BY l.id
"""
_SQL_BORDERS = """
SELECT b.id, b.name, b.country_a, b.country_b, d.name || ' ' || d.version AS source,
       d.uncertainty_km, 'TRAINING' AS workspace, b.geom
FROM border_lines b JOIN boundary_datasets d ON d.id = b.dataset_id
WHERE d.active AND :iso IN (b.country_a, b.country_b) ORDER BY b.id
"""
_SQL_COUNTRIES = """
SELECT c.id, c.iso_a3, c.name, 'TRAINING' AS workspace, c.geom
FROM countries c JOIN boundary_datasets d ON d.id = c.dataset_id WHERE d.active ORDER BY c.id
"""


@dataclass
class PackResult:
    """What a pack holds."""

    gpkg: Path
    mbtiles: Path
    bbox: tuple[float, float, float, float]
    counts: dict[str, int] = field(default_factory=dict)
    tiles: int = 0
    maxzoom: int = 12


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    """``minlon,minlat,maxlon,maxlat`` into numbers, checked."""
    from cadastre.errors import ValidationError

    try:
        minx, miny, maxx, maxy = (float(v) for v in value.split(","))
    except ValueError as exc:
        raise ValidationError(
            f"The area '{value}' is not minlon,minlat,maxlon,maxlat (four numbers).",
            errors=[{"field": "area", "message": "four comma-separated numbers"}],
        ) from exc
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ValidationError(
            f"The area '{value}' is empty or outside longitude/latitude ranges.",
            errors=[{"field": "area", "message": "min < max, in degrees"}],
        )
    return minx, miny, maxx, maxy


def _frame(session: Session, sql: str, params: dict) -> gpd.GeoDataFrame:
    return gpd.read_postgis(text(sql), session.connection(), geom_col="geom", params=params)


def _border_zones(session: Session, bbox) -> gpd.GeoDataFrame | None:
    column = session.scalar(
        text(
            "SELECT f_geometry_column FROM geometry_columns "
            "WHERE f_table_schema = 'public' AND f_table_name = 'border_zones' LIMIT 1"
        )
    )
    if column is None:
        return None
    frame = gpd.read_postgis(
        text(
            f'SELECT * FROM border_zones WHERE "{column}" && ST_MakeEnvelope(:a, :b, :c, :d, 4326)'
        ),
        session.connection(),
        geom_col=column,
        params=dict(zip("abcd", bbox, strict=True)),
    )
    for col in frame.columns:
        if col != column and frame[col].dtype == object:
            frame[col] = frame[col].map(
                lambda v: json.dumps(v, default=str) if isinstance(v, list | dict) else v
            )
    frame["workspace"] = "TRAINING"
    return frame.rename_geometry("geom") if column != "geom" else frame


def _task_areas(scenario: Scenario) -> gpd.GeoDataFrame:
    rows = [
        {
            "key": a.key,
            "name": a.name,
            "trainee": trainee or "",
            "area_ha": round(geodesic_area_ha(scenario.area(a.key, trainee)), 4),
            "scenario": scenario.name,
            "workspace": "TRAINING",
            "geom": scenario.area(a.key, trainee),
        }
        for a in scenario.areas
        for trainee in scenario.copies(a.per_trainee)
    ]
    columns = ["key", "name", "trainee", "area_ha", "scenario", "workspace", "geom"]
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geom", crs=4326)


def write_pack(
    session: Session,
    profile: Profile,
    scenario: Scenario,
    out: Path | str,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    minzoom: int = 6,
    maxzoom: int = 12,
    progress: Callable[[int, int], None] | None = None,
) -> PackResult:
    """Write ``out`` (GeoPackage) and its ``.mbtiles`` twin for the scenario's area."""
    out = Path(out)
    bbox = bbox or scenario.bbox()
    for path in (out, out.with_suffix(".mbtiles")):
        path.unlink(missing_ok=True)
    params = dict(zip(("minx", "miny", "maxx", "maxy"), bbox, strict=True))
    layers: dict[str, tuple[gpd.GeoDataFrame, str]] = {
        "licences": (_frame(session, _SQL_LICENCES, params), "MultiPolygon"),
        "borders": (_frame(session, _SQL_BORDERS, {"iso": profile.iso_a3}), "MultiLineString"),
        "countries": (_frame(session, _SQL_COUNTRIES, {}), "MultiPolygon"),
    }
    zones = _border_zones(session, bbox)
    if zones is not None:
        layers["border_zones"] = (zones, "Unknown")
    layers["task_areas"] = (_task_areas(scenario), "Polygon")
    result = PackResult(out, out.with_suffix(".mbtiles"), bbox)
    for name, (frame, geometry_type) in layers.items():
        pyogrio.write_dataframe(
            frame.set_crs(4326, allow_override=True),
            out,
            layer=name,
            driver="GPKG",
            geometry_type=geometry_type,
            promote_to_multi=geometry_type.startswith("Multi"),
            layer_options={"DESCRIPTION": f"{NOTICE}: {scenario.title} ({name})"},
            # GeoPackage 1.2: read without warnings by the GDAL 3.6 / QGIS 3.22 of Debian 12
            dataset_options={"VERSION": "1.2"} if not out.exists() else None,
        )
        result.counts[name] = len(frame)
    _write_styles(out, list(layers), profile)
    result.tiles, result.maxzoom = write_mbtiles(
        session, profile, scenario, result.mbtiles, bbox, minzoom, maxzoom, progress
    )
    return result


def _write_styles(gpkg: Path, layers: list[str], profile: Profile) -> None:
    """The ``layer_styles`` table QGIS reads, registered as an attributes table."""
    con = sqlite3.connect(gpkg)
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS layer_styles (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),"
            " f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,"
            " useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),"
            " update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
        )
        con.execute(
            "INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier, description,"
            " last_change) VALUES ('layer_styles', 'attributes', 'layer_styles',"
            " 'QGIS layer styles', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
        )
        for layer in layers:
            geom_col = con.execute(
                "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (layer,)
            ).fetchone()[0]
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name,"
                " f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description,"
                " owner, ui) VALUES ('', '', ?, ?, ?, ?, ?, 1, ?, 'cadastre', NULL)",
                (
                    layer,
                    geom_col,
                    layer,
                    layer_qml(layer, profile),
                    layer_sld(layer, profile),
                    NOTICE,
                ),
            )
        con.commit()
    finally:
        con.close()


def tile_range(bbox, z: int) -> tuple[int, int, int, int]:
    """XYZ tile columns and rows (x0, x1, y0, y1) covering a lon/lat box at zoom ``z``."""
    n = 2**z

    def tx(lon):
        return min(n - 1, max(0, int((lon + 180) / 360 * n)))

    def ty(lat):
        r = math.radians(max(-85.0511, min(85.0511, lat)))
        return min(n - 1, max(0, int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)))

    return tx(bbox[0]), tx(bbox[2]), ty(bbox[3]), ty(bbox[1])


_SQL_TILE = """
WITH t AS (SELECT ST_TileEnvelope(:z, :x, :y) AS env),
w AS (SELECT ST_Transform(env, 4326) AS env4326 FROM t),
lic AS (
  SELECT l.code, l.licence_type, l.status, l.border_tier, 'TRAINING' AS workspace,
         ST_AsMVTGeom(ST_Transform(l.geom, 3857), t.env) AS geom
  FROM licences l, t, w WHERE l.geom && w.env4326),
bor AS (
  SELECT b.name, ST_AsMVTGeom(ST_Transform(b.geom, 3857), t.env) AS geom
  FROM border_lines b JOIN boundary_datasets d ON d.id = b.dataset_id, t, w
  WHERE d.active AND :iso IN (b.country_a, b.country_b) AND b.geom && w.env4326),
cty AS (
  SELECT c.iso_a3, c.name, ST_AsMVTGeom(ST_Transform(c.geom, 3857), t.env) AS geom
  FROM countries c JOIN boundary_datasets d ON d.id = c.dataset_id, t, w
  WHERE d.active AND c.geom && w.env4326),
ta AS (
  SELECT k.key, k.name, k.trainee,
         ST_AsMVTGeom(ST_Transform(ST_GeomFromText(k.wkt, 4326), 3857), t.env) AS geom
  FROM unnest(CAST(:keys AS text[]), CAST(:names AS text[]), CAST(:trainees AS text[]),
              CAST(:wkts AS text[])) AS k(key, name, trainee, wkt), t, w
  WHERE ST_GeomFromText(k.wkt, 4326) && w.env4326)
SELECT
  coalesce((SELECT ST_AsMVT(cty.*, 'countries', 4096, 'geom') FROM cty WHERE geom IS NOT NULL), '')
  || coalesce((SELECT ST_AsMVT(bor.*, 'borders', 4096, 'geom') FROM bor WHERE geom IS NOT NULL), '')
  || coalesce((SELECT ST_AsMVT(lic.*, 'licences', 4096, 'geom') FROM lic WHERE geom IS NOT NULL),
              '')
  || coalesce((SELECT ST_AsMVT(ta.*, 'task_areas', 4096, 'geom') FROM ta WHERE geom IS NOT NULL),
              '')
"""
VECTOR_LAYERS = [
    {"id": "countries", "fields": {"iso_a3": "String", "name": "String"}},
    {"id": "borders", "fields": {"name": "String"}},
    {
        "id": "licences",
        "fields": {
            "code": "String",
            "licence_type": "String",
            "status": "String",
            "border_tier": "String",
            "workspace": "String",
        },
    },
    {"id": "task_areas", "fields": {"key": "String", "name": "String", "trainee": "String"}},
]


def write_mbtiles(
    session, profile, scenario: Scenario, path: Path, bbox, minzoom, maxzoom, progress=None
) -> tuple[int, int]:
    """Vector tiles of the pack's layers over ``bbox``; returns (tiles written, max zoom)."""
    while maxzoom > minzoom and _count(bbox, minzoom, maxzoom) > MAX_TILES:
        maxzoom -= 1
    areas = [
        (a.key, a.name, t or "", scenario.area(a.key, t).wkt)
        for a in scenario.areas
        for t in scenario.copies(a.per_trainee)
    ]
    params = {
        "iso": profile.iso_a3,
        "keys": [a[0] for a in areas],
        "names": [a[1] for a in areas],
        "trainees": [a[2] for a in areas],
        "wkts": [a[3] for a in areas],
    }
    con = sqlite3.connect(path)
    written, done, total = 0, 0, _count(bbox, minzoom, maxzoom)
    try:
        con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        con.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
            " tile_data BLOB)"
        )
        con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        for z in range(minzoom, maxzoom + 1):
            x0, x1, y0, y1 = tile_range(bbox, z)
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    data = session.scalar(text(_SQL_TILE), {**params, "z": z, "x": x, "y": y})
                    done += 1
                    if progress:
                        progress(done, total)
                    if not data:
                        continue
                    con.execute(
                        "INSERT INTO tiles VALUES (?, ?, ?, ?)",
                        (z, x, (2**z - 1) - y, gzip.compress(bytes(data))),
                    )
                    written += 1
        centre = box(*bbox).centroid
        layers = [{**v, "minzoom": minzoom, "maxzoom": maxzoom} for v in VECTOR_LAYERS]
        meta = {
            "name": f"TRAINING {scenario.name}",
            "description": f"{NOTICE}: {scenario.title}",
            "format": "pbf",
            "type": "overlay",
            "version": "1",
            "minzoom": str(minzoom),
            "maxzoom": str(maxzoom),
            "bounds": ",".join(f"{v:.6f}" for v in bbox),
            "center": f"{centre.x:.6f},{centre.y:.6f},{minzoom}",
            "attribution": "Natural Earth boundaries; training scenario data",
            "json": json.dumps({"vector_layers": layers}),
        }
        con.executemany("INSERT INTO metadata VALUES (?, ?)", list(meta.items()))
        con.commit()
    finally:
        con.close()
    return written, maxzoom


def _count(bbox, minzoom: int, maxzoom: int) -> int:
    total = 0
    for z in range(minzoom, maxzoom + 1):
        x0, x1, y0, y1 = tile_range(bbox, z)
        total += (x1 - x0 + 1) * (y1 - y0 + 1)
    return total
