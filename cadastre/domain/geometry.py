"""Geometry intake: GeoJSON and surveyors' corner lists to valid lon/lat areas.

Pure domain code: shapely and pyproj only, no Flask, no SQLAlchemy. Every
refusal is a :class:`cadastre.errors.ValidationError` whose message says what is
wrong and where (which part, which ring, which corner, which coordinate).

Choices made here, once:

* Coordinates are longitude, latitude on WGS 84 (EPSG:4326).
* Heights (Z) and any further ordinates are dropped from every position: the
  register records the 2D footprint of a licence, and a mix of 2D and 3D
  positions is reduced the same way. Ring closure is judged in 2D.
* Rings are returned oriented as RFC 7946 asks (outer rings counter-clockwise).
* Positions are spoken of as "corners", numbered from 1 in the order given.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import nearest_points

from cadastre.domain.corners import SIERRA_LEONE_BBOX, read_corners
from cadastre.errors import field_error

#: Where the register's areas lie, roughly; used only to spot swapped axes.
WEST_AFRICA_BBOX = (-26.0, 3.0, 16.0, 28.0)
Bbox = tuple[float, float, float, float]

_GEOD = Geod(ellps="WGS84")
_TOL = 1e-9  # degrees: "this location is on that side"


def swap_hint(source: str = "GeoJSON") -> str:
    """What to say when axes look swapped; ``source`` is what gave the coordinates."""
    return f"coordinates look like latitude, longitude; {source} wants longitude, latitude"


_CORNER_SWAP = (
    "corners look like longitude, latitude; corner lists are read latitude first "
    "(or add N/S/E/W letters)"
)
_REASON = re.compile(r"^(?P<kind>[^\[]*)\[(?P<x>\S+) (?P<y>\S+)\]")
Ring = list[tuple[float, float]]


def _pt(x: float, y: float) -> str:
    return f"longitude {x:.6f}, latitude {y:.6f}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Names:
    """How rings and corners are called in messages, for GeoJSON or a corner list."""

    def __init__(self, multi: bool, labels: list[str] | None = None) -> None:
        self.multi, self.labels = multi, labels

    def ring(self, p: int, r: int) -> str:
        if self.labels is not None:
            return "the boundary"
        name = "ring 1 (the outer boundary)" if r == 0 else f"ring {r + 1} (hole {r})"
        return name + (f" of part {p + 1}" if self.multi else "")

    def corner(self, i: int, ring_len: int) -> str:
        i = i % (ring_len - 1) if ring_len > 1 else i
        return self.labels[i] if self.labels is not None else f"corner {i + 1}"

    def full(self, p: int, r: int, i: int, ring_len: int) -> str:
        if self.labels is not None:
            return self.corner(i, ring_len)
        return f"corner {i + 1} of {self.ring(p, r)}"

    def part(self, p: int) -> str:
        return f"part {p + 1}" if self.multi else "the polygon"


def parse_geojson(
    obj: Any,
    *,
    field: str = "geometry",
    max_vertices: int = 2000,
    swap_check_bbox: Bbox | None = WEST_AFRICA_BBOX,
    source: str = "GeoJSON",
) -> MultiPolygon:
    """Check a GeoJSON (Multi)Polygon, Feature or one-feature collection; return a MultiPolygon.

    ``source`` names where the coordinates came from (an imported file's format), for the
    swapped-axes message.
    """
    geometry = _unwrap(obj, field)
    gtype, coords = geometry.get("type"), geometry.get("coordinates")
    if gtype not in ("Polygon", "MultiPolygon"):
        raise field_error(
            field,
            f"The geometry is a {gtype or 'thing without a type'}; a licence area "
            "must be a Polygon or a MultiPolygon.",
        )
    multi = gtype == "MultiPolygon"
    names = _Names(multi)
    if not isinstance(coords, list) or not coords:
        raise field_error(field, f"The {gtype} has no coordinates.")
    raw = coords if multi else [coords]
    total = 0
    for p, part in enumerate(raw):
        if not isinstance(part, list) or not part:
            raise field_error(field, f"{_cap(names.part(p))} is empty: it has no rings.")
        for r, ring in enumerate(part):
            if not isinstance(ring, list) or not ring:
                raise field_error(field, f"{_cap(names.ring(p, r))} is empty: it has no corners.")
            total += len(ring)
    _check_count(total, max_vertices, field)
    parts = [
        [_read_ring(ring, p, r, names, field, swap_hint(source)) for r, ring in enumerate(part)]
        for p, part in enumerate(raw)
    ]
    return _assemble(parts, names, field, swap_hint(source), swap_check_bbox)


def _unwrap(obj: Any, field: str) -> dict:
    """Find the one geometry in a GeoJSON text, geometry, Feature or FeatureCollection."""
    if isinstance(obj, str | bytes):
        try:
            obj = json.loads(obj)
        except ValueError as exc:
            raise field_error(field, f"The geometry is not valid JSON ({exc}).") from None
    if not isinstance(obj, dict):
        raise field_error(field, "The geometry must be a GeoJSON object.")
    if obj.get("type") == "FeatureCollection":
        feats = obj.get("features") or []
        polys = [
            f
            for f in feats
            if isinstance(f, dict)
            and isinstance(f.get("geometry"), dict)
            and f["geometry"].get("type") in ("Polygon", "MultiPolygon")
        ]
        if len(polys) != 1:
            raise field_error(
                field,
                f"The feature collection holds {len(polys)} polygon features; "
                "send exactly one (use a MultiPolygon for an area in pieces).",
            )
        obj = polys[0]
    if obj.get("type") == "Feature":
        obj = obj.get("geometry")
        if not isinstance(obj, dict):
            raise field_error(field, "The feature has no geometry.")
    return obj


def _check_count(total: int, max_vertices: int, field: str) -> None:
    if total > max_vertices:
        raise field_error(
            field,
            f"The geometry has {total:,} corner points; at most {max_vertices:,} are "
            "accepted. Simplify the boundary or split the area.",
        )


def _read_ring(ring: list, p: int, r: int, names: _Names, field: str, hint: str) -> Ring:
    """Read one GeoJSON ring: numbers, ranges, 2D, closed, at least 4 positions."""
    out: Ring = []
    for i, pos in enumerate(ring):
        where = names.full(p, r, i, 0)
        if not isinstance(pos, list | tuple) or len(pos) < 2:
            raise field_error(field, f"{_cap(where)} should be [longitude, latitude], not {pos!r}.")
        for value, axis in ((pos[0], "longitude"), (pos[1], "latitude")):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise field_error(field, f"{_cap(where)}: the {axis} {value!r} is not a number.")
        x, y = float(pos[0]), float(pos[1])  # Z and beyond are dropped on purpose
        _check_range(x, y, where, field, hint)
        out.append((x, y))
    if out[0] != out[-1]:
        raise field_error(
            field,
            f"{_cap(names.ring(p, r))} is not closed: it starts at "
            f"{_pt(*out[0])} but ends at {_pt(*out[-1])}. "
            "Repeat the first corner at the end.",
        )
    if len(out) < 4:
        raise field_error(
            field,
            f"{_cap(names.ring(p, r))} has only {len(out)} positions; a closed "
            "ring needs at least 4 (3 corners and the first repeated at the end).",
        )
    return out


def _check_range(x: float, y: float, where: str, field: str, swap_hint: str) -> None:
    if -180 <= x <= 180 and -90 <= y <= 90:
        return
    hint = f" The {swap_hint}." if abs(x) <= 90 and abs(y) <= 180 else ""
    if not -180 <= x <= 180:
        raise field_error(field, f"{_cap(where)}: longitude {x:g} is outside −180 to 180.{hint}")
    raise field_error(field, f"{_cap(where)}: latitude {y:g} is outside −90 to 90.{hint}")


def _check_swapped(parts: list[list[Ring]], field: str, hint: str, bbox: Bbox | None) -> None:
    """Refuse areas that are far away as given but in the region with axes swapped."""
    if bbox is None:
        return
    pts = [pt for rings in parts for ring in rings for pt in ring]

    def inside(x: float, y: float) -> bool:
        return bbox[0] <= x <= bbox[2] and bbox[1] <= y <= bbox[3]

    if not any(inside(x, y) for x, y in pts) and all(inside(y, x) for x, y in pts):
        x, y = pts[0]
        raise field_error(
            field,
            f"The {hint}. As given, the first corner is at {_pt(x, y)}, far from "
            f"the region; swapped it would be at {_pt(y, x)}.",
        )


def _assemble(
    parts: list[list[Ring]], names: _Names, field: str, swap_hint: str, swap_bbox: Bbox | None
) -> MultiPolygon:
    """Turn checked rings into a valid MultiPolygon, or say precisely what is wrong."""
    _check_swapped(parts, field, swap_hint, swap_bbox)
    polys = []
    for p, rings in enumerate(parts):
        for r, ring in enumerate(rings):
            _check_ring(ring, p, r, names, field)
        poly = Polygon(rings[0], rings[1:])
        _check_part(poly, rings, p, names, field)
        polys.append(orient(poly, 1.0))
    multi = MultiPolygon(polys)
    reason = shapely.is_valid_reason(multi)
    if reason != "Valid Geometry":
        kind, pt = _reason(reason)
        at = [f"{q + 1}" for q, poly in enumerate(polys) if poly.distance(Point(pt)) <= _TOL]
        which = f"Parts {' and '.join(at)}" if len(at) > 1 else "Two parts"
        raise field_error(
            field,
            f"{which} overlap or share a side near {_pt(*pt)}. Parts of one area "
            "may meet at a corner but not overlap: merge them or move them apart.",
        )
    return multi


def _reason(reason: str) -> tuple[str, tuple[float, float]]:
    m = _REASON.match(reason)
    if not m:
        return reason, (math.nan, math.nan)
    return m.group("kind").strip(), (float(m.group("x")), float(m.group("y")))


def _check_ring(ring: Ring, p: int, r: int, names: _Names, field: str) -> None:
    """Enough distinct corners, some area, and no side crossing another."""
    what = _cap(names.ring(p, r))
    distinct = len(set(ring[:-1]))
    if distinct < 3:
        raise field_error(
            field,
            f"{what} has only {distinct} distinct corner"
            f"{'s' if distinct != 1 else ''}; an area needs at least 3.",
        )
    shell = Polygon(ring)
    if shapely.MultiPoint(ring).convex_hull.area == 0:
        raise field_error(field, f"{what} has no area: all its corners lie on one straight line.")
    reason = shapely.is_valid_reason(shell)
    if reason == "Valid Geometry":
        return
    _, pt = _reason(reason)
    raise field_error(
        field,
        f"{what} crosses or touches itself at {_pt(*pt)}"
        f"{_on_ring(ring, pt, names)}. The corners must go round the area in "
        "order, without sides crossing (a 'bow-tie').",
    )


def _on_ring(ring: Ring, pt: tuple[float, float], names: _Names) -> str:
    """Say which corners/sides of a ring meet at a trouble point."""
    n, here = len(ring) - 1, Point(pt)
    c = [names.corner(i, len(ring)) for i in range(n)]
    verts = [i for i in range(n) if math.dist(ring[i], pt) <= _TOL]
    edges = [
        i
        for i in range(n)
        if i not in verts
        and (i + 1) % n not in verts
        and LineString([ring[i], ring[i + 1]]).distance(here) <= _TOL
    ]

    def side(i: int) -> str:
        return f"the side from {c[i]} to {c[(i + 1) % n]}"

    if len(verts) >= 2:
        return f": {' and '.join(c[i] for i in verts)} are at the same place"
    if verts and edges:
        return f": {c[verts[0]]} lies on {side(edges[0])}"
    if len(edges) >= 2:
        return f": {side(edges[0])} crosses {side(edges[1])}"
    return f", at {c[verts[0]]}" if verts else ""


def _check_part(poly: Polygon, rings: list[Ring], p: int, names: _Names, field: str) -> None:
    """Holes inside the outer boundary, not crossing it or each other."""
    reason = shapely.is_valid_reason(poly)
    if reason == "Valid Geometry":
        return
    kind, pt = _reason(reason)
    here = Point(pt)
    on = [r for r in range(len(rings)) if LineString(rings[r]).distance(here) <= _TOL]
    ring = [names.ring(p, r) for r in range(len(rings))]
    if kind == "Hole lies outside shell" and on:
        msg = f"{_cap(ring[on[-1]])} lies outside the outer boundary (at {_pt(*pt)})."
    elif kind == "Holes are nested" and on:
        outer = [r for r in range(1, len(rings)) if r not in on and Polygon(rings[r]).covers(here)]
        inside = f" lies inside {ring[outer[0]]}" if outer else " lies inside another hole"
        msg = f"{_cap(ring[on[0]])}{inside} (at {_pt(*pt)}); holes may not nest."
    elif kind == "Interior is disconnected":
        msg = (
            f"The holes of {names.part(p)} cut its area into separate pieces near "
            f"{_pt(*pt)}; make each piece a part of its own."
        )
    elif len(on) >= 2:
        msg = (
            f"{_cap(ring[on[0]])} and {ring[on[1]]} cross or touch along a side near "
            f"{_pt(*pt)}. A hole must lie inside the outer boundary without crossing it."
        )
    else:
        msg = f"{_cap(names.part(p))} is not a valid area ({kind}) near {_pt(*pt)}."
    raise field_error(field, msg)


def parse_corners(
    text_or_rows: str | Iterable,
    *,
    notation: str = "auto",
    field: str = "corners",
    max_vertices: int = 2000,
    utm_zone_bbox: Bbox = SIERRA_LEONE_BBOX,
    swap_check_bbox: Bbox | None = WEST_AFRICA_BBOX,
) -> Polygon:
    """Read a surveyor's corner list (DD, DMS, UTM 28N/29N; one per line) into a valid Polygon."""
    points, labels = read_corners(
        text_or_rows,
        notation=notation,
        field=field,
        max_vertices=max_vertices,
        utm_zone_bbox=utm_zone_bbox,
    )
    ring = points if len(points) > 1 and points[0] == points[-1] else points + points[:1]
    if len(set(ring)) < 3:
        n = len(set(ring))
        raise field_error(
            field,
            f"Only {n} distinct corner{'s' if n != 1 else ''} "
            f"{'were' if n != 1 else 'was'} given; an area needs at least 3.",
        )
    multi = _assemble([[ring]], _Names(False, labels), field, _CORNER_SWAP, swap_check_bbox)
    return multi.geoms[0]


def geodesic_area_ha(geom: BaseGeometry) -> float:
    """Area on the WGS 84 ellipsoid, in hectares (polygonal parts only)."""
    parts = shapely.get_parts(shapely.get_parts(geom))  # flattens collections of multis too
    polys = [g for g in parts if isinstance(g, Polygon) and not g.is_empty]
    return sum(abs(_GEOD.geometry_area_perimeter(orient(g, 1.0))[0]) for g in polys) / 10_000


def format_area(ha: float, decimals: int | None = None) -> str:
    """Say an area the way officers read it: '250.4 ha', '12,345 ha (123.5 km²)'."""
    if decimals is None:
        decimals = 2 if ha < 10 else 1 if ha < 1000 else 0
    text = f"{ha:,.{decimals}f} ha"
    return text if ha < 1000 else f"{text} ({ha / 100:,.1f} km²)"


def check_area_limit(
    area_ha: float,
    *,
    licence_type: str,
    max_area_ha: float | None,
    field: str = "geometry",
    words: str | None = None,
) -> None:
    """Refuse an area larger than the licence type allows (``words``: the profile's words for
    the type, e.g. 'small-scale'; without them its name is spelt with hyphens)."""
    if max_area_ha is None or area_ha <= max_area_ha:
        return
    decimals = 2 if area_ha < 10 else 1 if area_ha < 1000 else 0
    while round(area_ha, decimals) <= max_area_ha and decimals < 6:
        decimals += 1  # never say "200.0 ha is over 200 ha"
    kind = words or str(licence_type).replace("_", "-")
    article = "an" if kind[:1].lower() in "aeiou" else "a"
    raise field_error(
        field,
        f"The area is {format_area(area_ha, decimals)}; {article} {kind} licence "
        f"may cover at most {format_area(max_area_ha, 0 if max_area_ha % 1 == 0 else None)}.",
    )


def _distance_text(metres: float) -> str:
    return f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:,.1f} km"


