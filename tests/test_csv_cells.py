"""The one CSV cell function: formula starts quoted (OWASP), numbers left as numbers."""

import csv
import io
from decimal import Decimal

import pytest

from cadastre.csv_cells import safe_cell, writer


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tTabbed",
     "\rReturned", "=1", "-", "+", "- Kenema"],
)
def test_formula_starts_are_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3.5, 0, 12, Decimal("-0.25"), "-3.5", "+4", "-1e-3", ".5",
                                   "Kono Diamond Works", "", None, "2026-01-01", "a=b"])
def test_numbers_and_plain_text_are_unchanged(value):
    assert safe_cell(value) == value


def test_the_writer_makes_every_cell_safe():
    buf = io.StringIO()
    w = writer(buf)
    w.writerow(["id", "holder", "km"])
    w.writerow([7, '=HYPERLINK("http://x","y")', -3.5])
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[1] == ["7", '\'=HYPERLINK("http://x","y")', "-3.5"]
