"""New licences of an import, straight into the register by COPY, already assessed.

A new licence needs nothing from the database but its ids and its border measurement, and
the measurement comes from connections of its own (``cadastre.importer.ahead``) in batches
while this one stores the batches before it. So each new licence is written once, with its
assessment, by COPY batch by batch: no staging table, no second pass. Ids and application
numbers are drawn from their sequences up front and given in order of the date received,
as an application at the counter would have had them. The rules turn measurements into
tier, level and reasons in Python (``border.rated``, the same rules ``assess`` applies);
rows the measuring ahead lacks, or all of them if it measured another boundary data set,
are measured here.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.border_risk import RiskRules
from cadastre.importer.copytext import (
    NULL,
    array_cell,
    copy_areas,
    day_cell,
    float_cell,
    text_cell,
)
from cadastre.importer.rows import CheckedRow
from cadastre.importer.store import advance_code_counters
from cadastre.profile import Profile
from cadastre.services.border import ASSESSED_COLUMNS, boundary_source, measure_batches, rated
from cadastre.services.history import snapshot_fields

COLUMNS = (
    "id", "application_number", "code", "licence_type", "status", "commodities", "holder_id",
    "geom", "area_ha", "received_at", "granted_at", "expires_at", "renewals", "district",
    "notes", "flags", "version", *ASSESSED_COLUMNS, "assessed_at",
)  # fmt: skip
_FIRST_DAY = datetime(1, 1, 1, tzinfo=UTC)
EVENTS = "COPY licence_events (licence_id, action, actor, at, reason, before, after) FROM STDIN"


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
    A batch's licences and events are written as soon as it is measured, while the next
    batch is still being measured; the event's snapshot is built here, from the values
    written (the keys of ``services.history.snapshot``).
    """
    if not rows:
        return 0
    licence_id, number = _draw_numbers(session, rows)
    lines = _CopyLines(
        rows,
        licence_id,
        number,
        holders,
        geoms,
        area_ha,
        notes,
        rules=RiskRules.from_profile(profile),
        source=boundary_source(session),
        at=session.execute(text("SELECT now()")).scalar_one().isoformat(),
        actor=actor,
        reason=reason,
    )
    sql = f"COPY licences ({', '.join(COLUMNS)}) FROM STDIN"
    raw = session.connection().connection.driver_connection

    def store(batches: Iterable[list[tuple]]) -> None:
        with closing(_prepared(batches, lines)) as prepared:
            for licences, events in prepared:
                if not licences:
                    continue
                with raw.cursor() as cur, cur.copy(sql) as copy:
                    copy.write(licences)
                with raw.cursor() as cur, cur.copy(EVENTS) as copy:
                    copy.write(events)
                if progress:
                    progress(len(rows) - len(lines.pending))

    store(measured)
    if lines.pending:  # not measured ahead: measure here, in this transaction
        store(_measure_here(session, profile, sorted(lines.pending), geoms))
    if lines.pending:
        raise RuntimeError(
            f"{len(lines.pending)} new licences were not measured"
        )  # pragma: no cover
    advance_code_counters(session, [r.code for r in rows])
    _copy_plan(raw, rows, licence_id)
    return len(rows)


def _draw_numbers(
    session: Session, rows: Sequence[CheckedRow]
) -> tuple[dict[int, int], dict[int, int]]:
    """Ids and application numbers from their sequences, by row index, given in order of the
    date received (as an application at the counter would have had them)."""
    order = sorted(  # a title of unknown priority date comes last
        rows, key=lambda r: (r.received_at is None, r.received_at or _FIRST_DAY, r.index)
    )
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
    number = {r.index: numbers[k] for k, r in enumerate(order)}
    return licence_id, number


