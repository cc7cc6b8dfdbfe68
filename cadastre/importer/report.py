"""The import report: per row the outcome and each reason in words, as a table, CSV or JSON."""

from __future__ import annotations

import io
import json
import shutil
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cadastre import csv_cells

#: "flagged": imported as found, but it breaks a rule of today's law (or overlaps another
#: title): an officer should look at it; the reasons say why.
OUTCOMES = ("imported", "imported with warnings", "flagged", "updated", "unchanged", "refused")


@dataclass
class RowResult:
    """What the import did with one row of the file, and why."""

    row: str
    code: str | None
    outcome: str
    reasons: list[str]
    licence_id: int | None = None
    licence_type: str | None = None
    holder: str | None = None
    #: The reasons that flag the licence for an officer (among ``reasons``).
    flags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of a row."""
        return {
            "row": self.row,
            "code": self.code,
            "outcome": self.outcome,
            "reasons": list(self.reasons),
            "licence_id": self.licence_id,
            "licence_type": self.licence_type,
            "holder": self.holder,
            "flags": list(self.flags),
        }


@dataclass
class ImportReport:
    """The whole report of one import (or dry run)."""

    rows: list[RowResult]
    file_format: str = ""
    mapping: dict = field(default_factory=dict)
    unused_columns: list[str] = field(default_factory=list)
    #: Each column of the file: the field it feeds (None: unused) and why.
    matching: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    file_name: str = ""
    checksum: str = ""
    as_of: date | None = None
    dry_run: bool = False
    run_id: int | None = None
    border: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: GeoJSON features of rows with an area (only when asked for, for a map).
    features: list[dict] = field(default_factory=list)
    #: Seconds per phase of the import (for benchmarks and slow-import diagnosis).
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportReport:
        """A report read back from its JSON form (as stored with an import run)."""
        rows = [RowResult(**{k: r.get(k) for k in RowResult.__annotations__}) for r in data["rows"]]
        for r in rows:
            r.reasons, r.flags = list(r.reasons or []), list(r.flags or [])
        return cls(
            rows=rows,
            file_format=data.get("format", ""),
            mapping=data.get("mapping") or {},
            unused_columns=data.get("unused_columns") or [],
            matching=data.get("matching") or [],
            conflicts=data.get("conflicts") or [],
            file_name=data.get("file_name", ""),
            checksum=data.get("checksum", ""),
            as_of=date.fromisoformat(data["as_of"]) if data.get("as_of") else None,
            dry_run=bool(data.get("dry_run")),
            run_id=data.get("run_id"),
            border=data.get("border", ""),
            started_at=_moment(data.get("started_at")),
            finished_at=_moment(data.get("finished_at")),
        )

    def update(self, **values: Any) -> None:
        """Set several attributes at once."""
        for key, value in values.items():
            setattr(self, key, value)

    @property
    def counts(self) -> dict[str, int]:
        """Rows per outcome, every outcome listed."""
        out = dict.fromkeys(OUTCOMES, 0)
        for r in self.rows:
            out[r.outcome] = out.get(r.outcome, 0) + 1
        return out

    def row(self, label_or_code: str) -> RowResult:
        """The row with this label ('row 3', 'feature 2') or licence code."""
        for r in self.rows:
            if label_or_code in (r.row, r.code):
                return r
        raise KeyError(label_or_code)

    def summary(self) -> str:
        """One line: what happened to how many rows."""
        counts = ", ".join(f"{n} {k}" for k, n in self.counts.items() if n)
        what = "dry run (nothing changed)" if self.dry_run else f"import run {self.run_id}"
        return (
            f"{self.file_name}: {len(self.rows)} rows: {counts or 'none'}; "
            f"{len(self.conflicts)} legacy overlap(s) flagged; {what}"
        )

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "file_name": self.file_name,
            "checksum": self.checksum,
            "format": self.file_format,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "dry_run": self.dry_run,
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "counts": self.counts,
            "mapping": self.mapping,
            "unused_columns": self.unused_columns,
            "matching": self.matching,
            "border": self.border,
            "conflicts": self.conflicts,
            "rows": [r.as_dict() for r in self.rows],
        }

    def to_json_text(self) -> str:
        """The report as a JSON document."""
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False)

    def to_csv(self) -> str:
        """One line per row and reason (a row without reasons has one line)."""
        buf = io.StringIO()
        w = csv_cells.writer(buf)
        w.writerow(["row", "code", "outcome", "reason", "licence_id", "licence_type", "holder"])
        for r in self.rows:
            for reason in r.reasons or [""]:
                w.writerow(
                    [r.row, r.code or "", r.outcome, reason, r.licence_id or "",
                     r.licence_type or "", r.holder or ""]
                )  # fmt: skip
        return buf.getvalue()

    def to_table(self, *, width: int | None = None, limit: int | None = None) -> str:
        """A terminal table: row, code, outcome, reasons (wrapped); rows without reasons that
        were simply imported or unchanged are left out past ``limit``."""
        width = width or shutil.get_terminal_size((120, 20)).columns
        shown = [r for r in self.rows if r.reasons or r.outcome == "refused"]
        quiet = [r for r in self.rows if r not in shown]
        if limit is None or len(shown) + len(quiet) <= limit:
            shown = self.rows
            quiet = []
        w_row = max([len("row")] + [len(r.row) for r in shown])
        w_code = max([len("code")] + [len(r.code or "") for r in shown])
        w_out = max(len(o) for o in OUTCOMES)
        w_reason = max(30, width - w_row - w_code - w_out - 6)
        lines = self.matching_lines()
        lines.append(f"{'row':<{w_row}}  {'code':<{w_code}}  {'outcome':<{w_out}}  reasons")
        lines.append("-" * min(width, w_row + w_code + w_out + 6 + w_reason))
        for r in shown:
            wrapped = [
                piece
                for reason in r.reasons
                for piece in textwrap.wrap(reason, w_reason, subsequent_indent="  ")
            ] or [""]
            lines.append(
                f"{r.row:<{w_row}}  {r.code or '':<{w_code}}  {r.outcome:<{w_out}}  {wrapped[0]}"
            )
            pad = " " * (w_row + w_code + w_out + 6)
            lines.extend(pad + piece for piece in wrapped[1:])
        if quiet:
            lines.append(f"... and {len(quiet)} more rows imported or unchanged without remarks")
        lines.append(self.summary())
        return "\n".join(lines)

    def matching_lines(self) -> list[str]:
        """The columns of the file and what each fed, for the terminal."""
        if not self.matching:
            return []
        width = max(len(str(m["column"])) for m in self.matching)
        out = ["columns of the file:"]
        for m in self.matching:
            to = m["field"] or "(not used)"
            why = m["why"].removeprefix("not used: ") if not m["field"] else m["why"]
            out.append(f"  {str(m['column']):<{width}}  -> {to}: {why}")
        return out + [""]


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
