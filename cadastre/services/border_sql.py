"""The border engine's SQL: segments and points of interest in force, the measuring
joins, and the tier/level/reasons rules stated in SQL from the same :class:`RiskRules` the
domain module applies one licence at a time (tests hold both to the same answers).

``assessment_ctes`` is the set-based assessment of any rows (id, geom, licence_type,
commodities): the full recompute updates licences from it, and an import inserts new
licences already assessed from it, so each row is written once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.border_risk import NO_TIER, RiskRules, risk_level
from cadastre.profile import Profile

#: Work table of border segments for a set-based run (temporary, dropped at commit).
SEGMENTS = "border_recompute_segments"

ACTIVE_SEGMENTS = """
SELECT b.name, d.geom, d.geom::geography AS geog
FROM border_lines b
JOIN boundary_datasets ds ON ds.id = b.dataset_id AND ds.active
CROSS JOIN LATERAL ST_DumpSegments(b.geom) AS d
WHERE CAST(:home AS text) IN (b.country_a, b.country_b)
"""

POINTS = """
SELECT p.name, p.kind, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326) AS geom,
       ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography AS geog
FROM unnest(CAST(:poi_names AS text[]), CAST(:poi_kinds AS text[]),
            CAST(:poi_lons AS float8[]), CAST(:poi_lats AS float8[])) AS p(name, kind, lon, lat)
"""

SOURCE = """
SELECT left(name || ' ' || version, 120) AS source, uncertainty_km AS unc
FROM boundary_datasets WHERE active ORDER BY id DESC LIMIT 1
"""

# Fewest metres per degree at |latitude| <= B on WGS84 (a = 6378137, e² = 0.00669438):
# a degree of latitude spans at least a(1-e²)·π/180, one of longitude a·cos B/√(1-e² sin² B)·π/180.
# B is the largest |latitude| of the licence or the border segments, plus half a degree
# for the poleward bulge of geodesics.
_MIN_METRES_PER_DEGREE = """
(radians(1) * 6378137.0 * least(1 - 0.00669437999014,
    cos(radians(least(89.0, greatest(abs(ST_YMin(lic.geom)), abs(ST_YMax(lic.geom)), {seg_lat})
                            + 0.5)))
    / sqrt(1 - 0.00669437999014 * sin(radians(least(89.0, greatest(
          abs(ST_YMin(lic.geom)), abs(ST_YMax(lic.geom)), {seg_lat}) + 0.5)))^2)))
