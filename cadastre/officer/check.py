"""The "Check" step of a new application: area, limit, conflicts, free part, border tier.

Conflicts and the free part come from the registry's own ``check_availability`` (the
function behind ``POST /api/availability``), so the check says what registration will say.
The border figure is measured with the border engine's SQL and rules
(``cadastre.services.border``, ``cadastre.domain.border_risk``) on the proposed area.
"""

from __future__ import annotations

import json

from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from cadastre.domain.application_rules import Decision
from cadastre.domain.corners import read_corner_list
from cadastre.domain.geometry import format_area
from cadastre.profile import Profile

_OVERLAP_SHAPES = text(
    """
    WITH g AS (SELECT ST_GeomFromText(:wkt, 4326) AS geom)
    SELECT l.id, ST_AsGeoJSON(ST_CollectionExtract(ST_Intersection(l.geom, g.geom), 3), 6) AS gj
      FROM licences l, g WHERE l.id IN :ids
    """
).bindparams(bindparam("ids", expanding=True))


def pre_check(
    session: Session,
    profile: Profile,
    geom: BaseGeometry,
    decision: Decision,
    commodities: list[str] | None = None,
) -> dict:
    """What registering this area would meet, as a dict the page shows (nothing is stored).

    ``decision`` is the application rules' verdict on the form (``check_application``):
    the area limit shown here is its finding, not a second reading of the rule.
    """
    from cadastre.services.licences import check_availability

    spec = decision.spec
    licence_type = spec.name if spec is not None else None
    found = check_availability(session, profile, geom, licence_type=licence_type)
    area = found["area_ha"]
    out: dict = {
        "geometry": mapping(geom),
        "area_ha": area,
        "area_text": format_area(area),
        "exclusive": found["exclusive"],
    }
    if spec is not None:
        over = [e["message"] for e in decision.errors if e["field"] == "geometry"]
        out["max_area_ha"] = spec.max_area_ha
        out["max_area_text"] = format_area(spec.max_area_ha)
        out["within_limit"], out["limit_message"] = not over, (over[0] if over else None)
    out.update(conflict_shapes(session, geom, found))
    out["border"] = _border(session, profile, geom, licence_type, commodities or [])
    return out


def corners_understood(text: str, notation: str | None, max_vertices: int) -> dict:
    """How a typed corner list was read: the notation and UTM zone (declared, or worked out
    from the numbers) and every corner as written, as read, and in lon/lat (6 decimals)."""
    reading = read_corner_list(text, notation=notation or "auto", max_vertices=max_vertices)
    return {
        "notation": reading.notation,
        "words": reading.words,
        "assumed": reading.assumed,
        "corners": reading.echo(),
    }


def conflict_shapes(session, geom, found) -> dict:
    """The conflicts of an availability answer, the overlaps as GeoJSON, the free part."""
    if not found["exclusive"]:
        note = "This licence type is not exclusive; overlaps are allowed."
        return {"conflicts": [], "overlaps": None, "free": None, "conflict_note": note}
    conflicts = found["conflicts"]
    if not conflicts:
        return {"conflicts": [], "overlaps": None, "free": None, "conflict_note": None}
    ids = [c["id"] for c in conflicts]
    shapes = session.execute(_OVERLAP_SHAPES, {"wkt": geom.wkt, "ids": ids}).all()
    features = [
        {"type": "Feature", "properties": {"id": lid}, "geometry": json.loads(gj)}
        for lid, gj in shapes
        if gj
    ]
    free = dict(found["free"])
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
    """The border engine's measure and rules for an area that is not yet a licence."""
    from cadastre.services.border import measure_area

    row, outcome = measure_area(
        session, profile, geom, commodities=commodities, licence_type=licence_type or ""
    )
    if row["km"] is None:
        return None
    reasons = outcome.reasons or [
        f"{row['km']:.1f} km from the nearest land border ({row['border']}); beyond every tier"
    ]
    return {
        "distance_km": round(float(row["km"]), 2),
        "tier": outcome.tier,
        "level": outcome.level,
        "nearest_border": row["border"],
        "boundary_source": row["source"],
        "uncertainty_km": row["unc"],
        "reasons": reasons,
    }
