"""New licences of an import, straight into the register by one COPY, already assessed.

A new licence needs nothing from the database but its ids and its border measurement, and
the measurement comes from connections of its own (``cadastre.importer.ahead``) in batches
while this one stores the batches before it. So each new licence is written once, with its
assessment, by COPY: no staging table, no second pass. Ids and application numbers are drawn
from their sequences up front and given in order of the date received, as an application at
the counter would have had them. The rules turn measurements into tier, level and reasons in
Python (``border.rated``, the same rules ``assess`` applies); rows the measuring ahead lacks,
or all of them if it measured another boundary data set, are measured here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.border_risk import RiskRules
from cadastre.importer.copytext import array_cell, day_cell, float_cell, text_cell
from cadastre.importer.rows import CheckedRow
from cadastre.importer.store import SNAPSHOT_SQL, advance_code_counters
from cadastre.profile import Profile
from cadastre.services.border import ASSESSED_COLUMNS, boundary_source, measure_batches, rated

COLUMNS = (
    "id", "application_number", "code", "licence_type", "status", "commodities", "holder_id",
    "geom", "area_ha", "received_at", "granted_at", "expires_at", "renewals", "district",
    "notes", "version", *ASSESSED_COLUMNS, "assessed_at",
)  # fmt: skip


def insert_new(
    session: Session,
    profile: Profile,
    rows: Sequence[CheckedRow],
    holders: dict[int, tuple[int, str]],
    geoms: np.ndarray,
    area_ha: np.ndarray,
    notes: dict[int, list[str]],
    measured: Iterable[list[tuple]],
    *,
    actor: str,
    reason: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert ``rows`` as new licences (version 1), each assessed from ``measured`` batches
    of (row index, border, km, poi_name, poi_kind, poi_km), each with its history event
    ``import`` (``reason``, then the row); each gets a plan row 'insert'.

    Returns how many were inserted. Batches may hold rows not in ``rows``: they are skipped.
    A batch's events are written as soon as its licences are in, while the next batch is
    still being measured.
    """
    if not rows:
        return 0
    by_index = {r.index: r for r in rows}
    order = sorted(rows, key=lambda r: (r.received_at, r.index))
    drawn = session.execute(
        text(
            "SELECT nextval('licences_id_seq'), nextval('application_number_seq') "
            "FROM generate_series(1, :n)"
        ),
        {"n": len(order)},
    ).all()
    ids = sorted(d[0] for d in drawn)
    numbers = sorted(d[1] for d in drawn)
    licence_id = {r.index: ids[k] for k, r in enumerate(order)}
    idx = np.fromiter(by_index, dtype=int, count=len(by_index))
    hexes = dict(
        zip(
            idx.tolist(),
            shapely.to_wkb(shapely.set_srid(geoms[idx], 4326), hex=True, include_srid=True),
            strict=True,
        )
    )
    head = {}
    for k, r in enumerate(order):
        head[r.index] = "\t".join(
            (
                str(ids[k]), str(numbers[k]), text_cell(r.code), r.licence_type, r.status,
                array_cell(r.commodities), str(holders[r.index][0]), hexes[r.index],
                float_cell(area_ha[r.index]), r.received_at.isoformat(), day_cell(r.granted_at),
                day_cell(r.expires_at), "0", text_cell(r.district),
                array_cell(notes.get(r.index, [])), "1",
            )
        )  # fmt: skip
    rules = RiskRules.from_profile(profile)
    source = boundary_source(session)
    at = session.execute(text("SELECT now()")).scalar_one().isoformat()
    pending = set(by_index)
    done: list[CheckedRow] = []

    def lines(batch: list[tuple]) -> str:
        out = []
        for m in batch:
            r = by_index.get(m[0])
            if r is None or m[0] not in pending:
                continue
            pending.discard(m[0])
            done.append(r)
            km, tier, border, src, unc, level, reasons, poi_km, poi = rated(
                rules, m, r.licence_type, r.commodities, source
            )
            out.append(
                "\t".join(
                    (
                        head[m[0]], float_cell(km), text_cell(tier), text_cell(border),
                        text_cell(src), float_cell(unc), text_cell(level), array_cell(reasons),
                        float_cell(poi_km), text_cell(poi), at,
                    )
                )  # fmt: skip
            )
        return "".join(line + "\n" for line in out)

    sql = f"COPY licences ({', '.join(COLUMNS)}) FROM STDIN"
    raw = session.connection().connection.driver_connection
    written = 0

    def store(batches: Iterable[list[tuple]]) -> None:
        nonlocal written
        for batch in batches:
            with raw.cursor() as cur, cur.copy(sql) as copy:
                copy.write(lines(batch))
            _history(session, done[written:], licence_id, actor=actor, reason=reason)
            written = len(done)
            if progress:
                progress(written)

    store(measured)
    if pending:  # not measured ahead: measure here, in this transaction
        store(_measure_here(session, profile, sorted(pending), geoms))
    if pending:
        raise RuntimeError(f"{len(pending)} new licences were not measured")  # pragma: no cover
    advance_code_counters(session, [r.code for r in rows])
    with raw.cursor() as cur, cur.copy(
        "COPY import_plan (row_no, code, label, licence_id, action) FROM STDIN"
    ) as copy:
        copy.write(
            "".join(
                f"{r.index}\t{text_cell(r.code)}\t{text_cell(r.label)}\t"
                f"{licence_id[r.index]}\tinsert\n"
                for r in rows
            )
        )
    return len(rows)


def _history(
    session: Session,
    rows: Sequence[CheckedRow],
    licence_id: dict[int, int],
    *,
    actor: str,
    reason: str,
) -> None:
    """One ``import`` event per new licence, its snapshot built by PostgreSQL."""
    if not rows:
        return
    session.execute(
        text(
            f"""
            INSERT INTO licence_events (licence_id, action, actor, at, reason, before, after)
            SELECT l.id, 'import', :actor, now(), :reason || ', ' || b.label || '.', NULL,
                   {SNAPSHOT_SQL}
              FROM unnest(CAST(:ids AS integer[]), CAST(:labels AS text[]))
                   WITH ORDINALITY AS b(id, label, n)
              JOIN licences l ON l.id = b.id
             ORDER BY b.n
            """
        ),
        {
            "actor": actor,
            "reason": reason,
            "ids": [licence_id[r.index] for r in rows],
            "labels": [r.label for r in rows],
        },
    )


def _measure_here(session, profile, idx: list[int], geoms) -> list[list[tuple]]:
    """Measure rows in the import's own transaction (what the measuring ahead lacks)."""
    session.execute(
        text(
            "CREATE TEMP TABLE import_unmeasured (id integer PRIMARY KEY, "
            "geom geometry(MultiPolygon, 4326)) ON COMMIT DROP"
        )
    )
    hexes = shapely.to_wkb(shapely.set_srid(geoms[idx], 4326), hex=True, include_srid=True)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy("COPY import_unmeasured (id, geom) FROM STDIN") as copy:
        copy.write("".join(f"{i}\t{h}\n" for i, h in zip(idx, hexes, strict=True)))
    batches = list(measure_batches(session, profile, "SELECT * FROM import_unmeasured"))
    session.execute(text("DROP TABLE import_unmeasured"))
    return batches
