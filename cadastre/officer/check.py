"""The "Check" step of a new application: area, limit, conflicts, free part, border tier.

Conflicts and the free part come from the registry's own overlap queries (issue 3,
``cadastre.queries.overlaps``), so the check says what registration will say. The border
figure uses the border engine when it offers a geometry assessment, else one SQL statement
over the active boundary data set's land border lines.
"""

from __future__ import annotations

import json

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from cadastre.domain.geometry import check_area_limit, format_area, geodesic_area_ha
from cadastre.errors import ValidationError
from cadastre.profile import Profile

_OVERLAP_SHAPES = text(
    """
    WITH g AS (SELECT ST_GeomFromText(:wkt, 4326) AS geom)
    SELECT l.id, ST_AsGeoJSON(ST_CollectionExtract(ST_Intersection(l.geom, g.geom), 3), 6) AS gj
      FROM licences l, g WHERE l.id IN :ids
    """
).bindparams(bindparam("ids", expanding=True))

_BORDER = text(
    """
    WITH g AS (SELECT ST_GeomFromText(:wkt, 4326) AS geom)
    SELECT b.name, ST_Distance(b.geom::geography, g.geom::geography) / 1000.0 AS km,
           d.name AS source, d.uncertainty_km
      FROM border_lines b JOIN boundary_datasets d ON d.id = b.dataset_id AND d.active, g
     ORDER BY km LIMIT 1
    """
)


def check_application(
    session: Session,
    profile: Profile,
    geom: BaseGeometry,
    licence_type: str | None,
    commodities: list[str] | None = None,
) -> dict:
    """What registering this area would meet, as a dict the page shows (nothing is stored)."""
    area = geodesic_area_ha(geom)
    out: dict = {
        "geometry": mapping(geom),
        "area_ha": round(area, 4),
        "area_text": format_area(area),
    }
    spec = profile.licence_types.get(licence_type or "")
    if spec is not None:
        out["max_area_ha"] = spec.max_area_ha
        out["max_area_text"] = format_area(spec.max_area_ha)
        try:
            check_area_limit(area, licence_type=licence_type, max_area_ha=spec.max_area_ha)
            out["within_limit"], out["limit_message"] = True, None
        except ValidationError as exc:
            out["within_limit"], out["limit_message"] = False, exc.detail
        out["exclusive"] = spec.exclusive
    out.update(_conflicts(session, profile, geom, spec))
    out["border"] = _border(session, profile, geom, licence_type, commodities or [])
    return out


def _conflicts(session, profile, geom, spec) -> dict:
    from cadastre.queries.overlaps import find_conflicts, free_part

    if spec is not None and not spec.exclusive:
        return {
            "conflicts": [],
            "overlaps": None,
            "free": None,
            "conflict_note": "This licence type is not exclusive; overlaps are allowed.",
        }
    rows = find_conflicts(session, profile, geom)
    conflicts = [r.as_dict() for r in rows]
    if not conflicts:
        return {"conflicts": [], "overlaps": None, "free": None, "conflict_note": None}
    ids = [r.id for r in rows]
    shapes = session.execute(_OVERLAP_SHAPES, {"wkt": geom.wkt, "ids": ids}).all()
    features = [
        {"type": "Feature", "properties": {"id": lid}, "geometry": json.loads(gj)}
        for lid, gj in shapes
        if gj
    ]
    free = free_part(session, geom, ids)
    free["area_text"] = format_area(free["area_ha"])
    for c in conflicts:
        c["overlap_text"] = format_area(c["overlap_ha"])
    return {
        "conflicts": conflicts,
        "overlaps": {"type": "FeatureCollection", "features": features},
        "free": free,
        "conflict_note": None,
    }


def _border(session, profile, geom, licence_type, commodities) -> dict | None:
    row = session.execute(_BORDER, {"wkt": geom.wkt}).first()
    if row is None:
        return None
    km = float(row.km)
    tier = "none"
    for t in sorted(profile.tiers, key=lambda t: t.max_km):
        if km <= t.max_km:
            tier = t.name
            break
    reasons = [
        f"{km:.1f} km from the {row.name} border"
        if not row.name.endswith("border")
        else f"{km:.1f} km from the {row.name}"
    ]
    if tier == "none":
        reasons = [f"{km:.1f} km from the nearest land border ({row.name}); beyond every tier"]
    raising = [c for c in commodities if c in profile.raise_commodities]
    if tier != "none" and raising:
        reasons.append(f"{' and '.join(raising)} licence")
    if tier != "none" and licence_type in profile.raise_licence_types:
        reasons.append(licence_type.replace("_", "-"))
    return {
        "distance_km": round(km, 2),
        "tier": tier,
        "nearest_border": row.name,
        "boundary_source": row.source,
        "uncertainty_km": row.uncertainty_km,
        "reasons": reasons,
    }
