"""Vector tiles in one SQL statement (ST_AsMVTGeom + ST_AsMVT) and their data fingerprint.

The fingerprint of a tile is the count of the features whose bounding box meets the
(buffered) tile envelope and the sums of their row versions (``xmin`` of every source
table). Any insert, update or delete of such a row, or of a row moving into or out of
the tile, changes it; the tile's strong ETag is a hash of it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from sqlalchemy import (
    Float,
    Integer,
    LargeBinary,
    String,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from cadastre.ogc.collections import Collection
from cadastre.ogc.reading import compile_sql, fetch_one

EXTENT = 4096
BUFFER = 64
#: Bumped whenever the tile encoding changes, so old ETags stop matching.
TILE_FORMAT = 1
HALF = 20037508.342789244


def _envelopes():
    bounds = func.ST_MakeEnvelope(-HALF, -HALF, HALF, HALF, 3857)
    zi, xi, yi = (bindparam(name, type_=Integer) for name in ("z", "x", "y"))
    tile = func.ST_TileEnvelope(zi, xi, yi)
    margin = func.ST_TileEnvelope(zi, xi, yi, bounds, literal(BUFFER / EXTENT, Float))
    return tile, func.ST_Transform(margin, 4326)


def _tile_value(p):
    if p.type == "array":
        return func.array_to_string(p.column, ",")
    if p.type in ("date", "date-time"):
        return cast(p.column, String)
    return p.column


def _versions(coll: Collection):
    return [
        literal_column(f"{t}.xmin::text::bigint").label(f"v{i}")
        for i, t in enumerate(coll.version_tables)
    ]


@lru_cache(maxsize=64)
def _tile_statement(coll: Collection):
    # Built once per collection (building it costs more than running a small tile).
    tile_env, geo_env = _envelopes()
    props = [p for p in coll.properties if p.in_tiles]
    rows = (
        select(
            coll.id_column.label("id"),
            func.ST_AsMVTGeom(
                func.ST_Transform(coll.geom_column, 3857), tile_env, EXTENT, BUFFER, True
            ).label("geom"),
            *[_tile_value(p).label(p.name) for p in props],
            *_versions(coll),
        )
        .select_from(coll.source)
        .where(coll.base_where(), coll.geom_column.op("&&")(geo_env))
        .cte("rows")
    )
    layer = (
        select(rows.c.id, rows.c.geom, *[rows.c[p.name] for p in props])
        .where(rows.c.geom.is_not(None))
        .subquery("t")
    )
    mvt = (
        select(func.ST_AsMVT(literal_column("t"), coll.id, EXTENT, "geom", "id", type_=LargeBinary))
        .select_from(layer)
        .scalar_subquery()
    )
    sums = [func.coalesce(func.sum(rows.c[f"v{i}"]), 0) for i in range(len(coll.version_tables))]
    return select(mvt, func.count(), *sums).select_from(rows)


def fingerprint_statement(coll: Collection, z: int, x: int, y: int):
    """The tile's fingerprint alone (count and row-version sums), without building it."""
    return _fingerprint_statement(coll).params(z=z, x=x, y=y)


@lru_cache(maxsize=64)
def _fingerprint_statement(coll: Collection):
    _tile_env, geo_env = _envelopes()
    return (
        select(func.count(), *coll.fingerprint_columns())
        .select_from(coll.source)
        .where(coll.base_where(), coll.geom_column.op("&&")(geo_env))
    )


def tile_etag(coll: Collection, z: int, x: int, y: int, fingerprint) -> str:
    """The strong ETag of a tile with this data fingerprint."""
    token = "|".join(str(v) for v in (coll.id, z, x, y, TILE_FORMAT, *fingerprint))
    return hashlib.sha1(token.encode()).hexdigest()[:32]


@lru_cache(maxsize=64)
def tile_sql(coll: Collection):
    """The tile statement compiled once per collection (``z``, ``x``, ``y`` bound)."""
    return compile_sql(_tile_statement(coll))


@lru_cache(maxsize=64)
def fingerprint_sql(coll: Collection):
    """The tile fingerprint statement compiled once per collection."""
    return compile_sql(_fingerprint_statement(coll))


def render_tile(coll: Collection, z: int, x: int, y: int):
    """(MVT bytes, ETag) from one statement."""
    row = fetch_one(tile_sql(coll), {"z": z, "x": x, "y": y})
    return bytes(row[0] or b""), tile_etag(coll, z, x, y, row[1:])


def current_etag(coll: Collection, z: int, x: int, y: int) -> str:
    """The ETag the tile would have now (a cheap indexed count, no MVT encoding)."""
    row = fetch_one(fingerprint_sql(coll), {"z": z, "x": x, "y": y})
    return tile_etag(coll, z, x, y, row)
