"""Independent distances for the border tests: densify with pyproj.Geod and take minima.

Nothing here uses PostGIS: lines and polygons are densified along geodesics (every few
metres) and the minimum WGS84 inverse distance between the point sets is taken.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod
from shapely.geometry import Point, Polygon, box

GEOD = Geod(ellps="WGS84")


def densify(coords, spacing_m: float) -> np.ndarray:
    """Points along a chain of geodesic edges, no further apart than ``spacing_m``."""
    out = []
    for (x0, y0), (x1, y1) in zip(coords[:-1], coords[1:], strict=False):
        _, _, d = GEOD.inv(x0, y0, x1, y1)
        n = max(1, math.ceil(d / spacing_m))
        out.append((x0, y0))
        out.extend(GEOD.npts(x0, y0, x1, y1, n - 1) if n > 1 else [])
    out.append(tuple(coords[-1]))
    return np.array(out)


def _lines(geom):
    return list(getattr(geom, "geoms", [geom]))


def _pairwise_min(a: np.ndarray, b: np.ndarray) -> tuple[float, int, int]:
    """Smallest geodesic distance between two point sets, with the indices of the pair."""
    best = (math.inf, 0, 0)
    for i, (x, y) in enumerate(a):
        _, _, d = GEOD.inv(np.full(len(b), x), np.full(len(b), y), b[:, 0], b[:, 1])
        j = int(d.argmin())
        if d[j] < best[0]:
            best = (float(d[j]), i, j)
    return best


def _near(points: np.ndarray, centre, radius_m: float) -> np.ndarray:
    _, _, d = GEOD.inv(
        np.full(len(points), centre[0]), np.full(len(points), centre[1]),
        points[:, 0], points[:, 1],
    )
    return points[d <= radius_m]


def _segments_near(coords, centre, radius_m: float) -> np.ndarray:
    """The line's edges that can come within ``radius_m`` of ``centre``, densified to 5 m."""
    arr = np.array(coords)
    _, _, to_centre = GEOD.inv(
        np.full(len(arr), centre[0]), np.full(len(arr), centre[1]), arr[:, 0], arr[:, 1]
    )
    _, _, lengths = GEOD.inv(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])
    keep = np.minimum(to_centre[:-1], to_centre[1:]) <= lengths + radius_m
    parts = [densify([tuple(arr[k]), tuple(arr[k + 1])], 5.0) for k in np.nonzero(keep)[0]]
    return np.concatenate(parts)


def min_distance_m(polygon: Polygon, border) -> float:
    """Minimum geodesic distance (m) from a polygon to a (multi)line, by densification.

    A coarse pass (50 m ring points, 200 m line points) finds where the two are closest;
    a fine pass (5 m apart) around that place gives the distance to well under a metre.
    """
    if polygon.intersects(border):
        return 0.0
    ring = list(polygon.exterior.coords)
    best = math.inf
    for line in _lines(border):
        coarse_ring = densify(ring, 50.0)
        coarse_line = densify(list(line.coords), 200.0)
        d, i, j = _pairwise_min(coarse_ring, coarse_line)
        fine_ring = _near(densify(ring, 5.0), coarse_ring[i], 150.0)
        fine_line = _near(_segments_near(list(line.coords), coarse_line[j], 500.0), coarse_line[j],
                          500.0)
        best = min(best, _pairwise_min(fine_ring, fine_line)[0])
    return best


def square(lon: float, lat: float, side_m: float) -> Polygon:
    """A square about ``side_m`` on a side, centred on lon/lat."""
    dlat = side_m / 111_320 / 2
    dlon = side_m / (111_320 * math.cos(math.radians(lat))) / 2
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def place_square(border, country: Polygon, fraction: float, target_km: float, side_m=150.0):
    """A square inside ``country`` whose independent distance to ``border`` is ``target_km``.

    Starts at the point ``fraction`` along the border, walks inland along the normal and
    corrects the offset until the densified distance is within 2 m of the target.
    Returns (polygon, distance in km).
    """
    line = max(_lines(border), key=lambda g: g.length)
    p0 = line.interpolate(fraction, normalized=True)
    p1 = line.interpolate(min(fraction + 0.002, 1.0), normalized=True)
    az, _, _ = GEOD.inv(p0.x, p0.y, p1.x, p1.y)
    inland = None
    for normal in (az + 90, az - 90):
        x, y, _ = GEOD.fwd(p0.x, p0.y, normal, 3000)
        if country.contains(Point(x, y)):
            inland = normal
            break
    assert inland is not None, "no inland side found"
    target = target_km * 1000
    offset, previous = target + side_m / 2, None
    for _ in range(12):
        x, y, _ = GEOD.fwd(p0.x, p0.y, inland, offset)
        poly = square(x, y, side_m)
        d = min_distance_m(poly, border)
        if abs(d - target) < 3:
            return poly, d / 1000
        slope = 1.0
        if previous is not None and previous[1] != d:
            slope = max(0.2, (d - previous[1]) / (offset - previous[0]))
        previous = (offset, d)
        offset += (target - d) / slope
    raise AssertionError(f"could not place a square {target_km} km from the border (got {d})")
