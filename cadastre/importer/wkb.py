"""Decode WKB polygons that GEOS refuses to build (an open ring, say), so the domain's
``parse_geojson`` can name the fault instead of the row failing as "unreadable"."""

from __future__ import annotations

import struct
from typing import Any


def wkb_to_geojson(data: bytes) -> dict[str, Any]:
    """A GeoJSON-like mapping of a WKB or EWKB Polygon/MultiPolygon, rings left as stored."""
    geom, _ = _read(memoryview(bytes(data)), 0)
    return geom


def _read(buf: memoryview, pos: int) -> tuple[dict[str, Any], int]:
    order = "<" if buf[pos] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", buf, pos + 1)
    pos += 5
    dims = 2
    if code & 0x20000000:  # EWKB SRID
        pos += 4
    if code & 0x80000000:
        dims += 1
    if code & 0x40000000:
        dims += 1
    base = code & 0x0FFFFFFF
    if base >= 1000:
        dims = 2 + (1 if base // 1000 in (1, 2) else 2 if base // 1000 == 3 else 0)
        base %= 1000
    if base == 3:
        rings, pos = _polygon(buf, pos, order, dims)
        return {"type": "Polygon", "coordinates": rings}, pos
    if base == 6:
        (count,) = struct.unpack_from(order + "I", buf, pos)
        pos += 4
        parts = []
        for _ in range(count):
            part, pos = _read(buf, pos)
            parts.append(part["coordinates"])
        return {"type": "MultiPolygon", "coordinates": parts}, pos
    names = {1: "Point", 2: "LineString", 4: "MultiPoint", 5: "MultiLineString", 7: "Collection"}
    return {"type": names.get(base, f"geometry type {base}"), "coordinates": []}, len(buf)


def _polygon(buf: memoryview, pos: int, order: str, dims: int) -> tuple[list, int]:
    (nrings,) = struct.unpack_from(order + "I", buf, pos)
    pos += 4
    rings = []
    for _ in range(nrings):
        (npts,) = struct.unpack_from(order + "I", buf, pos)
        pos += 4
        values = struct.unpack_from(order + "d" * (npts * dims), buf, pos)
        pos += 8 * npts * dims
        rings.append([[values[i], values[i + 1]] for i in range(0, len(values), dims)])
    return rings, pos
