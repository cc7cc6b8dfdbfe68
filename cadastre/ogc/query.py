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

from sqlalchemy import Float, Integer, String, bindparam, cast, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from cadastre.ogc.collections import Collection
from cadastre.ogc.cql import filter_clause
from cadastre.ogc.crs import Crs
from cadastre.ogc.params import ItemQuery
from cadastre.ogc.reading import Sql, compile_sql, fetch_one


def where_clauses(coll: Collection, q: ItemQuery) -> list:
    """Every condition of the request, on the stored (EPSG:4326) columns.

    Request values are named bound parameters (``request_values`` gives them again), so
    the compiled SQL of one statement shape serves every request of that shape.
    """
    clauses = [coll.base_where()]
    if q.bbox is not None:
        clauses.append(bbox_clause(coll, q.bbox, q.bbox_crs))
    if q.interval is not None and coll.temporal is not None:
        start_col, end_col = coll.temporal
        start, end = q.interval
        clauses.append(start_col.is_not(None))
        if end is not None:
            clauses.append(start_col <= bindparam("dt_end", end))
        if start is not None:
            clauses.append(or_(end_col.is_(None), end_col >= bindparam("dt_start", start)))
    for name, value in q.equals.items():
        if name == "id":
            clauses.append(coll.id_column == bindparam("eq_id", value))
            continue
        prop = coll.prop(name)
        if prop.type == "array":
            clauses.append(bindparam(f"eq_{name}", value, String) == func.any(prop.column))
        else:
            clauses.append(prop.column == bindparam(f"eq_{name}", value))
    if q.filter is not None:
        clauses.append(filter_clause(coll, q.filter, q.filter_lang, q.filter_crs))
    return clauses


def request_values(q: ItemQuery) -> dict:
    """The values of the named parameters ``where_clauses`` and the page statement bind."""
    values: dict = {"page_limit": q.limit, "page_offset": q.offset}
    if q.bbox is not None:
        minx, miny, maxx, maxy = q.bbox
        values.update(
            bbox_minx=minx,
            bbox_miny=miny,
            bbox_maxx=maxx,
            bbox_maxy=maxy,
            bbox_step=_densify_step(q.bbox),
        )
    if q.interval is not None:
        start, end = q.interval
        values.update(dt_start=start, dt_end=end)
    for name, value in q.equals.items():
        values[f"eq_{name}"] = value
    return values


def statement_shape(coll: Collection, q: ItemQuery) -> tuple:
    """What decides the SQL text of an items request (everything but the bound values)."""
    bbox = None
    if q.bbox is not None:
        split = q.bbox_crs.srid == 4326 and q.bbox[0] > q.bbox[2]
        bbox = (q.bbox_crs.srid, split)
    interval = None
    if q.interval is not None:
        interval = (q.interval[0] is None, q.interval[1] is None)
    return (
        coll.id,
        bbox,
        interval,
        tuple(q.equals),
        (q.filter, q.filter_lang, q.filter_crs) if q.filter is not None else None,
        tuple(q.properties) if q.properties is not None else None,
        tuple(q.sortby),
        q.crs,
    )


def _densify_step(box) -> float:
    minx, miny, maxx, maxy = box
    return max(maxx - minx, maxy - miny) / 16 or 1.0


def envelope(box: tuple[float, float, float, float], crs: Crs, names=None):
    """The box as an EPSG:4326 polygon (densified first when it comes from a projection).

    ``names`` are the bound parameters' names for minx, miny, maxx, maxy (None: fixed).
    """
    names = names or (None, None, None, None)
    corners = [
        bindparam(n, v, type_=Float) if n else literal(v, Float)
        for n, v in zip(names, box, strict=True)
    ]
    env = func.ST_MakeEnvelope(*corners, crs.srid)
    if crs.srid != 4326:
        step = _densify_step(box)
        step = bindparam("bbox_step", step, type_=Float) if names[0] else literal(step, Float)
        env = func.ST_Transform(func.ST_Segmentize(env, step), 4326)
    return env


BBOX_NAMES = ("bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy")


def bbox_clause(coll: Collection, box, crs: Crs):
    """Features intersecting the box (two boxes when it crosses the antimeridian)."""
    minx, miny, maxx, maxy = box
    if crs.srid == 4326 and minx > maxx:
        east = ("bbox_minx", "bbox_miny", None, "bbox_maxy")
        west = (None, "bbox_miny", "bbox_maxx", "bbox_maxy")
        return or_(
            func.ST_Intersects(coll.geom_column, envelope((minx, miny, 180.0, maxy), crs, east)),
            func.ST_Intersects(coll.geom_column, envelope((-180.0, miny, maxx, maxy), crs, west)),
        )
    return func.ST_Intersects(coll.geom_column, envelope(box, crs, BBOX_NAMES))


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
        literal("type", String),
        literal("Feature", String),
        literal("id", String),
        cast(coll.id_column, String),
        literal("geometry", String),
        cast(geom, JSON),
        literal("properties", String),
        func.json_build_object(*pairs),
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
    cols = [func.count().label("matched")]
    cols += [c.label(f"v{i}") for i, c in enumerate(coll.fingerprint_columns())]
    if coll.updated_column is not None:
        cols.append(func.max(coll.updated_column).label("updated"))
    return select(*cols).select_from(coll.source).where(*where)