def check_inside_country(
    geom: BaseGeometry,
    country: BaseGeometry,
    *,
    tolerance: float = 0.05,
    country_name: str = "Sierra Leone",
    field: str = "geometry",
) -> dict:
    """Refuse areas outside the country; allow a small share outside, with a note."""
    if not country.is_valid:
        country = shapely.make_valid(country)
    total = geodesic_area_ha(geom)
    outside_ha = geodesic_area_ha(geom.difference(country)) if total else 0.0
    share = outside_ha / total if total else 0.0
    if total and not geom.intersects(country) or share >= 1 - 1e-9:
        a, b = nearest_points(geom, country)
        metres = _GEOD.inv(a.x, a.y, b.x, b.y)[2]
        where = (
            "it only touches the border"
            if metres < 50
            else f"the nearest point of the country is {_distance_text(metres)} away"
        )
        raise field_error(field, f"The polygon lies entirely outside {country_name} ({where}).")
    if share <= 1e-9:
        return {"outside_share": 0.0, "outside_ha": 0.0, "note": None}
    said = f"{share * 100:.1f}% of the area ({format_area(outside_ha)}) lies outside {country_name}"
    if share > tolerance:
        raise field_error(
            field,
            f"{said}; at most {tolerance * 100:g}% may, to allow for coarse "
            "boundary data. Check the corners near the border.",
        )
    return {
        "outside_share": round(share, 4),
        "outside_ha": round(outside_ha, 2),
        "note": f"{said}, within the {tolerance * 100:g}% tolerance for coarse boundary data",
    }


def to_geojson(geom: BaseGeometry) -> dict:
    """GeoJSON mapping of a geometry, with lists rather than tuples."""
    return json.loads(json.dumps(mapping(geom)))