class _CopyLines:
    """Called with a measured batch: the COPY lines of its new licences, and of their history
    events. ``pending`` holds the rows not yet written."""

    def __init__(
        self,
        rows: Sequence[CheckedRow],
        licence_id: dict[int, int],
        number: dict[int, int],
        holders: dict[int, tuple[int, str]],
        geoms: np.ndarray,
        area_ha: np.ndarray,
        notes: dict[int, list[str]],
        *,
        rules: RiskRules,
        source: tuple[str | None, float | None],
        at: str,
        actor: str,
        reason: str,
    ) -> None:
        self.by_index = {r.index: r for r in rows}
        self.pending = set(self.by_index)
        self.licence_id, self.number, self.holders = licence_id, number, holders
        self.geoms, self.area_ha, self.notes = geoms, area_ha, notes
        self.rules, self.source, self.at = rules, source, at
        self.actor, self.reason = actor, reason

    def __call__(self, batch: list[tuple]) -> tuple[str, str]:
        mine = [self.by_index[m[0]] for m in batch if m[0] in self.pending]
        self.pending.difference_update(r.index for r in mine)
        measured = {m[0]: m for m in batch}
        idx = [r.index for r in mine]
        geoms = self.geoms[idx]
        hexes = shapely.to_wkb(shapely.set_srid(geoms, 4326), hex=True, include_srid=True)
        shapes = shapely.to_geojson(geoms)
        licences, events = [], []
        for r, hexed, shape in zip(mine, hexes, shapes, strict=True):
            lid, holder = self.licence_id[r.index], self.holders[r.index][0]
            area = float(self.area_ha[r.index])
            rating = rated(
                self.rules, measured[r.index], r.licence_type, r.commodities, self.source
            )
            licences.append(self._licence(r, lid, holder, area, hexed, rating))
            events.append(self._event(r, lid, holder, area, shape))
        return "".join(f"{line}\n" for line in licences), "".join(f"{e}\n" for e in events)

    def _licence(self, r: CheckedRow, lid: int, holder: int, area: float, hexed: str, rating):
        """One ``licences`` line, in the order of ``COLUMNS``."""
        km, tier, border, src, unc, level, reasons, poi_km, poi = rating
        return "\t".join(
            (
                str(lid), str(self.number[r.index]), text_cell(r.code), r.licence_type,
                r.status, array_cell(r.commodities), str(holder), hexed,
                float_cell(area), day_cell(r.received_at), day_cell(r.granted_at),
                day_cell(r.expires_at), "0", text_cell(r.district),
                array_cell(self.notes.get(r.index, [])), array_cell(r.flags), "1",
                float_cell(km), text_cell(tier), text_cell(border), text_cell(src),
                float_cell(unc), text_cell(level), array_cell(reasons),
                float_cell(poi_km), text_cell(poi), self.at,
            )
        )  # fmt: skip

    def _event(self, r: CheckedRow, lid: int, holder: int, area: float, shape: str) -> str:
        """The licence's ``import`` history event line (``EVENTS``)."""
        return "\t".join(
            (
                str(lid), "import", text_cell(self.actor), self.at,
                text_cell(f"{self.reason}, {r.label}."), NULL,
                _snapshot(r, holder, area, shape).replace("\\", "\\\\"),
            )
        )  # fmt: skip


def _copy_plan(raw, rows: Sequence[CheckedRow], licence_id: dict[int, int]) -> None:
    """The import's plan: an 'insert' row for each new licence."""
    with (
        raw.cursor() as cur,
        cur.copy("COPY import_plan (row_no, code, label, licence_id, action) FROM STDIN") as copy,
    ):
        copy.write(
            "".join(
                f"{r.index}\t{text_cell(r.code)}\t{text_cell(r.label)}\t"
                f"{licence_id[r.index]}\tinsert\n"
                for r in rows
            )
        )


def _prepared(batches: Iterable[list[tuple]], lines: Callable) -> Iterator[tuple[str, str]]:
    """``lines`` of each batch, made in a thread of their own one batch ahead: Python builds
    the next batch's COPY text while PostgreSQL stores this one. Closing the iterator (the
    import failed or was interrupted) lets the thread go."""
    ready: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item) -> None:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    return
                put(lines(batch))
            put(None)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            put(exc)

    threading.Thread(target=produce, name="import-copy-text", daemon=True).start()
    try:
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def _snapshot(r: CheckedRow, holder_id: int, area_ha: float, geojson: str) -> str:
    """The new licence as its history records it (``services.history.snapshot``), as JSON
    (control characters escaped, so only backslashes need escaping for COPY)."""
    licence = SimpleNamespace(
        code=r.code, status=r.status, licence_type=r.licence_type, holder_id=holder_id,
        commodities=r.commodities, area_ha=area_ha, granted_at=r.granted_at,
        expires_at=r.expires_at, renewals=0, district=r.district, version=1,
    )  # fmt: skip
    head = json.dumps(snapshot_fields(licence), ensure_ascii=False)
    return f'{head[:-1]}, "geometry": {geojson}}}'


def _measure_here(session, profile, idx: list[int], geoms) -> list[list[tuple]]:
    """Measure rows in the import's own transaction (what the measuring ahead lacks)."""
    copy_areas(session, "import_unmeasured", idx, geoms)
    batches = list(measure_batches(session, profile, "SELECT * FROM import_unmeasured"))
    session.execute(text("DROP TABLE import_unmeasured"))
    return batches
