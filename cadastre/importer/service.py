"""Import an existing register: one unit of work, checked row by row, idempotent by code.

``import_register`` reads the file, checks every row by the rules of an application (except
first come, first served), matches or creates holders, stores new licences and updates
changed ones (one history event each), flags legacy overlaps as conflicts, assesses the
border risk of every imported licence, and records the run with its report. All of it
happens inside one savepoint of the caller's transaction: a dry run, an error or an
interrupt (Ctrl-C, a crash) rolls all of it back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, date, datetime
from pathlib import Path

import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.geometry import to_geojson
from cadastre.errors import ValidationError
from cadastre.importer import store
from cadastre.importer.ahead import MeasureAhead
from cadastre.importer.conflicts import OverlapsAhead, flag_overlaps, overlap_flag
from cadastre.importer.insert import insert_new
from cadastre.importer.mapping import load_mapping_file, resolve
from cadastre.importer.money import check_receipts_unused
from cadastre.importer.money_store import store_money
from cadastre.importer.normalise import load_synonyms
from cadastre.importer.readers import read_table
from cadastre.importer.report import ImportReport, RowResult
from cadastre.importer.rows import CheckedRow, RowChecker
from cadastre.importer.shapes import build_shapes
from cadastre.models.imports import ImportRun
from cadastre.profile import Profile
from cadastre.queries.overlaps import exclusive_types, lock_exclusive_intake
from cadastre.services.applications import country_shape
from cadastre.services.border import recompute_all
from cadastre.services.boundaries import file_checksum
from cadastre.services.procedure_placement import place_waiting_applications

Progress = Callable[[int, int], None]


@dataclass
class _Run:
    """One import under way: what is read, what runs beside it, and the phases' times."""

    name: str
    checksum: str
    as_of: date
    started: datetime
    tick: Progress
    timings: dict[str, float] = dc_field(default_factory=dict)
    clock: float = dc_field(default_factory=time.perf_counter)
    ahead: MeasureAhead | None = None
    pairs_ahead: OverlapsAhead | None = None

    def lap(self, phase: str) -> None:
        """Note how long the phase just ended took."""
        now = time.perf_counter()
        self.timings[phase] = round(now - self.clock, 3)
        self.clock = now

    def cancel(self) -> None:
        """Stop the work running beside the import."""
        for work in (self.ahead, self.pairs_ahead):
            if work is not None:
                work.cancel()


def import_register(
    session: Session,
    profile: Profile,
    path: str | Path,
    *,
    mapping: dict | str | Path | None = None,
    dry_run: bool = False,
    as_of: date | None = None,
    actor: str = "import",
    file_name: str | None = None,
    progress: Progress | None = None,
    map_rows: int = 0,
) -> ImportReport:
    """Import the register file at ``path``; returns the report (nothing kept on a dry run)."""
    started = datetime.now(UTC)
    name = file_name or Path(path).name
    spec = mapping if isinstance(mapping, dict) else load_mapping_file(mapping)
    run = _Run(
        name=name,
        checksum=file_checksum(path),
        as_of=as_of or started.date(),
        started=started,
        tick=progress or (lambda done, total: None),
    )
    table = read_table(path, layer=spec.get("layer"), name=name)
    columns = resolve(table.columns, spec)
    _require(columns.columns, bool(columns.corner_pairs or table.geometry_kind), name)
    run.lap("read")
    savepoint = session.begin_nested()
    try:
        shapes, checker, rows = _read_rows(session, profile, table, columns, run)
        good, holders = _judge_rows(session, profile, checker, rows, shapes, run)
        record = _start_record(session, table, run, actor)
        actions, overlaps, border_note = _write_rows(
            session, profile, good, holders, shapes, run, record, actor
        )
        report = _report(profile, rows, holders, actions, overlaps, table.format, columns)
        report.update(
            file_name=name,
            checksum=run.checksum,
            as_of=run.as_of,
            dry_run=dry_run,
            run_id=None if dry_run else record.id,
            border=border_note,
            started_at=started,
            finished_at=datetime.now(UTC),
        )
        if map_rows:
            report.features = _features(report, shapes.geoms, map_rows)
        _finish_record(session, record, report)
        if dry_run:
            savepoint.rollback()
        else:
            savepoint.commit()
        run.lap("report, commit savepoint")
        report.timings = run.timings
    except BaseException:
        run.cancel()
        if savepoint.is_active:
            savepoint.rollback()
        raise
    return report


