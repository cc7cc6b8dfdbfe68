"""What a licence certificate states and how the paper is checked against the register.

A printed certificate carries a short digest of the licence's state when it was printed.
The public check (``/verify/{code}``) computes the digest of the register's current state
the same way: equal digests mean the paper still says what the register says. The digest
covers what a buyer or field officer relies on (who holds which ground, of what type, until
when, in what status), so any renewal, transfer, relinquishment or suspension changes it.
"""

from __future__ import annotations

import hashlib
import json
import math

#: Statuses in which a licence is in force and so has a certificate.
CERTIFIED_STATUSES = ("granted", "suspended")
#: Hex characters of the SHA-256 printed on the paper (64 bits: no collision by chance).
DIGEST_LENGTH = 16


def state_digest(
    *,
    code: str,
    status: str,
    holder: str,
    licence_type: str,
    granted_at: str | None,
    expires_at: str | None,
    area_ha: float,
    geometry_wkb_hex: str,
) -> str:
    """The first hex characters of SHA-256 over the licence's state as canonical JSON."""
    facts = {
        "code": code,
        "status": status,
        "holder": holder,
        "licence_type": licence_type,
        "granted_at": granted_at,
        "expires_at": expires_at,
        "area_ha": f"{area_ha:.4f}",
        "geometry": geometry_wkb_hex.lower(),
    }
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_LENGTH]


def utm_zone_number(lon: float) -> int:
    """The UTM zone (1-60) a longitude lies in."""
    return min(60, max(1, int(math.floor((lon + 180.0) / 6.0)) + 1))


def utm_crs(lon: float, lat: float, profile_zones: tuple[str, ...]) -> str:
    """The profile's UTM zone (``EPSG:326zz``/``EPSG:327zz``) an area at lon/lat lies in;
    the nearest of the profile's zones when the point lies outside all of them."""
    zone = utm_zone_number(lon)
    wanted = f"EPSG:{32600 if lat >= 0 else 32700}{zone:02d}"
    if wanted in profile_zones or not profile_zones:
        return wanted
    return min(profile_zones, key=lambda crs: abs(int(crs[-2:]) - zone))


def utm_label(crs: str) -> str:
    """``EPSG:32629`` -> ``UTM zone 29N (EPSG:32629)``."""
    code = int(crs.split(":")[1])
    hemisphere = "N" if code < 32700 else "S"
    return f"UTM zone {code % 100}{hemisphere} ({crs})"


def dms(value: float, positive: str, negative: str) -> str:
    """Degrees, minutes and seconds: ``-10.97`` with W/E -> ``10°58'12.00"W``."""
    hemisphere = positive if value >= 0 else negative
    seconds = round(abs(value) * 3600, 2)
    degrees, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(degrees)}°{int(minutes):02d}'{secs:05.2f}\"{hemisphere}"


def scale_bar_metres(width_m: float) -> float:
    """A round length (1, 2 or 5 × a power of ten) near a quarter of the map's width."""
    target = max(width_m / 4, 1.0)
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)
