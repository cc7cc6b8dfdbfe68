"""Legacy overlaps an import brings in: found, stored as conflicts for an officer, reported.

Overlaps among the file's own areas are pure geometry, so a connection of its own finds
them (``OverlapsAhead``: one GiST self-join, areas geodesic) while the import checks and
stores the rows; it only reads and cannot be stale. The import's transaction then keeps the
pairs whose two licences are live and exclusive, and looks in SQL only for overlaps with
licences that are not in the file (none on a first import into an empty register).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from cadastre.domain.lifecycle import LIVE_STATUSES
from cadastre.importer.ahead import cancel_until_stopped
from cadastre.importer.copytext import copy_areas
from cadastre.importer.rows import CheckedRow
from cadastre.queries.overlaps import MIN_OVERLAP_M2

#: Pairs of the file's areas that overlap by more than a sliver, with the area in m².
_SELF_JOIN = """
SELECT a.id, b.id, x.m2
  FROM import_areas a
  JOIN import_areas b ON b.geom && a.geom AND b.id > a.id
 CROSS JOIN LATERAL (SELECT ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS m2) AS x
 WHERE ST_Intersects(a.geom, b.geom) AND x.m2 > :min_m2
"""


class OverlapsAhead:
    """Find which of the file's areas overlap, on a connection of the session's engine."""

    def __init__(self, session: Session, geoms: np.ndarray):
        bind = session.get_bind()
        self._engine = getattr(bind, "engine", bind)
        self._geoms = geoms
        self._raw: list = []
        self.pairs: list[tuple[int, int, float]] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="import-overlaps", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            idx = [i for i, g in enumerate(self._geoms) if g is not None]
            if len(idx) < 2:
                return
            with Session(self._engine) as session:
                raw = session.connection().connection.driver_connection
                self._raw.append(raw)
                copy_areas(session, "import_areas", idx, self._geoms)
                session.execute(text("CREATE INDEX ON import_areas USING gist (geom)"))
                session.execute(text("ANALYZE import_areas"))
                rows = session.execute(text(_SELF_JOIN), {"min_m2": MIN_OVERLAP_M2}).all()
                self.pairs = [(int(a), int(b), float(m2)) for a, b, m2 in rows]
                session.rollback()
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            self.error = exc

    def result(self) -> list[tuple[int, int, float]]:
        """Wait for the pairs (row index a < row index b, m²); raises what failed."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.pairs

    def cancel(self) -> None:
        """Stop the search (the import failed or was interrupted) and wait for the thread."""
        cancel_until_stopped(self._thread, [(self._thread, self._raw)])


def flag_overlaps(
    session: Session,
    *,
    rows: Sequence[CheckedRow],
    actions: dict[int, tuple[int, str]],
    file_pairs: Sequence[tuple[int, int, float]],
    exclusive: list[str],
    run_id: int | None,
    source: str,
) -> list[dict]:
    """Live exclusive licences of this import that overlap live exclusive licences, stored as
    conflicts for an officer (never dropped); returns every such pair, both ways round.

    ``rows`` are the accepted rows, ``actions`` the plan ({row: (licence id, action)}),
    ``file_pairs`` what ``OverlapsAhead`` found among the file's areas.
    """
    live, types = set(LIVE_STATUSES), set(exclusive)
    counted = {
        r.index: r
        for r in rows
        if r.index in actions and r.status in live and r.licence_type in types
    }
    found = []
    for a, b, m2 in file_pairs:
        ra, rb = counted.get(a), counted.get(b)
        if ra is None or rb is None:
            continue
        ia, ib = actions[a][0], actions[b][0]
        found.append(_pair(ia, ra.code, ib, rb.code, rb.status, m2))
        found.append(_pair(ib, rb.code, ia, ra.code, ra.status, m2))
    found += _with_others(session, exclusive)
    found.sort(key=lambda p: (p["a_id"], p["b_id"]))
    unique = {
        (min(p["a_id"], p["b_id"]), max(p["a_id"], p["b_id"])): p["overlap_ha"] for p in found
    }
    if unique:
        session.execute(
            text(
                """
                INSERT INTO licence_conflicts (licence_a, licence_b, overlap_ha, source,
                                               import_run_id, resolved)
                VALUES (:a, :b, :ha, :source, :run, false)
                ON CONFLICT (licence_a, licence_b) DO UPDATE SET overlap_ha = EXCLUDED.overlap_ha
                 WHERE abs(licence_conflicts.overlap_ha - EXCLUDED.overlap_ha) > 1e-6
                """
            ),
            [
                {"a": a, "b": b, "ha": ha, "source": source[:200], "run": run_id}
                for (a, b), ha in sorted(unique.items())
            ],
        )
    return found


def _pair(a_id: int, a_code, b_id: int, b_code, b_status, m2: float) -> dict:
    return {
        "a_id": a_id,
        "a_code": a_code,
        "b_id": b_id,
        "b_code": b_code,
        "b_status": b_status,
        "overlap_ha": m2 / 10000.0,
    }


#: Live exclusive licences that are not in the file.
_OTHERS = """FROM licences b WHERE b.licence_type IN :types AND b.status IN :live
AND NOT EXISTS (SELECT 1 FROM import_plan q WHERE q.licence_id = b.id)"""


def _with_others(session: Session, exclusive: list[str]) -> list[dict]:
    """Overlaps between the import's licences and live exclusive licences not in the file
    (one way round: the import's licence first)."""
    params = {"types": exclusive, "live": list(LIVE_STATUSES), "min_m2": MIN_OVERLAP_M2}
    expanding = (bindparam("types", expanding=True), bindparam("live", expanding=True))
    others = session.execute(text(f"SELECT count(*) {_OTHERS}").bindparams(*expanding), params)
    if not others.scalar_one():
        return []
    # The row count after a large import, so the planner takes the GiST index; the columns
    # filtered on. The geometry's statistics (most of a full ANALYZE) are left to autovacuum.
    session.execute(text("ANALYZE licences (id, status, licence_type)"))
    pairs = session.execute(
        text(
            """
            SELECT a.id AS a_id, a.code AS a_code, o.id AS b_id, o.code AS b_code,
                   o.status AS b_status, o.m2 / 10000.0 AS overlap_ha
              FROM import_plan s
              JOIN licences a ON a.id = s.licence_id
              CROSS JOIN LATERAL (
                    SELECT b.id, b.code, b.status,
                           ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS m2
                      FROM licences b
                     WHERE b.geom && a.geom AND b.id <> a.id
                       AND b.licence_type IN :types AND b.status IN :live
                       AND ST_Intersects(a.geom, b.geom)
                       AND NOT EXISTS (SELECT 1 FROM import_plan q WHERE q.licence_id = b.id)
                  ) o
             WHERE a.licence_type IN :types AND a.status IN :live AND o.m2 > :min_m2
            """
        ).bindparams(*expanding),
        params,
    ).all()
    return [p._asdict() for p in pairs]


def overlap_flag(pair: dict) -> str:
    """A legacy overlap in words, as the licence's flag and the row's reason."""
    return (
        f"Overlaps {pair['b_code']} ({pair['b_status']}) by {pair['overlap_ha']:,.4f} ha: "
        "imported and flagged as a conflict for an officer to resolve."
    )
