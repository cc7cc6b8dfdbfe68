"""Every CSV cell the registry writes goes through here, so none runs as a formula.

A spreadsheet takes a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or carriage return) as a formula: a holder named ``=HYPERLINK("http://x","y")`` would
become a live link in whoever opens the public export. OWASP's advice is followed: such a
cell is written with a leading ``'``, which spreadsheets show as text. A real number stays
a number, whether it is a Python number or text that is only a number (``-3.5``).
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from typing import Any

#: What a spreadsheet may read as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")


def safe_cell(value: Any) -> Any:
    """``value`` as it may go into a CSV cell: formula starts quoted, numbers unchanged."""
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


class SafeWriter:
    """A ``csv.writer`` whose every cell passes through :func:`safe_cell`."""

    def __init__(self, out) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        """Write one row, each cell made safe."""
        self._writer.writerow([safe_cell(v) for v in row])


def writer(out) -> SafeWriter:
    """The CSV writer every CSV download and report uses."""
    return SafeWriter(out)