def _read_rows(session: Session, profile: Profile, table, columns, run: _Run):
    """Build every row's area and read its values; start measuring ahead beside it."""
    country, _ = country_shape(session, profile)
    shapes = build_shapes(
        table,
        columns,
        country=country,
        country_name=profile.name,
        tolerance=profile.outside_tolerance,
        max_vertices=profile.max_vertices,
    )
    checker = RowChecker(profile, columns, load_synonyms().merged(columns.synonyms), run.as_of)
    run.ahead = MeasureAhead(session, profile, shapes.geoms, checker.codes(table.records))
    run.pairs_ahead = OverlapsAhead(session, shapes.geoms)
    n = len(table)
    rows: list[CheckedRow] = []
    for i, rec in enumerate(table.records):
        rows.append(checker.check(i, table.labels[i], rec, shapes))
        if i % 1000 == 999:
            run.tick(i + 1, 3 * n + 1)
    run.tick(n, 3 * n + 1)
    run.lap("check rows")
    return shapes, checker, rows


def _judge_rows(session: Session, profile: Profile, checker: RowChecker, rows, shapes, run: _Run):
    """Match or create the holders of the rows read well, then judge every row by the
    application rules (``RowChecker.judge``: a rule of today's law broken flags the row, it
    does not refuse it); holders made only for refused rows go."""
    readable = [r for r in rows if not r.refused]
    holders = store.resolve_holders(session, readable) if readable else {}
    for r in readable:
        r.holder_known = True
    for r in rows:
        checker.judge(r, shapes)
    check_receipts_unused(session, readable)
    announced: set[int] = set()
    for r in readable:
        if not r.refused:
            _announce_holder(r, holders[r.index], announced)
    store.drop_unused_holders(session, holders, [r for r in readable if r.refused])
    good = [r for r in readable if not r.refused]
    run.lap("holders, application rules")
    return good, holders


def _start_record(session: Session, table, run: _Run, actor: str) -> ImportRun:
    """The import run's record (its id names the run in every history event)."""
    record = ImportRun(
        file_name=run.name[:255],
        checksum=run.checksum,
        file_format=table.format,
        actor=actor[:120],
        as_of=run.as_of,
        started_at=run.started,
        counts={},
        report={},
    )
    session.add(record)
    session.flush()
    return record


def _finish_record(session: Session, record: ImportRun, report: ImportReport) -> None:
    """Keep the counts and the report with the run; drop the work tables."""
    record.counts = report.counts
    record.report = report.to_json()
    record.finished_at = report.finished_at
    session.flush()
    session.execute(text("DROP TABLE IF EXISTS import_plan, import_stage"))