"""

_MEASURE = """
LEFT JOIN LATERAL (
    SELECT _ST_DistanceUnCached(s.geog, lic.geog, true) AS g
    FROM {seg} s ORDER BY s.geom <-> lic.geom LIMIT 1
) AS knn ON true
LEFT JOIN LATERAL (
    SELECT s.name AS border, _ST_DistanceUnCached(s.geog, lic.geog, true) AS d
    FROM {seg} s
    WHERE ST_DWithin(s.geom, lic.geom, knn.g / {kmin} + {chord_slack})
    ORDER BY d, s.name LIMIT 1
) AS nb ON true
LEFT JOIN LATERAL (
    SELECT _ST_DistanceUnCached(p.geog, lic.geog, true) AS g
    FROM {poi} p ORDER BY p.geom <-> lic.geom LIMIT 1
) AS pknn ON true
LEFT JOIN LATERAL (
    SELECT p.name, p.kind, _ST_DistanceUnCached(p.geog, lic.geog, true) AS d
    FROM {poi} p
    WHERE ST_DWithin(p.geom, lic.geom, pknn.g / {kmin} + {chord_slack})
    ORDER BY d, p.name LIMIT 1
) AS np ON true
"""


#: Degrees added to the pruning radius: a segment is a straight line in longitude/latitude
#: but a great-circle arc as geography; the two part by a few metres on long segments.
CHORD_SLACK_DEG = 0.001
#: Largest |latitude| of the segments and points of interest, for the pruning bound.
_REGION_LAT = """(SELECT max(greatest(abs(ST_YMin(geom)), abs(ST_YMax(geom))))
                 FROM (SELECT geom FROM {seg} UNION ALL SELECT geom FROM {poi}) AS x)"""


def measure(seg: str, poi: str, region_lat: str | None = None) -> str:
    """LATERAL joins giving each ``lic`` row its nearest segment (nb) and point (np)."""
    kmin = _MIN_METRES_PER_DEGREE.format(seg_lat=region_lat or _REGION_LAT.format(seg=seg, poi=poi))
    return _MEASURE.format(seg=seg, poi=poi, kmin=kmin, chord_slack=CHORD_SLACK_DEG)


# The set-based measure (recompute, import): the KNN and the band are in a UTM plane, where
# distances stray from geodesic ones by a known ratio (``Plane.grow``), so the band around
# the planar-nearest segment is narrow (one or two candidates) and only the candidates get a
# geodesic distance; the degree-space bound of ``measure`` lets three or four through. The
# box distance ``<#>`` (never more than the exact ``<->``) drops most of the index's
# bounding-box hits before the exact planar distance is computed (~10 % of the measuring).
_MEASURE_PLANE = """
LEFT JOIN LATERAL (
    SELECT s.gp <-> lic.gp AS p, s.slack AS e
    FROM {seg} s ORDER BY s.gp <-> lic.gp LIMIT 1
) AS knn ON true
LEFT JOIN LATERAL (
    SELECT s.name AS border, _ST_DistanceUnCached(s.geog, lic.geog, true) AS d
    FROM {seg} s
    WHERE ST_DWithin(s.gp, lic.gp, (knn.p + knn.e) * CAST(:plane_grow AS float8)
                                   + CAST(:plane_slack AS float8))
      AND (s.gp <#> lic.gp) <= (knn.p + knn.e) * CAST(:plane_grow AS float8) + s.slack
      AND s.gp <-> lic.gp <= (knn.p + knn.e) * CAST(:plane_grow AS float8) + s.slack
    ORDER BY d, s.name LIMIT 1
) AS nb ON true
LEFT JOIN LATERAL (
    SELECT c.name, c.kind, _ST_DistanceUnCached(c.geog, lic.geog, true) AS d
    FROM (SELECT p.name, p.kind, p.geog, p.gp <-> lic.gp AS pd,
                 min(p.gp <-> lic.gp) OVER () AS m
          FROM {poi} p) AS c
    WHERE c.pd <= (c.m + CAST(:plane_base AS float8)) * CAST(:plane_grow AS float8)
                  + CAST(:plane_base AS float8)
    ORDER BY d, c.name LIMIT 1
) AS np ON true
"""


@dataclass(frozen=True)
class Plane:
    """The UTM zone a set-based run measures in, and how far it may stray from geodesics.

    The plane's scale lies within [k_min, k_max] over the region, grow >= k_max / k_min,
    and a feature's planar distance p strays from its projected geodesic one by at most its
    slack e (the chord against the geodesic of a segment, the bulge of the licence's
    edges). So k_min g - e <= p <= k_max g + e, and with s1 the planar-nearest feature,
    the geodesic-nearest s* has p(s*) <= grow (p(s1) + e(s1)) + e(s*): every feature within
    that is a candidate, and only candidates get a geodesic distance. ``slack_m`` is the
    largest e (the index search radius); ``base_m`` is e of a point of interest.
    """

    srid: int
    grow: float
    slack_m: float
    base_m: float = 20.0

    def params(self) -> dict[str, Any]:
        """As statement parameters of ``measure_in_plane``."""
        return {
            "plane_srid": self.srid,
            "plane_grow": self.grow,
            "plane_slack": self.slack_m,
            "plane_base": self.base_m,
        }


_E2_PRIME = 0.00673949674228  # WGS84 second eccentricity squared
_EARTH_M = 6_371_000.0


def utm_plane(
    lon_min: float, lon_max: float, lat_min: float, lat_max: float, longest_m: float = 0.0
) -> Plane:
    """The UTM zone of the region's middle, with its worst scale ratio over the region.

    Transverse Mercator scale: k = k0 (1 + (dl cos phi)^2 (1 + e'^2 cos^2 phi) / 2 + ...);
    the fourth-order terms are covered by a 25 % margin on the spread.
    """
    mid_lon, mid_lat = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    zone = min(60, max(1, int(math.floor((mid_lon + 180) / 6)) + 1))
    srid = (32600 if mid_lat >= 0 else 32700) + zone
    cm = -183 + 6 * zone

    def k(dlon: float, lat: float) -> float:
        c = math.cos(math.radians(lat))
        x = math.radians(dlon) * c
        return 1 + x * x * (1 + _E2_PRIME * c * c) / 2

    near_eq = 0.0 if lat_min <= 0 <= lat_max else min(abs(lat_min), abs(lat_max))
    far_pole = max(abs(lat_min), abs(lat_max))
    widest = max(abs(lon_min - cm), abs(lon_max - cm))
    narrowest = 0.0 if lon_min <= cm <= lon_max else min(abs(lon_min - cm), abs(lon_max - cm))
    spread = k(widest, near_eq) / k(narrowest, far_pole) - 1
    return Plane(srid=srid, grow=1 + 1.25 * spread + 1e-5, slack_m=segment_slack(longest_m))


#: Metres for the bulge of a licence's edges (under ~20 km) against their geodesics.
BASE_SLACK_M = 20.0


def segment_slack(length_m: float) -> float:
    """How far a straight planar segment may stray from its geodesic (generously: the
    sagitta of a geodesic's image in transverse Mercator is far below L^2 / 4R)."""
    return BASE_SLACK_M + length_m**2 / (4 * _EARTH_M)


def measure_in_plane(seg: str, poi: str) -> str:
    """``measure`` for set-based runs: same answers, in ``Plane`` (``lic``/``poi`` carry gp)."""
    return _MEASURE_PLANE.format(seg=seg, poi=poi)


def common_params(profile: Profile) -> dict[str, Any]:
    """The home country and the points of interest, as statement parameters."""
    pois = profile.points_of_interest
    return {
        "home": profile.iso_a3,
        "poi_names": [p.name for p in pois],
        "poi_kinds": [p.kind for p in pois],
        "poi_lons": [p.lon for p in pois],
        "poi_lats": [p.lat for p in pois],
    }


def rule_sql(rules: RiskRules) -> tuple[str, str, str, dict[str, Any]]:
    """The tier, level and reasons rules as SQL over columns km, border, poi_*, commodities."""
    params: dict[str, Any] = {
        "raise_c": list(rules.raise_commodities),
        "raise_t": list(rules.raise_licence_types),
        "raise_w": [rules.words_for(t) for t in rules.raise_licence_types],
        "poi_km": rules.poi_km,
        "no_tier": NO_TIER,
        "level_none": risk_level(NO_TIER, False, rules),
    }
    tier_parts, level_parts = [], []
    for i, (name, max_km) in enumerate(rules.tiers):
        params[f"tn{i}"], params[f"tk{i}"] = name, max_km
        params[f"lv{i}"] = risk_level(name, False, rules)
        params[f"lr{i}"] = risk_level(name, True, rules)
        tier_parts.append(f"WHEN km <= :tk{i} THEN CAST(:tn{i} AS text)")
        level_parts.append(
            f"WHEN tier = :tn{i} THEN CASE WHEN raised THEN CAST(:lr{i} AS text) "
            f"ELSE CAST(:lv{i} AS text) END"
        )
    tier = (
        "CASE WHEN km IS NULL THEN NULL "
        + " ".join(tier_parts)
        + " ELSE CAST(:no_tier AS text) END"
    )
    level = (
        "CASE WHEN tier IS NULL THEN NULL WHEN tier = :no_tier THEN CAST(:level_none AS text) "
        + " ".join(level_parts)
        + " END"
    )
    reasons = """
    (CASE WHEN tier IS NOT NULL AND tier <> :no_tier THEN
        ARRAY[CASE WHEN km = 0 THEN 'straddles the ' || border || ' border'
                   ELSE round(km::numeric, 1)::text || ' km from the ' || border || ' border' END]
        || ARRAY(SELECT u.c || ' licence' FROM unnest(commodities) WITH ORDINALITY AS u(c, i)
                 WHERE u.c = ANY(CAST(:raise_c AS text[])) ORDER BY u.i)
        || CASE WHEN licence_type = ANY(CAST(:raise_t AS text[]))
                THEN ARRAY[(CAST(:raise_w AS text[]))[array_position(CAST(:raise_t AS text[]),
                                                                licence_type::text)]
                           || ' licence'] ELSE ARRAY[]::text[] END
     ELSE ARRAY[]::text[] END)
    || CASE WHEN poi_km <= :poi_km
            THEN ARRAY[round(poi_km::numeric, 1)::text || ' km from ' || poi_name
                       || ' (' || replace(poi_kind, '_', ' ') || ')']
            ELSE ARRAY[]::text[] END
    """
    return tier, level, reasons, params


def measure_ctes(lic: str) -> str:
    """CTEs ``poi, lic, measured``: each row ``lic`` selects with its nearest border segment
    and point of interest (border, km, poi_name, poi_kind, poi_km), measured in the plane.

    ``lic`` must give id, geom, geog (and may give more, carried through). Needs
    ``prepare_segments`` first; parameters: ``common_params`` and the plane's.
    """
    return f"""
poi AS MATERIALIZED (
    SELECT p0.*, ST_Transform(p0.geom, CAST(:plane_srid AS integer)) AS gp
    FROM ({POINTS}) AS p0
),
lic AS MATERIALIZED (
    SELECT l0.*, ST_Transform(l0.geom, CAST(:plane_srid AS integer)) AS gp FROM ({lic}) AS l0
),
measured AS (
    SELECT lic.*, nb.border, nb.d / 1000.0 AS km,
           np.name AS poi_name, np.kind AS poi_kind, np.d / 1000.0 AS poi_km
    FROM lic
    {measure_in_plane(SEGMENTS, "poi")}
)"""


def rating_ctes(rules: RiskRules) -> tuple[str, dict[str, Any]]:
    """CTEs ``src, tiered, assessed``: the rules over the rows of ``measured``.

    ``measured`` (a CTE) must give km, border, poi_name, poi_kind, poi_km,
    licence_type and commodities. ``assessed`` adds tier, raised, level, reasons, source, unc.
    """
    tier, level, reasons, params = rule_sql(rules)
    sql = f"""
src AS MATERIALIZED ({SOURCE}),
tiered AS (
    SELECT m.*, {tier} AS tier,
           (m.commodities && CAST(:raise_c AS varchar[])
            OR m.licence_type = ANY(CAST(:raise_t AS text[]))) AS raised
    FROM measured m
),
assessed AS (
    SELECT t.*, {level} AS level, {reasons} AS reasons,
           CASE WHEN t.km IS NULL THEN NULL ELSE src.source END AS source,
           CASE WHEN t.km IS NULL THEN NULL ELSE src.unc END AS unc
    FROM tiered t LEFT JOIN src ON true
)"""
    return sql, params


def assessment_ctes(rules: RiskRules, lic: str) -> tuple[str, dict[str, Any]]:
    """``measure_ctes`` then ``rating_ctes``: the set-based assessment of the rows ``lic``
    selects (id, geom, geog, licence_type, commodities, and whatever else it carries)."""
    rating, params = rating_ctes(rules)
    return measure_ctes(lic) + ",\n" + rating, params


def prepare_segments(session: Session, profile: Profile) -> Plane:
    """Index the segments in force, in the plane of the region, in a temp table."""
    session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{SEGMENTS}"))
    session.execute(
        text(f"CREATE TEMP TABLE {SEGMENTS} ON COMMIT DROP AS {ACTIVE_SEGMENTS}"),
        {"home": profile.iso_a3},
    )
    region = session.execute(
        text(
            f"""
            SELECT ST_XMin(e), ST_XMax(e), ST_YMin(e), ST_YMax(e), longest FROM (
                SELECT ST_Extent(g) AS e FROM (
                    SELECT geom AS g FROM {SEGMENTS}
                    UNION ALL
                    SELECT c.geom FROM countries c
                    JOIN boundary_datasets ds ON ds.id = c.dataset_id AND ds.active
                    WHERE c.iso_a3 = CAST(:home AS text)) AS x) AS ext,
                (SELECT coalesce(max(ST_Length(geog)), 0) AS longest FROM {SEGMENTS}) AS l
            """
        ),
        {"home": profile.iso_a3},
    ).one()
    lons = [region[0], region[1]] + [p.lon for p in profile.points_of_interest]
    lats = [region[2], region[3]] + [p.lat for p in profile.points_of_interest]
    lons, lats = [v for v in lons if v is not None], [v for v in lats if v is not None]
    plane = utm_plane(
        min(lons, default=0.0), max(lons, default=0.0),
        min(lats, default=0.0), max(lats, default=0.0), region[4] or 0.0,
    )  # fmt: skip
    session.execute(
        text(f"ALTER TABLE {SEGMENTS} ADD COLUMN gp geometry"),
    )
    session.execute(text(f"ALTER TABLE {SEGMENTS} ADD COLUMN slack float8"))
    session.execute(
        text(
            f"UPDATE {SEGMENTS} SET gp = ST_Transform(geom, CAST(:srid AS integer)), "
            "slack = :base + ST_Length(geog)^2 / (4 * :earth)"
        ),
        {"srid": plane.srid, "base": BASE_SLACK_M, "earth": _EARTH_M},
    )
    session.execute(text(f"CREATE INDEX ON {SEGMENTS} USING gist (gp)"))
    session.execute(text(f"ANALYZE {SEGMENTS}"))
    return plane
