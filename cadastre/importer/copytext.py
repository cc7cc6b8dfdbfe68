"""Values in PostgreSQL's COPY text format, for the import's bulk writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_cell(value: str | None) -> str:
    """A text value (NULL as \\N)."""
    return NULL if value is None else value.translate(_ESCAPES)


def day_cell(value: date | None) -> str:
    """A date or timestamp in ISO form (NULL as \\N)."""
    return NULL if value is None else value.isoformat()


def float_cell(value: float | None) -> str:
    """A float8, exactly (repr round-trips)."""
    return NULL if value is None else repr(float(value))


def array_cell(values: Sequence[str]) -> str:
    """A PostgreSQL array literal, each element quoted."""
    quoted = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return text_cell("{" + ",".join(quoted) + "}")
