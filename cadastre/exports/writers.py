"""Write a collection (with the items filters, not paged) to files, a chunk at a time.

Rows come from a server-side cursor in chunks of ``CHUNK``; GeoJSON and CSV pieces go to
a spooled temporary file sent once complete (cadastre/downloads.py), GeoPackage, Shapefile
and KML are appended chunk by chunk to a file in a temporary directory (GDAL through
pyogrio) and then sent from disk, so no export is ever held whole in memory. CSV cells go
through cadastre/csv_cells.py, so none runs as a spreadsheet formula.

Shapefile field names are limited to 10 characters: each property's fixed short name
(``Prop.short`` in cadastre/ogc/collections.py) is used, and README.txt in the zip lists
the mapping.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from cadastre import csv_cells
from cadastre.ogc.collections import Collection
from cadastre.ogc.crs import Crs
from cadastre.ogc.query import feature_json, order_columns

CHUNK = 5000
DRIVERS = {"gpkg": ("GPKG", "gpkg"), "shp.zip": ("ESRI Shapefile", "shp"),
           "kml": ("LIBKML", "kml")}


def _out_geom(coll: Collection, crs: Crs):
    geom = coll.geom_column
    return geom if crs.srid == 4326 else func.ST_Transform(geom, crs.srid)


def _rows(session: Session, stmt) -> Iterator[list]:
    result = session.execute(stmt, execution_options={"yield_per": CHUNK})
    yield from result.partitions(CHUNK)


def geojson_chunks(session: Session, coll: Collection, where, q) -> Iterator[str]:
    """A FeatureCollection as text pieces, features written by PostgreSQL."""
    stmt = (
        select(cast(feature_json(coll, q.crs, q.properties), String))
        .select_from(coll.source).where(*where).order_by(*order_columns(coll, q))
    )
    yield '{"type":"FeatureCollection","features":['
    first = True
    for part in _rows(session, stmt):
        text = ",".join(r[0] for r in part)
        yield text if first else "," + text
        first = False
    yield "]}"


def csv_chunks(session: Session, coll: Collection, where, q) -> Iterator[str]:
    """The export's CSV: the items filters and order, ``properties=`` and ``crs`` honoured."""
    props = [coll.prop(n) for n in q.properties] if q.properties else None
    yield from layer_csv(session, coll, where, order_columns(coll, q), props=props, crs=q.crs)


def layer_csv(
    session: Session, coll: Collection, where, order, *, props=None, crs: Crs | None = None,
    extra: tuple[tuple[str, Any], ...] = (),
) -> Iterator[str]:
    """The one CSV of a layer, in pieces: every CSV download of its features comes here.

    Columns: ``id``, the layer's properties as declared in cadastre/ogc/collections.py (or
    ``props``, a chosen few), then ``extra`` (name, SQL expression) columns a report adds,
    then the geometry as WKT (coordinates in ``crs`` axis order x,y; CRS84 by default).
    Lists are joined with ``;``; every cell passes through cadastre/csv_cells.py.
    """
    props = list(coll.properties) if props is None else props
    cols = [coll.id_column] + [
        func.array_to_string(p.column, ";") if p.type == "array" else p.column for p in props
    ] + [column for _name, column in extra]
    srid = 4326 if crs is None else crs.srid
    geom = coll.geom_column if srid == 4326 else func.ST_Transform(coll.geom_column, srid)
    stmt = (
        select(*cols, func.ST_AsText(geom))
        .select_from(coll.source).where(coll.base_where(), *where).order_by(*order)
    )
    buf = io.StringIO()
    writer = csv_cells.writer(buf)
    writer.writerow(["id"] + [p.name for p in props] + [name for name, _ in extra] + ["wkt"])
    for part in _rows(session, stmt):
        for row in part:
            writer.writerow(["" if v is None else _text(v) for v in row])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    if buf.getvalue():
        yield buf.getvalue()


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def write_file(session: Session, coll: Collection, where, q, fmt: str, folder: Path) -> Path:
    """Write a GeoPackage, a zipped Shapefile or a KML into ``folder``; return its path."""
    import geopandas as gpd  # imported here: heavy, and only exports need it
    import pandas as pd
    import pyogrio
    import shapely

    driver, ext = DRIVERS[fmt]
    crs = q.crs if fmt != "kml" else _crs84()
    props = [coll.prop(n) for n in q.properties] if q.properties else list(coll.properties)
    shapefile = fmt == "shp.zip"
    names = ["id"] + [p.shp_name if shapefile else p.name for p in props]
    cols = [coll.id_column] + [
        func.array_to_string(p.column, ";") if p.type == "array" else p.column for p in props
    ]
    stmt = (
        select(*cols, func.ST_AsBinary(_out_geom(coll, crs)))
        .select_from(coll.source).where(*where).order_by(*order_columns(coll, q))
    )
    path = folder / f"{coll.id}.{ext}"
    written = False
    for part in _rows(session, stmt):
        frame = pd.DataFrame([r[:-1] for r in part], columns=names)
        for p, name in zip(props, names[1:], strict=True):
            frame[name] = _column(frame[name], p.type, driver)
        geoms = shapely.from_wkb([r[-1] for r in part])
        gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs=f"EPSG:{crs.srid}")
        pyogrio.write_dataframe(gdf, path, driver=driver, layer=coll.id, append=written,
                                geometry_type=coll.geometry_type, encoding="UTF-8"
                                if shapefile else None)
        written = True
    if not written:
        empty = gpd.GeoDataFrame({n: pd.Series(dtype="object") for n in names},
                                 geometry=gpd.GeoSeries([], crs=f"EPSG:{crs.srid}"))
        pyogrio.write_dataframe(empty, path, driver=driver, layer=coll.id,
                                geometry_type=coll.geometry_type)
    if shapefile:
        return _zip_shapefile(coll, props, path, folder)
    return path


def _column(series, kind: str, driver: str):
    import pandas as pd

    if kind == "date-time":
        values = pd.to_datetime(series, utc=True)
        return values if driver == "GPKG" else values.map(
            lambda v: v.isoformat() if not pd.isna(v) else None)
    if kind == "date":
        if driver == "GPKG":
            return pd.to_datetime(series)
        return series.map(lambda v: v.isoformat() if v is not None else None)
    if kind in ("number", "integer"):
        return pd.to_numeric(series)
    return series.astype(object)


def _crs84() -> Crs:
    from cadastre.ogc.crs import DEFAULT

    return DEFAULT


def field_map_text(coll: Collection) -> str:
    """README.txt for a zipped Shapefile: the field name each property is written under."""
    lines = [
        f"{coll.title} ({coll.id}) as an ESRI Shapefile.",
        "",
        "Shapefile field names are limited to 10 characters; the properties are written",
        "under these fixed names (the same in every export):",
        "",
        f"{'field':<10}  property",
        f"{'-' * 10}  {'-' * 30}",
        f"{'id':<10}  id (feature id)",
    ]
    lines += [f"{p.shp_name:<10}  {p.name} ({p.title})" for p in coll.properties]
    lines += ["", "Lists (e.g. commodities) are joined with ';'. Dates are ISO 8601 text.",
              "Text is UTF-8 (see the .cpg file).", ""]
    return "\n".join(lines)


def _zip_shapefile(coll: Collection, props, shp: Path, folder: Path) -> Path:
    out = folder / f"{coll.id}.shp.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.glob(f"{coll.id}.*")):
            if part.suffix.lower() in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                zf.write(part, part.name)
        zf.writestr("README.txt", field_map_text(coll))
        zf.writestr("fields.json", json.dumps({p.name: p.shp_name for p in coll.properties}))
    return out
