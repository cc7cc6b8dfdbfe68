"""SQL for the items: conditions, data fingerprint, one page as GeoJSON built in PostGIS.

PostGIS writes the GeoJSON (``ST_AsGeoJSON`` + ``json_build_object``) so Python never
touches a feature; reprojection is ``ST_Transform`` in the same statement.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Float, Integer, String, bindparam, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from cadastre.ogc.collections import Collection
from cadastre.ogc.cql import filter_clause
from cadastre.ogc.crs import Crs
from cadastre.ogc.params import ItemQuery


def where_clauses(coll: Collection, q: ItemQuery) -> list:
    """Every condition of the request, on the stored (EPSG:4326) columns."""
    clauses = [coll.base_where()]
    if q.bbox is not None:
        clauses.append(bbox_clause(coll, q.bbox, q.bbox_crs))
    if q.interval is not None and coll.temporal is not None:
        start_col, end_col = coll.temporal
        start, end = q.interval
        clauses.append(start_col.is_not(None))
        if end is not None:
            clauses.append(start_col <= end)
        if start is not None:
            clauses.append(or_(end_col.is_(None), end_col >= start))
    for name, value in q.equals.items():
        if name == "id":
            clauses.append(coll.id_column == value)
            continue
        prop = coll.prop(name)
        if prop.type == "array":
            clauses.append(literal(value, String) == func.any(prop.column))
        else:
            clauses.append(prop.column == value)
    if q.filter is not None:
        clauses.append(filter_clause(coll, q.filter, q.filter_lang, q.filter_crs))
    return clauses


def envelope(box: tuple[float, float, float, float], crs: Crs):
    """The box as an EPSG:4326 polygon (densified first when it comes from a projection)."""
    minx, miny, maxx, maxy = box
    env = func.ST_MakeEnvelope(
        literal(minx, Float), literal(miny, Float), literal(maxx, Float), literal(maxy, Float),
        crs.srid,
    )
    if crs.srid != 4326:
        step = max(maxx - minx, maxy - miny) / 16 or 1.0
        env = func.ST_Transform(func.ST_Segmentize(env, literal(step, Float)), 4326)
    return env


def bbox_clause(coll: Collection, box, crs: Crs):
    """Features intersecting the box (two boxes when it crosses the antimeridian)."""
    minx, miny, maxx, maxy = box
    if crs.srid == 4326 and minx > maxx:
        return or_(
            func.ST_Intersects(coll.geom_column, envelope((minx, miny, 180.0, maxy), crs)),
            func.ST_Intersects(coll.geom_column, envelope((-180.0, miny, maxx, maxy), crs)),
        )
    return func.ST_Intersects(coll.geom_column, envelope(box, crs))


def feature_json(coll: Collection, crs: Crs, names: list[str] | None):
    """A ``json_build_object`` Feature; the id is a string (GDAL then looks features up)."""
    return _feature_json(coll, crs, tuple(names) if names is not None else None)


@lru_cache(maxsize=256)
def _feature_json(coll: Collection, crs: Crs, names: tuple[str, ...] | None):
    # Built once per (collection, CRS, properties): the expression is immutable and reused.
    props = [coll.prop(n) for n in names] if names is not None else list(coll.properties)
    pairs = []
    for p in props:
        pairs += [literal(p.name, String), p.column]
    geom = func.ST_AsGeoJSON(_out_geom(coll, crs), crs.digits, 0)
    return func.json_build_object(
        literal("type", String), literal("Feature", String),
        literal("id", String), cast(coll.id_column, String),
        literal("geometry", String), cast(geom, JSON),
        literal("properties", String), func.json_build_object(*pairs),
    )


def _out_geom(coll: Collection, crs: Crs):
    geom = coll.geom_column
    if crs.lat_lon:
        return func.ST_FlipCoordinates(geom)
    if crs.srid != 4326:
        return func.ST_Transform(geom, crs.srid)
    return geom


def order_columns(coll: Collection, q: ItemQuery) -> list:
    """ORDER BY for a stable paging: the requested keys, then the id."""
    cols = []
    for name, desc in q.sortby:
        col = coll.id_column if name == "id" else coll.prop(name).column
        cols.append(col.desc().nulls_last() if desc else col.asc().nulls_last())
    cols.append(coll.id_column.asc())
    return cols


@dataclass
class Fingerprint:
    """How many features match, and a token that changes when any of them changes."""

    matched: int
    token: str
    last_modified: datetime | None


def fingerprint_statement(coll: Collection, where: list):
    """Count the matching features and sum their row versions (xmin), in one statement."""
    cols = [func.count()] + coll.fingerprint_columns()
    if coll.updated_column is not None:
        cols.append(func.max(coll.updated_column))
    return select(*cols).select_from(coll.source).where(*where)


def fingerprint(session: Session | Connection, coll: Collection, where: list) -> Fingerprint:
    """numberMatched and the data token of the matching features."""
    row = session.execute(fingerprint_statement(coll, where)).one()
    last = row[-1] if coll.updated_column is not None else None
    token = "|".join(str(v) for v in row)
    return Fingerprint(int(row[0]), hashlib.sha1(token.encode()).hexdigest()[:20], last)


def page_statement(coll: Collection, where: list, q: ItemQuery):
    """One page's ``features`` array as JSON text written by PostgreSQL, and its length."""
    order = order_columns(coll, q)
    sort_labels = [f"s{i}" for i in range(len(order))]
    keys = []
    for i, (name, _desc) in enumerate(q.sortby):
        col = coll.id_column if name == "id" else coll.prop(name).column
        keys.append(col.label(sort_labels[i]))
    keys.append(coll.id_column.label(sort_labels[len(q.sortby)]))
    page = (
        select(feature_json(coll, q.crs, q.properties).label("f"), *keys)
        .select_from(coll.source)
        .where(*where)
        .order_by(*order)
        .limit(q.limit)
        .offset(q.offset)
        .subquery("page")
    )
    outer_order = []
    for i, (_name, desc) in enumerate(q.sortby):
        c = page.c[sort_labels[i]]
        outer_order.append(c.desc().nulls_last() if desc else c.asc().nulls_last())
    outer_order.append(page.c[sort_labels[-1]].asc())
    agg = func.json_agg(aggregate_order_by(page.c.f, *outer_order))
    return select(func.coalesce(cast(agg, String), "[]"), func.count())


