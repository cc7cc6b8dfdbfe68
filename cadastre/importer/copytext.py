"""Values in PostgreSQL's COPY text format, for the import's bulk writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

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


def copy_areas(session: Session, table: str, idx: Sequence[int], geoms: np.ndarray) -> None:
    """A temporary table ``table`` (id, geom) holding the areas of rows ``idx`` (by row index),
    dropped at the end of the transaction: what the import's helper connections work on."""
    session.execute(
        text(
            f"CREATE TEMP TABLE {table} (id integer PRIMARY KEY, "
            "geom geometry(MultiPolygon, 4326)) ON COMMIT DROP"
        )
    )
    hexes = shapely.to_wkb(shapely.set_srid(geoms[list(idx)], 4326), hex=True, include_srid=True)
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} (id, geom) FROM STDIN") as copy:
        copy.write("".join(f"{i}\t{h}\n" for i, h in zip(idx, hexes, strict=True)))
