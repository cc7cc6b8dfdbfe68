"""The border-risk engine: measure licences against the land borders, in PostGIS.

Distances are geodesic (``ST_Distance`` on geography, WGS84 spheroid) from the licence
polygon to the nearest *segment* of the home country's land borders in the boundary data
set in force. Measuring against single segments is exact (checked against pyproj to the
millimetre), where ``ST_Distance`` against a whole many-vertex border line found a wrong
closest pair and came out hundreds of metres long (PostGIS 3.3).

Pruning: a KNN step (``<->``, GiST) finds the nearest segment; an ``ST_DWithin`` over a
radius proven to hold the geodesic-nearest (GiST again) yields the candidates, and only they
get a geodesic distance. ``assess`` does this for one licence in one statement, in degrees:
no segment nearer than the KNN one's geodesic distance g lies more than g / k degrees away,
k being the fewest metres a degree spans at these latitudes. The set-based runs
(``recompute_all``, ``measure_batches`` for an import) do it in the region's UTM plane, whose
narrower band (``border_sql.Plane``) leaves one or two candidates instead of three or four;
both give the same answers. ``recompute_all`` updates every licence (``UPDATE ... FROM``
with LATERAL nearest-segment queries, in id batches) and writes one history event per
licence whose assessment changed materially. The tier,
level and reason rules are ``cadastre.domain.border_risk``; the recompute states them in
SQL built from the same :class:`RiskRules` (tests hold both to the same answers).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.border_risk import (
    RiskRules,
    assess_values,
    format_distance,
)
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.services.border_sql import (
    ACTIVE_SEGMENTS,
    POINTS,
    SEGMENTS,
    SOURCE,
    assessment_ctes,
    common_params,
    measure,
    measure_ctes,
    prepare_segments,
)
from cadastre.services.border_zones import rebuild_border_zones

__all__ = [
    "ASSESSED_COLUMNS",
    "RecomputeSummary",
    "assess",
    "boundary_source",
    "measure_batches",
    "rated",
    "border_dict",
    "rebuild_border_zones",
    "recompute_all",
    "risk_dict",
]

#: Licences per recompute statement (an id range), so progress can be shown.
BATCH = 10_000
#: A distance change smaller than this (km) is not worth a history event.
DISTANCE_EVENT_KM = 0.01


def _measure_statement(lic: str) -> str:
    """One statement measuring the area(s) of the ``lic`` CTE (geom, geog) in force."""
    return f"""
WITH seg AS MATERIALIZED ({ACTIVE_SEGMENTS}),
poi AS MATERIALIZED ({POINTS}),
lic AS ({lic})
SELECT nb.border, nb.d / 1000.0 AS km,
       np.name AS poi_name, np.kind AS poi_kind, np.d / 1000.0 AS poi_km,
       src.source, src.unc, now() AS at
