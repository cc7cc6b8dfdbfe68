"""A trainee's task sheet: their own licences' codes and their task areas' corners."""

from __future__ import annotations

from functools import lru_cache

from pyproj import Transformer
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.geometry import geodesic_area_ha
from cadastre.training.reset import TrainingState
from cadastre.training.scenarios import Scenario


@lru_cache(maxsize=4)
def _to_utm(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


def utm_zone(lon: float) -> int:
    """The UTM zone number of a longitude (Sierra Leone: 28 or 29)."""
    return int((lon + 180) // 6) + 1


def corners(geom) -> dict:
    """A polygon's corners as a surveyor writes them: decimal degrees and UTM (north)."""
    ring = list(geom.exterior.coords)[:-1]
    zone = utm_zone(geom.centroid.x)
    to_utm = _to_utm(32600 + zone)
    return {
        "dd": [[round(lat, 6), round(lon, 6)] for lon, lat in ring],
        "utm_zone": f"{zone}N",
        "utm": [[round(e), round(n)] for e, n in (to_utm.transform(x, y) for x, y in ring)],
    }


def task_sheet(session: Session, scenario: Scenario, state: TrainingState, username: str) -> dict:
    """What one trainee needs on paper: their licences, their ground, the questions."""
    ids = {}
    for spec in scenario.licences:
        ids[spec.key] = state.licence_id(spec.key, username if spec.per_trainee else None)
    rows = {
        r.id: r
        for r in session.execute(
            text("SELECT id, code, status, area_ha FROM licences WHERE id = ANY(:ids)"),
            {"ids": [i for i in ids.values() if i is not None]},
        )
    }
    licences = [
        {
            "key": key,
            "code": rows[i].code,
            "status": rows[i].status,
            "area_ha": round(rows[i].area_ha, 4),
            "yours": spec.per_trainee,
        }
        for spec in scenario.licences
        if (i := ids[(key := spec.key)]) in rows
    ]
    areas = []
    for a in scenario.areas:
        geom = scenario.area(a.key, username)
        areas.append(
            {
                "key": a.key,
                "name": a.name,
                "area_ha": round(geodesic_area_ha(geom), 4),
                **corners(geom),
            }
        )
    questions = {
        t.key: {"question": t.check.get("question", t.title), "choices": t.check.get("choices")}
        for t in scenario.tasks
        if t.check["kind"] == "answer"
    }
    return {"licences": licences, "areas": areas, "questions": questions}