def _write_rows(session, profile, good, holders, shapes, run: _Run, record: ImportRun, actor):
    """Store the accepted rows: updates of licences already in the register, new licences,
    their history; flag legacy overlaps; assess the border. (actions, overlaps, note)"""
    reason = f"Imported from {run.name} (SHA-256 {run.checksum}), import run {record.id}"
    n = len(shapes.geoms)
    total = 3 * n + 1  # rows checked, rows staged, rows written (by phase)
    lock_exclusive_intake(session)
    known = store.codes_in_register(session, [r.code for r in good])
    new = [r for r in good if r.code not in known]
    notes = {r.index: list(shapes.warnings[r.index]) for r in good}
    store.create_stage(session)
    if len(new) < len(good):  # licences in the register: compare, then update or not
        store.copy_stage(
            session,
            [r for r in good if r.code in known],
            holders,
            shapes.geoms,
            shapes.area_ha,
            notes,
        )
        store.classify(session)
    run.lap("stage, compare (codes in the register)")
    run.tick(n + len(good) - len(new), total)
    if not new:
        run.ahead.cancel()
    assessed = insert_new(
        session,
        profile,
        new,
        holders,
        shapes.geoms,
        shapes.area_ha,
        notes,
        run.ahead.batches(session) if new else [],
        actor=actor,
        reason=reason,
        progress=lambda done: run.tick(n + len(good) - len(new) + done, total),
    )
    run.lap("new licences: COPY with border assessment (measured ahead), history")
    run.timings["(measuring ahead, in parallel)"] = round(run.ahead.seconds or 0.0, 3)
    run.tick(2 * n, total)
    store.write_licences(session, actor=actor, reason=reason)
    actions = store.staged(session)
    run.lap("updates and their history")
    placed = place_waiting_applications(
        session.connection(), profile, actor=actor, role="import",
        occasion=f"on import from {run.name}, import run {record.id}",
    )  # fmt: skip
    if placed:
        session.expire_all()  # moved by SQL: no licence read before may keep its old stage
    run.lap("waiting applications placed in their procedures")
    store_money(
        session, good, actions, as_of=run.as_of, actor=actor, source=f"import run {record.id}"
    )
    run.lap("legacy money")
    run.tick(2 * n + 3 * n // 4, total)
    overlaps = flag_overlaps(
        session,
        rows=good,
        actions=actions,
        file_pairs=run.pairs_ahead.result(),
        exclusive=exclusive_types(profile),
        run_id=record.id,
        source=f"import run {record.id}: {run.name}",
    )
    store.flag_licences(session, [(p["a_id"], overlap_flag(p)) for p in overlaps])
    run.lap("legacy overlaps")
    run.tick(3 * n, total)
    changed = [lid for lid, action in actions.values() if action == "update"]
    border_note = _assess_border(session, profile, assessed, changed, run.lap)
    run.tick(total, total)
    return actions, overlaps, border_note


def _features(report: ImportReport, geoms, limit: int) -> list[dict]:
    """GeoJSON features of the first ``limit`` rows that have an area, for the page's map."""
    out = []
    for row, geom in zip(report.rows, geoms, strict=True):
        if geom is None:
            continue
        out.append(
            {
                "type": "Feature",
                "properties": {"row": row.row, "code": row.code, "outcome": row.outcome},
                "geometry": to_geojson(shapely.set_precision(geom, 1e-6)),
            }
        )
        if len(out) >= limit:
            break
    return out


def _require(columns: dict, has_corners: bool, name: str) -> None:
    """Refuse the whole file when a field every row needs has no column."""
    errors = []
    for field, words in (("code", "licence code"), ("licence_type", "licence type")):
        if field not in columns:
            errors.append({"field": field, "message": f"no column for the {words} was found"})
    if "holder" not in columns and "holder_registration" not in columns:
        errors.append({"field": "holder", "message": "no column for the holder was found"})
    if not (columns.get("geometry") or columns.get("corners") or has_corners):
        errors.append(
            {"field": "geometry", "message": "no geometry: no polygons, WKT or corner columns"}
        )
    if errors:
        raise ValidationError(
            f"{name}: "
            + "; ".join(e["message"] for e in errors)
            + ". Name the columns in a mapping file (--mapping).",
            errors=errors,
        )


def _announce_holder(row: CheckedRow, holder: tuple[int, str], announced: set[int]) -> None:
    """A holder the import created is said once, at the first row that made it."""
    holder_id, how = holder
    if how == "created" and holder_id not in announced:
        announced.add(holder_id)
        guessed = " (kind guessed from the name)" if row.kind_guessed else ""
        row.warnings.append(
            f"The holder “{row.holder_name or row.holder_registration}” was not in the register; "
            f"registered as {_a(row.holder_kind)}{guessed}."
        )


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _assess_border(
    session: Session, profile: Profile, assessed: int, changed: list[int], lap=None
) -> str:
    """Assess the licences this import changed; say how many of its licences were assessed.

    New licences were inserted already assessed (``importer.insert``) and their ``import``
    event covers it; a licence the import updates gets the engine's usual
    ``border_reassessed`` event if its assessment moved.
    """
    if changed:
        recompute_all(session, profile, ids=changed, reason="import")
        if lap:
            lap("border engine (updated licences)")
    if not assessed and not changed:
        return "no licence to assess"
    unassessed = session.execute(
        text(
            "SELECT count(*) FROM licences l JOIN import_plan s ON s.licence_id = l.id "
            "WHERE s.action IN ('insert', 'update') AND l.assessed_at IS NULL"
        )
    ).scalar_one()
    done = assessed + len(changed) - unassessed
    return f"assessed {done} licence{'s' if done != 1 else ''}" + (
        f"; {unassessed} could not be assessed" if unassessed else ""
    )


def _report(profile: Profile, rows, holders, actions, overlaps, fmt: str, columns) -> ImportReport:
    """Outcome and reasons per row, from the checks and what the database did."""
    by_licence: dict[int, list[dict]] = {}
    for p in overlaps:
        by_licence.setdefault(p["a_id"], []).append(p)
    results = []
    for r in rows:
        licence_id, action = actions.get(r.index, (None, None))
        flags = [] if r.refused else list(r.flags)
        if not r.refused:
            flags += [overlap_flag(p) for p in by_licence.get(licence_id, [])]
        reasons = r.errors + r.flags if r.refused else flags + list(r.warnings)
        if r.refused:
            outcome = "refused"
        elif action == "unchanged":
            outcome = "unchanged"
        elif action == "update":
            outcome = "updated"
        elif flags:
            outcome = "flagged"
        else:
            outcome = "imported with warnings" if reasons else "imported"
        results.append(
            RowResult(
                row=r.label,
                code=r.code,
                outcome=outcome,
                reasons=reasons,
                flags=flags,
                licence_id=licence_id,
                licence_type=profile.type_words(r.licence_type) if r.licence_type else None,
                holder=r.holder_name,
            )
        )
    return ImportReport(
        rows=results,
        file_format=fmt,
        mapping=columns.describe(),
        unused_columns=list(columns.unused),
        matching=columns.matching(),
        conflicts=[
            {
                "licence": p["a_code"],
                "other": p["b_code"],
                "overlap_ha": round(p["overlap_ha"], 4),
            }
            for p in overlaps
            if p["a_id"] < p["b_id"] or p["b_id"] not in by_licence
        ],
    )
