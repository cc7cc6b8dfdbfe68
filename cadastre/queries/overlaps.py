"""Overlap and availability queries: PostGIS measures, Python only reads the answers.

Two areas overlap when they share a positive area on the ellipsoid; neighbours that only
touch along a side (or at a corner) do not. ``MIN_OVERLAP_M2`` absorbs floating-point
slivers along shared sides, a millionth of the smallest licence anyone draws.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from shapely.geometry.base import BaseGeometry
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from cadastre.domain.lifecycle import LIVE_STATUSES, RIGHT_STATUSES
from cadastre.profile import Profile

#: Square metres of shared area below which two areas are said to touch, not overlap.
MIN_OVERLAP_M2 = 0.01
#: Key of the transaction-level advisory lock that queues exclusive intake (first come,
#: first served): taken before the overlap check, released at commit or rollback.
EXCLUSIVE_INTAKE_LOCK = 0x0CADA57E


@dataclass(frozen=True)
class OverlapRow:
    """A live licence that shares ground with a candidate area."""

    id: int
    code: str
    status: str
    licence_type: str
    overlap_ha: float

    def as_dict(self) -> dict:
        """The JSON form used in 409 bodies and availability answers."""
        return {
            "id": self.id,
            "code": self.code,
            "status": self.status,
            "licence_type": self.licence_type,
            "overlap_ha": round(self.overlap_ha, 4),
        }


CONFLICTS_SQL = text(
    """
    WITH g AS (SELECT ST_GeomFromText(:wkt, 4326) AS geom)
    SELECT l.id, l.code, l.status, l.licence_type, ov.m2 / 10000.0 AS overlap_ha
      FROM licences l CROSS JOIN g
      CROSS JOIN LATERAL (
            SELECT ST_Area(ST_Intersection(l.geom, g.geom)::geography) AS m2) ov
     WHERE ST_Intersects(l.geom, g.geom)
       AND l.licence_type IN :types
       AND l.status IN :statuses
       AND l.id <> :exclude
       AND ov.m2 > :min_m2
     ORDER BY l.application_number
    """
).bindparams(bindparam("types", expanding=True), bindparam("statuses", expanding=True))


def exclusive_types(profile: Profile) -> list[str]:
    """Names of the licence types whose rights may not overlap each other."""
    return [name for name, spec in profile.licence_types.items() if spec.exclusive]


def lock_exclusive_intake(session: Session) -> None:
    """Queue behind any other transaction checking exclusive ground, until this one ends."""
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": EXCLUSIVE_INTAKE_LOCK})


def find_conflicts(
    session: Session,
    profile: Profile,
    geom: BaseGeometry,
    *,
    statuses: tuple[str, ...] = LIVE_STATUSES,
    exclude_id: int | None = None,
) -> list[OverlapRow]:
    """Live exclusive licences (in ``statuses``) sharing a positive area with ``geom``."""
    types = exclusive_types(profile)
    if not types:
        return []
    rows = session.execute(
        CONFLICTS_SQL,
        {
            "wkt": geom.wkt,
            "types": types,
            "statuses": list(statuses),
            "exclude": exclude_id or 0,
            "min_m2": MIN_OVERLAP_M2,
        },
    ).all()
    return [OverlapRow(r.id, r.code, r.status, r.licence_type, float(r.overlap_ha)) for r in rows]


def right_conflicts(
    session: Session, profile: Profile, geom: BaseGeometry, *, exclude_id: int | None = None
) -> list[OverlapRow]:
    """Exclusive rights in force (granted or suspended) overlapping ``geom``."""
    return find_conflicts(session, profile, geom, statuses=RIGHT_STATUSES, exclude_id=exclude_id)


_FREE = text(
    """
    WITH g AS (SELECT ST_GeomFromText(:wkt, 4326) AS geom),
         taken AS (SELECT ST_Union(geom) AS geom FROM licences WHERE id IN :ids),
         free AS (
            SELECT CASE WHEN taken.geom IS NULL THEN g.geom
                        ELSE ST_CollectionExtract(
                             ST_MakeValid(ST_Difference(g.geom, taken.geom)), 3)
                   END AS geom
              FROM g, taken)
    -- full precision, so the free part sent back as an application touches but does not overlap
    SELECT ST_AsGeoJSON(free.geom, 15) AS geojson,
           COALESCE(ST_Area(free.geom::geography), 0) / 10000.0 AS area_ha,
           ST_IsEmpty(free.geom) AS empty
      FROM free
    """
).bindparams(bindparam("ids", expanding=True))


def free_part(session: Session, geom: BaseGeometry, conflict_ids: list[int]) -> dict:
    """The part of ``geom`` that the given licences leave free, as GeoJSON with its area."""
    row = session.execute(_FREE, {"wkt": geom.wkt, "ids": conflict_ids or [0]}).one()
    geojson = None if row.empty else json.loads(row.geojson)
    return {"geometry": geojson, "area_ha": round(float(row.area_ha or 0), 4)}