def page_features(session: Session | Connection, coll: Collection, where: list, q: ItemQuery):
    """The ``features`` array of one page as JSON text, and how many features it holds."""
    text, count = session.execute(page_statement(coll, where, q)).one()
    return text, int(count)


def feature_statement(coll: Collection, fid: int, crs: Crs, names=None):
    """One feature as JSON text (the statement is built once; ``fid`` is bound)."""
    stmt = _feature_by_id(coll, crs, tuple(names) if names is not None else None)
    return stmt.params(fid=fid)


@lru_cache(maxsize=256)
def _feature_by_id(coll: Collection, crs: Crs, names: tuple[str, ...] | None):
    return (
        select(cast(feature_json(coll, crs, names), String))
        .select_from(coll.source)
        .where(coll.base_where(), coll.id_column == bindparam("fid", type_=Integer))
    )


def one_feature(session: Session | Connection, coll: Collection, fid: int, crs: Crs, names=None):
    """One feature as JSON text, or None."""
    stmt = _feature_by_id(coll, crs, tuple(names) if names is not None else None)
    return session.execute(stmt, {"fid": fid}).scalar_one_or_none()


def extent(session: Session | Connection, coll: Collection):
    """The collection's bounding box in CRS84, rounded outwards to 1e-6 degree."""
    box = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(coll.geom_column)),
            func.ST_YMin(func.ST_Extent(coll.geom_column)),
            func.ST_XMax(func.ST_Extent(coll.geom_column)),
            func.ST_YMax(func.ST_Extent(coll.geom_column)),
        )
        .select_from(coll.source)
        .where(coll.base_where())
    ).one()
    if box[0] is None:
        return None
    return [
        math.floor(box[0] * 1e6) / 1e6,
        math.floor(box[1] * 1e6) / 1e6,
        math.ceil(box[2] * 1e6) / 1e6,
        math.ceil(box[3] * 1e6) / 1e6,
    ]


def temporal_extent(session: Session | Connection, coll: Collection):
    """[first start, last end] of the temporal property, as ISO strings (or None)."""
    if coll.temporal is None:
        return None
    start_col, end_col = coll.temporal
    lo, hi = session.execute(
        select(func.min(start_col), func.max(end_col)).select_from(coll.source)
        .where(coll.base_where())
    ).one()
    def fmt(d):
        return (f"{d.isoformat()}T00:00:00Z" if d else None)
    return [fmt(lo), fmt(hi)]
