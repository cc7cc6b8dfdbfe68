"""Decode TopoJSON (as world-atlas ships Natural Earth) into shapely geometries.

An arc shared by two countries is exactly their common border, so land borders come
out of the topology without ever touching the coastline.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from shapely import line_merge
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon
from shapely.validation import make_valid

from cadastre.errors import ConfigurationError


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat coordinates of every arc (undoing quantisation and delta coding)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            coords = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                coords.append((x * sx + tx, y * sy + ty))
        else:
            coords = [(p[0], p[1]) for p in arc]
        arcs.append(coords)
    return arcs


def _ring(arc_ids: Iterable[int], arcs: list[list[tuple[float, float]]]) -> list:
    coords: list[tuple[float, float]] = []
    for i in arc_ids:
        part = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        coords.extend(part if not coords else part[1:])
    return coords


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def country_geometry(geometry: dict, arcs: list) -> MultiPolygon:
    """The (multi)polygon of one TopoJSON geometry object."""
    polys = []
    for rings in _polygons(geometry):
        shell, *holes = (_ring(r, arcs) for r in rings)
        polys.append(Polygon(shell, holes))
    geom = MultiPolygon(polys)
    if not geom.is_valid:
        fixed = make_valid(geom)
        geom = MultiPolygon(
            [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type == "Polygon"]
        )
    return geom


def countries_and_borders(
    topology: dict, object_name: str, wanted_ids: dict[str, str]
) -> tuple[dict[str, MultiPolygon], dict[tuple[str, str], MultiLineString]]:
    """Countries by ``wanted_ids`` (TopoJSON id -> ISO code) and their shared land borders.

    Returns polygons per ISO code and, for each pair of wanted countries that share arcs,
    the merged lines of those arcs keyed by the sorted ISO pair.
    """
    try:
        geometries = topology["objects"][object_name]["geometries"]
    except (KeyError, TypeError) as exc:
        raise ConfigurationError(
            f"boundary file has no TopoJSON object '{object_name}' with geometries"
        ) from exc
    arcs = decode_arcs(topology)
    users: dict[int, set[str]] = defaultdict(set)
    polygons: dict[str, MultiPolygon] = {}
    for g in geometries:
        iso = wanted_ids.get(str(g.get("id")))
        if iso is None:
            continue
        polygons[iso] = country_geometry(g, arcs)
        for rings in _polygons(g):
            for ring in rings:
                for i in ring:
                    users[i if i >= 0 else ~i].add(iso)
    by_pair: dict[tuple[str, str], list[LineString]] = defaultdict(list)
    for arc_index, owners in users.items():
        if len(owners) == 2:
            pair = tuple(sorted(owners))
            by_pair[pair].append(LineString(arcs[arc_index]))
    borders = {}
    for pair, lines in by_pair.items():
        merged = line_merge(MultiLineString(lines))
        borders[pair] = (
            merged if merged.geom_type == "MultiLineString" else MultiLineString([merged])
        )
    return polygons, borders
