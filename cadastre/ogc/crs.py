"""Coordinate reference systems offered by the OGC API (Part 2) and their axis orders."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cadastre.ogc.errors import bad_parameter

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@dataclass(frozen=True)
class Crs:
    """One CRS: its URI, its EPSG code and whether its axes are (lat, lon)."""

    uri: str
    srid: int
    lat_lon: bool = False
    #: Decimal digits written in GeoJSON coordinates (1e-7 deg ~ 1 cm; metres to cm).
    digits: int = 7

    @property
    def header(self) -> str:
        """The value of the ``Content-Crs`` header."""
        return f"<{self.uri}>"


def _epsg(code: int, *, lat_lon: bool = False, digits: int = 2) -> Crs:
    return Crs(f"http://www.opengis.net/def/crs/EPSG/0/{code}", code, lat_lon, digits)


SUPPORTED: dict[str, Crs] = {
    CRS84: Crs(CRS84, 4326),
    "http://www.opengis.net/def/crs/EPSG/0/4326": _epsg(4326, lat_lon=True, digits=7),
    "http://www.opengis.net/def/crs/EPSG/0/3857": _epsg(3857),
    "http://www.opengis.net/def/crs/EPSG/0/32628": _epsg(32628),
    "http://www.opengis.net/def/crs/EPSG/0/32629": _epsg(32629),
}
DEFAULT = SUPPORTED[CRS84]
URIS = list(SUPPORTED)


def parse_crs(value: str | None, parameter: str) -> Crs:
    """The CRS named by a URI (short forms ``EPSG:4326``, ``OGC:CRS84`` too), or a 400."""
    if value is None or value == "":
        return DEFAULT
    text = value.strip().strip("<>")
    if text in SUPPORTED:
        return SUPPORTED[text]
    short = text.upper().replace("URN:OGC:DEF:CRS:", "").replace("::", ":")
    if short in ("OGC:CRS84", "OGC:1.3:CRS84", "CRS84"):
        return DEFAULT
    if short.startswith("EPSG:"):
        uri = f"http://www.opengis.net/def/crs/EPSG/0/{short.rsplit(':', 1)[1]}"
        if uri in SUPPORTED:
            return SUPPORTED[uri]
    raise bad_parameter(parameter, f"unsupported CRS {value!r}; use one of {', '.join(URIS)}")


#: Where each CRS's coordinates (x east, y north) may lie: PROJ cannot take UTM coordinates far
#: outside the zone back to longitude/latitude ("Point outside of projection domain"), so a
#: box or geometry beyond this is refused instead of reaching PostGIS. Ten thousand km
#: either way of the zone's centre still covers Sierra Leone's neighbours many times over.
DOMAINS: dict[int, tuple[float, float, float, float]] = {
    4326: (-180.0, -90.0, 180.0, 90.0),  # and PostGIS's geography refuses anything beyond
    32628: (500_000 - 1e7, -1e7, 500_000 + 1e7, 1e7),
    32629: (500_000 - 1e7, -1e7, 500_000 + 1e7, 1e7),
}


def check_within(crs: Crs, coords, parameter: str) -> None:
    """A 400 naming ``parameter`` when a coordinate is not finite or lies outside ``crs``'s reach.

    ``coords`` is a flat sequence x, y, x, y, ... with x east (longitude) and y north.
    """
    values = [float(c) for c in coords]
    if not all(math.isfinite(v) for v in values):
        raise bad_parameter(parameter, "coordinates must be finite numbers")
    domain = DOMAINS.get(crs.srid)
    if domain is None:
        return
    minx, miny, maxx, maxy = domain
    xs, ys = values[0::2], values[1::2]
    if not all(minx <= x <= maxx for x in xs) or not all(miny <= y <= maxy for y in ys):
        raise bad_parameter(
            parameter,
            f"coordinates outside what EPSG:{crs.srid} can express "
            f"(x from {minx:.0f} to {maxx:.0f}, y from {miny:.0f} to {maxy:.0f})",
        )