def _fingerprint_of(coll: Collection, row) -> Fingerprint:
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
        .limit(bindparam("page_limit", q.limit, type_=Integer))
        .offset(bindparam("page_offset", q.offset, type_=Integer))
        .subquery("page")
    )
    outer_order = []
    for i, (_name, desc) in enumerate(q.sortby):
        c = page.c[sort_labels[i]]
        outer_order.append(c.desc().nulls_last() if desc else c.asc().nulls_last())
    outer_order.append(page.c[sort_labels[-1]].asc())
    agg = func.json_agg(aggregate_order_by(page.c.f, *outer_order))
    return select(
        func.coalesce(cast(agg, String), "[]").label("features"), func.count().label("returned")
    )


def items_statement(coll: Collection, where: list, q: ItemQuery):
    """Fingerprint and page in one statement: (count, versions..., [updated], page, n)."""
    fp = fingerprint_statement(coll, where).subquery("fp")
    page = page_statement(coll, where, q).subquery("pg")
    return select(*fp.c, *page.c).select_from(fp.join(page, true()))


@dataclass(frozen=True)
class ItemsSql:
    """The compiled statements of one items request shape."""

    both: Sql
    fingerprint: Sql
    page: Sql


#: Compiled items statements by request shape (a CQL filter's text is part of the shape).
_ITEMS_SQL: dict[tuple, ItemsSql] = {}
_ITEMS_SQL_MAX = 512


def items_sql(coll: Collection, q: ItemQuery) -> ItemsSql:
    """The compiled statements for requests shaped like ``q`` (values from ``request_values``)."""
    shape = statement_shape(coll, q)
    found = _ITEMS_SQL.get(shape)
    if found is None:
        where = where_clauses(coll, q)
        found = ItemsSql(
            compile_sql(items_statement(coll, where, q)),
            compile_sql(fingerprint_statement(coll, where)),
            compile_sql(page_statement(coll, where, q)),
        )
        if len(_ITEMS_SQL) >= _ITEMS_SQL_MAX:
            _ITEMS_SQL.clear()  # rare: many distinct filters; recompiling is cheap enough
        _ITEMS_SQL[shape] = found
    return found


def read_items(coll: Collection, q: ItemQuery) -> tuple[Fingerprint, str, int]:
    """The fingerprint, the page's ``features`` JSON text and its length: one round trip."""
    row = fetch_one(items_sql(coll, q).both, request_values(q))
    return _fingerprint_of(coll, row[:-2]), row[-2], int(row[-1])


def read_fingerprint(coll: Collection, q: ItemQuery) -> Fingerprint:
    """numberMatched and the data token of the matching features (for conditional GETs)."""
    return _fingerprint_of(coll, fetch_one(items_sql(coll, q).fingerprint, request_values(q)))


def read_page(coll: Collection, q: ItemQuery) -> tuple[str, int]:
    """The page's ``features`` JSON text and its length."""
    text, count = fetch_one(items_sql(coll, q).page, request_values(q))
    return text, int(count)


@lru_cache(maxsize=256)
def _feature_by_id(coll: Collection, crs: Crs, names: tuple[str, ...] | None):
    return (
        select(cast(feature_json(coll, crs, names), String))
        .select_from(coll.source)
        .where(coll.base_where(), coll.id_column == bindparam("fid", type_=Integer))
    )


@lru_cache(maxsize=256)
def feature_sql(coll: Collection, crs: Crs, names: tuple[str, ...] | None) -> Sql:
    """The compiled statement of one feature by id (``fid`` bound per request)."""
    return compile_sql(_feature_by_id(coll, crs, names))


def one_feature(coll: Collection, fid: int, crs: Crs, names=None) -> str | None:
    """One feature as GeoJSON text written by PostGIS, or None."""
    row = fetch_one(
        feature_sql(coll, crs, tuple(names) if names is not None else None), {"fid": fid}
    )
    return row[0] if row is not None else None


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
        select(func.min(start_col), func.max(end_col))
        .select_from(coll.source)
        .where(coll.base_where())
    ).one()

    def fmt(d):
        return f"{d.isoformat()}T00:00:00Z" if d else None

    return [fmt(lo), fmt(hi)]
