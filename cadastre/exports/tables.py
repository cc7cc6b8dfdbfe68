"""A report's table as JSON values, CSV text or an XLSX workbook.

Amounts stay exact: JSON and CSV write them as decimal text (``1500.00``), XLSX as numbers
with two decimal places (a spreadsheet sums them). Every CSV cell goes through
cadastre/csv_cells.py and every XLSX text cell through the same rule, so no holder's name
ever runs as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from cadastre import csv_cells

AMOUNT_FORMAT = "#,##0.00"


def json_value(value: Any) -> Any:
    """A cell as JSON sends it: amounts as exact text, days as ISO dates."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every value made JSON-ready."""
    return [{k: json_value(v) for k, v in row.items()} for row in rows]


def _cell_text(value: Any) -> Any:
    if value is None:
        return ""
    return json_value(value) if isinstance(value, (Decimal, date)) else value


def csv_pieces(columns, rows: list[dict[str, Any]]) -> Iterator[str]:
    """The table as CSV: a header of column titles, then one line per row."""
    buf = io.StringIO()
    writer = csv_cells.writer(buf)
    writer.writerow([title for _key, title in columns])
    for row in rows:
        writer.writerow([_cell_text(row.get(key)) for key, _title in columns])
    yield buf.getvalue()


def xlsx_bytes(title: str, columns, rows: list[dict[str, Any]], notes: list[str]) -> bytes:
    """The table as a one-sheet workbook (bold header, amounts as numbers), notes below."""
    from openpyxl import Workbook  # imported here: only the XLSX download needs it
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([t for _k, t in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(row.get(key)) for key, _t in columns])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = AMOUNT_FORMAT
    if notes:
        sheet.append([])
        for note in notes:
            sheet.append([csv_cells.safe_cell(note)])
    for i, (_key, name) in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(12, len(name) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (Decimal, int, date)):
        return value
    return csv_cells.safe_cell(str(value))