FROM lic
{measure("seg", "poi")}
LEFT JOIN ({SOURCE}) AS src ON true
"""


_ASSESS = _measure_statement(
    "SELECT l.id, l.geom, l.geom::geography AS geog FROM licences l WHERE l.id = :id"
)
_ASSESS_AREA = _measure_statement(
    "SELECT g AS geom, g::geography AS geog FROM (SELECT ST_GeomFromText(:wkt, 4326) AS g) AS x"
)


def _outcome(profile: Profile, row, commodities: list[str], licence_type: str):
    return assess_values(
        distance_km=row["km"],
        border=row["border"],
        poi_km=row["poi_km"],
        poi_name=row["poi_name"],
        poi_kind=row["poi_kind"],
        commodities=commodities,
        licence_type=licence_type,
        rules=RiskRules.from_profile(profile),
    )


def measure_area(
    session: Session, profile: Profile, geom, *, commodities: list[str], licence_type: str
):
    """Measure an area that is not (yet) a licence: the officer's check before applying.

    Returns the measured row (border, km, poi_name, poi_kind, poi_km, source, unc) and the
    rules' outcome (tier, level, reasons), the same way ``assess`` does for a licence.
    """
    row = (
        session.execute(text(_ASSESS_AREA), {**common_params(profile), "wkt": geom.wkt})
        .mappings()
        .one()
    )
    return row, _outcome(profile, row, commodities, licence_type)


def assess(session: Session, profile: Profile, licence: Licence) -> None:
    """Measure one licence against the land borders in force and set its border/risk columns.

    One SQL statement measures (nearest border segment and point of interest); the rules
    of ``cadastre.domain.border_risk`` give tier, level and reasons. Runs in the caller's
    transaction; writes no history (the caller's change does).
    """
    session.flush()
    row = (
        session.execute(text(_ASSESS), {**common_params(profile), "id": licence.id})
        .mappings()
        .one()
    )
    outcome = _outcome(profile, row, list(licence.commodities or []), licence.licence_type)
    licence.border_distance_km = row["km"]
    licence.nearest_border = row["border"]
    licence.border_tier = outcome.tier
    licence.boundary_source = row["source"] if row["km"] is not None else None
    licence.uncertainty_km = row["unc"] if row["km"] is not None else None
    licence.risk_level = outcome.level
    licence.risk_reasons = outcome.reasons
    licence.poi_distance_km = row["poi_km"]
    licence.nearest_poi = row["poi_name"]
    licence.assessed_at = row["at"]
    session.flush()


def border_dict(licence: Licence) -> dict[str, Any]:
    """The public ``border`` object: distance, tier, nearest border, source, uncertainty."""
    km = licence.border_distance_km
    return {
        "distance_km": round(km, 3) if km is not None else None,
        "tier": licence.border_tier,
        "nearest_border": licence.nearest_border,
        "boundary_source": licence.boundary_source,
        "uncertainty_km": licence.uncertainty_km,
        "display": format_distance(km, licence.uncertainty_km, licence.boundary_source),
    }


def risk_dict(licence: Licence) -> dict[str, Any]:
    """The public ``risk`` object: level and the reasons in words."""
    return {"level": licence.risk_level, "reasons": list(licence.risk_reasons or [])}


@dataclass
class RecomputeSummary:
    """What a full recompute found and changed."""

    source: str | None
    licences: int = 0
    changed: int = 0
    events: int = 0
    #: (tier before, tier after) -> licences; None is "not assessed".
    moves: dict[tuple[str | None, str | None], int] = field(default_factory=dict)
    #: Licences per tier after the recompute.
    tiers: dict[str, int] = field(default_factory=dict)
    zones: int = 0
    seconds: float = 0.0

    def headline(self) -> str:
        """One line: how many, against what, which tier changes."""
        moved = sum(self.moves.values())
        text_ = (
            f"{self.licences} licences measured against {self.source or 'no boundary data'}; "
            f"{self.changed} reassessed, {moved} changed tier, {self.events} history events"
        )
        if self.moves:
            text_ += " (" + ", ".join(f"{a} → {b}: {n}" for (a, b), n in self._moves()) + ")"
        return text_

    def _moves(self):
        return sorted(
            (((a or "not assessed"), (b or "not assessed")), n) for (a, b), n in self.moves.items()
        )

    def text(self) -> str:
        """The summary as lines for a terminal."""
        lines = [f"border recompute: {self.headline()}"]
        if self.moves:
            lines.append("tier changes:")
            lines += [f"  {a:>12} → {b:<12} {n:>7}" for (a, b), n in self._moves()]
        lines.append("licences by tier:")
        lines += [f"  {t:>12} {n:>7}" for t, n in self.tiers.items()]
        lines.append(f"border zones: {self.zones}; {self.seconds:.1f} s")
        return "\n".join(lines)


def _recompute_sql(rules: RiskRules) -> tuple[str, dict[str, Any]]:
    ctes, params = assessment_ctes(
        rules,
        """
    SELECT l.id, l.geom, l.geom::geography AS geog, l.licence_type, l.commodities,
           l.border_distance_km AS old_km, l.border_tier AS old_tier,
           l.nearest_border AS old_border, l.boundary_source AS old_source,
           l.uncertainty_km AS old_unc, l.risk_level AS old_level,
           l.risk_reasons AS old_reasons, l.poi_distance_km AS old_poi_km,
           l.nearest_poi AS old_poi, l.assessed_at AS old_at
    FROM licences l
    WHERE l.id >= :lo AND l.id < :hi
      AND (CAST(:ids AS integer[]) IS NULL OR l.id = ANY(CAST(:ids AS integer[])))
""",
    )
    sql = f"""
WITH {ctes},
upd AS (
    UPDATE licences AS l
    SET border_distance_km = a.km, border_tier = a.tier, nearest_border = a.border,
        boundary_source = a.source, uncertainty_km = a.unc, risk_level = a.level,
        risk_reasons = a.reasons, poi_distance_km = a.poi_km, nearest_poi = a.poi_name,
        assessed_at = now(), updated_at = now(), version = l.version + 1
    FROM assessed a
    WHERE l.id = a.id AND (
        a.old_at IS NULL OR
        (a.old_km, a.old_tier, a.old_border, a.old_source, a.old_unc, a.old_level,
         a.old_reasons, a.old_poi_km, a.old_poi)
        IS DISTINCT FROM
        (a.km, a.tier, a.border, a.source, a.unc, a.level, a.reasons, a.poi_km, a.poi_name))
    RETURNING a.id, a.old_tier, a.tier, a.old_km, a.km, a.old_source, a.source,
              a.old_level, a.level
),
ev AS (
    INSERT INTO licence_events (licence_id, action, actor, at, reason, before, after)
    SELECT u.id, 'border_reassessed', 'system', now(),
        concat_ws('; ', CAST(:reason AS text),
            CASE WHEN u.old_source IS DISTINCT FROM u.source
                 THEN 'measured against ' || coalesce(u.source, 'no boundary data')
                      || coalesce(' (was ' || u.old_source || ')', '') END,
            CASE WHEN u.old_tier IS DISTINCT FROM u.tier
                 THEN 'tier ' || coalesce(u.old_tier, 'not assessed') || ' → '
                      || coalesce(u.tier, 'not assessed') END,
            CASE WHEN u.old_level IS DISTINCT FROM u.level
                 THEN 'risk level ' || coalesce(u.old_level, 'not assessed') || ' → '
                      || coalesce(u.level, 'not assessed') END,
            CASE WHEN abs(u.old_km - u.km) > :event_km
                 THEN 'distance ' || round(u.old_km::numeric, 1) || ' → '
                      || round(u.km::numeric, 1) || ' km' END),
        jsonb_build_object('border_tier', u.old_tier,
                           'border_distance_km', round(u.old_km::numeric, 3),
                           'boundary_source', u.old_source, 'risk_level', u.old_level),
        jsonb_build_object('border_tier', u.tier,
                           'border_distance_km', round(u.km::numeric, 3),
                           'boundary_source', u.source, 'risk_level', u.level)
    FROM upd u
    WHERE (
          u.old_tier IS DISTINCT FROM u.tier OR u.old_source IS DISTINCT FROM u.source
       OR u.old_level IS DISTINCT FROM u.level OR (u.old_km IS NULL) <> (u.km IS NULL)
       OR abs(u.old_km - u.km) > :event_km)
    RETURNING 1
)
SELECT (SELECT count(*) FROM lic) AS seen,
       (SELECT count(*) FROM upd) AS changed,
       (SELECT count(*) FROM ev) AS events,
       (SELECT coalesce(jsonb_agg(jsonb_build_array(f, t, n)), '[]'::jsonb)
        FROM (SELECT old_tier AS f, tier AS t, count(*) AS n FROM upd
              WHERE old_tier IS DISTINCT FROM tier GROUP BY 1, 2) AS x) AS moves
"""
    params["event_km"] = DISTANCE_EVENT_KM
    return sql, params


def recompute_all(
    session: Session,
    profile: Profile,
    *,
    progress=None,
    reason: str | None = None,
    ids: Sequence[int] | None = None,
) -> RecomputeSummary:
    """Reassess every licence against the boundaries and tiers in force (idempotent).

    Set-based, in id batches; rebuilds the border-zone bands; writes one
    ``border_reassessed`` history event per licence whose tier, risk level, boundary
    source or distance (by more than 10 m) changed. Runs in the caller's transaction.
    ``ids`` limits it to those licences (an import's), and then the bands are left alone.
    """
    started = time.monotonic()
    rules = RiskRules.from_profile(profile)
    # Short statements with many small lateral queries: compiling them is slower than running.
    session.execute(text("SET LOCAL jit = off"))
    session.flush()
    source = session.execute(text(SOURCE)).scalar()
    summary = RecomputeSummary(source=source)
    only = sorted({int(i) for i in ids}) if ids is not None else None
    if only is None:
        summary.zones = rebuild_border_zones(session, profile)
    plane = prepare_segments(session, profile)
    lo, hi, total = session.execute(
        text(
            "SELECT min(id), max(id), count(*) FROM licences "
            "WHERE CAST(:ids AS integer[]) IS NULL OR id = ANY(CAST(:ids AS integer[]))"
        ),
        {"ids": only},
    ).one()
    if progress is not None:
        progress(0, total)
    sql, params = _recompute_sql(rules)
    statement = text(sql)
    params.update(common_params(profile), reason=reason, ids=only)
    params.update(plane.params())
    start = lo or 0
    while lo is not None and start <= hi:
        row = session.execute(statement, {**params, "lo": start, "hi": start + BATCH}).one()
        summary.licences += row.seen
        summary.changed += row.changed
        summary.events += row.events
        for before, after, n in row.moves:
            key = (before, after)
            summary.moves[key] = summary.moves.get(key, 0) + n
        if progress is not None:
            progress(summary.licences, total)
        start += BATCH
    session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{SEGMENTS}"))
    counts = dict(
        session.execute(
            text("SELECT coalesce(border_tier, 'not assessed'), count(*) FROM licences GROUP BY 1")
        ).all()
    )
    order = list(rules.tier_names) + ["not assessed"]
    summary.tiers = {t: counts[t] for t in order if t in counts}
    summary.seconds = time.monotonic() - started
    # Licences loaded in this session are stale now; other objects (a caller's data set) are not.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Licence):
            session.expire(obj)
    if progress is not None:
        progress.finish(summary.headline())
    return summary


#: The border/risk columns of a licence, in the order ``rated`` gives them.
ASSESSED_COLUMNS = (
    "border_distance_km", "border_tier", "nearest_border", "boundary_source", "uncertainty_km",
    "risk_level", "risk_reasons", "poi_distance_km", "nearest_poi",
)  # fmt: skip


def measure_batches(session: Session, profile: Profile, rows: str) -> Iterator[list[tuple]]:
    """Measure rows that are not licences yet, a batch (an id range) at a time:
    lists of (id, border, km, poi_name, poi_kind, poi_km).

    ``rows`` selects id and geom. The same SQL as ``recompute_all``; ``rated`` then
    applies the rules. An import runs this on connections of its own
    while it checks the rows (``cadastre.importer.ahead``) and stores each batch as it
    comes, and in its transaction for any row they lack.
    """
    lo, hi = session.execute(text(f"SELECT min(id), max(id) FROM ({rows}) AS r")).one()
    if lo is None:
        return
    session.execute(text("SET LOCAL jit = off"))
    plane = prepare_segments(session, profile)
    measure = measure_ctes(
        f"SELECT r.id, r.geom, r.geom::geography AS geog FROM ({rows}) AS r "
        "WHERE r.id >= :lo AND r.id < :hi"
    )
    statement = text(
        f"WITH {measure} SELECT id, border, km, poi_name, poi_kind, poi_km FROM measured"
    )
    base = {**common_params(profile), **plane.params()}
    start = lo
    while start <= hi:
        batch = session.execute(statement, {**base, "lo": start, "hi": start + BATCH}).all()
        start += BATCH
        if batch:
            yield [tuple(r) for r in batch]
    session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{SEGMENTS}"))


def boundary_source(session: Session) -> tuple[str | None, float | None]:
    """The data set in force as assessments name it: (source, uncertainty km)."""
    row = session.execute(text(SOURCE)).one_or_none()
    return (row[0], row[1]) if row else (None, None)


def rated(
    rules: RiskRules,
    measured: Sequence,
    licence_type: str,
    commodities: Sequence[str],
    source: tuple[str | None, float | None],
) -> tuple:
    """ASSESSED_COLUMNS of a row ``measure_batches`` gave, by the domain's rules: what
    ``assess`` sets on a licence, for rows stored straight from their measurements."""
    _id, border, km, poi_name, poi_kind, poi_km = measured
    outcome = assess_values(
        distance_km=km,
        border=border,
        poi_km=poi_km,
        poi_name=poi_name,
        poi_kind=poi_kind,
        commodities=commodities,
        licence_type=licence_type,
        rules=rules,
    )
    known = km is not None
    return (
        km, outcome.tier, border, source[0] if known else None, source[1] if known else None,
        outcome.level, outcome.reasons, poi_km, poi_name,
    )  # fmt: skip
