"""Border-zone bands: for each land border and tier, the ring of home territory it covers.

Geodesic buffers (``ST_Buffer`` on geography) of each land border of the home country at
each tier's distance, differenced into rings (0–5, 5–10, 10–25 km by default) and clipped
to the home country. Only the data set in force has bands; they are rebuilt by
``recompute_all`` (so both a boundary change and a tier change in the profile refresh them).
Bands of two borders overlap near a tripoint: each says how far from *that* border.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.border_risk import RiskRules
from cadastre.profile import Profile

_REBUILD = """
WITH ds AS (SELECT id FROM boundary_datasets WHERE active ORDER BY id DESC LIMIT 1),
home AS (
    SELECT c.geom FROM countries c JOIN ds ON c.dataset_id = ds.id
    WHERE c.iso_a3 = CAST(:home AS text)
),
lines AS (
    SELECT b.name, b.geom::geography AS geog FROM border_lines b JOIN ds ON b.dataset_id = ds.id
    WHERE CAST(:home AS text) IN (b.country_a, b.country_b)
),
bands AS (
    SELECT * FROM unnest(CAST(:names AS text[]), CAST(:los AS float8[]), CAST(:his AS float8[]))
        AS t(tier, lo, hi)
),
radii AS (SELECT DISTINCT km FROM (SELECT hi AS km FROM bands UNION SELECT lo FROM bands) r
          WHERE km > 0),
buffers AS MATERIALIZED (
    SELECT l.name, r.km, ST_Buffer(l.geog, r.km * 1000.0, 'quad_segs=16')::geometry AS geom
    FROM lines l CROSS JOIN radii r
)
INSERT INTO border_zones (dataset_id, tier, border, min_km, max_km, geom)
SELECT ds.id, t.tier, l.name, t.lo, t.hi, ST_Multi(z.geom)
FROM ds
CROSS JOIN home h
CROSS JOIN lines l
CROSS JOIN bands t
JOIN buffers bh ON bh.name = l.name AND bh.km = t.hi
LEFT JOIN buffers bl ON bl.name = l.name AND bl.km = t.lo
CROSS JOIN LATERAL (
    SELECT ST_CollectionExtract(ST_MakeValid(ST_Intersection(
        h.geom, CASE WHEN bl.geom IS NULL THEN bh.geom ELSE ST_Difference(bh.geom, bl.geom) END
    )), 3) AS geom
) AS z
WHERE NOT ST_IsEmpty(z.geom)
"""


def rebuild_border_zones(session: Session, profile: Profile) -> int:
    """Replace the tier bands with those of the data set in force; returns how many."""
    bands = RiskRules.from_profile(profile).bands()
    session.execute(text("DELETE FROM border_zones"))
    result = session.execute(
        text(_REBUILD),
        {
            "home": profile.iso_a3,
            "names": [b[0] for b in bands],
            "los": [b[1] for b in bands],
            "his": [b[2] for b in bands],
        },
    )
    return result.rowcount
