"""The import's border measuring, run ahead on a second connection while the rows are checked.

Measuring each new licence against the land borders (nearest segment and point of interest,
geodesic) is the import's largest piece of database work, and it needs nothing but the
geometry. Checking rows, matching holders and staging need no measurement. So measuring
starts on a second connection, in a thread, as soon as the shapes are built: PostgreSQL
measures on one core while Python checks on the other.

It only reads. Every write stays in the import's own transaction, which takes the results
only if they were measured against the boundary data set it sees itself; otherwise (or for a
row it lacks) the import measures in its own transaction, as it would without this. Rows
whose code is already in the register are not measured ahead: a re-import leaves them
unchanged or updates them, and updated licences are reassessed with their history.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.profile import Profile
from cadastre.services.border import measure_rows

#: What identifies the boundary data set in force, as both connections see it.
DATASET = "SELECT id, name, version FROM boundary_datasets WHERE active ORDER BY id DESC LIMIT 1"


class MeasureAhead:
    """Measure rows (by row index) on a connection of the session's engine, in a thread."""

    def __init__(
        self, session: Session, profile: Profile, geoms: np.ndarray, codes: Sequence[str | None]
    ):
        bind = session.get_bind()
        self._engine = getattr(bind, "engine", bind)
        self._profile = profile
        self._geoms, self._codes = geoms, list(codes)
        self._raw = None
        self.dataset: tuple | None = None
        self.measured: list[tuple] = []
        self.error: BaseException | None = None
        #: How long the measuring took on its connection (set when it ends).
        self.seconds: float | None = None
        self._thread = threading.Thread(target=self._run, name="import-measure-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            with Session(self._engine) as session:
                self._raw = session.connection().connection.driver_connection
                self.dataset = tuple(session.execute(text(DATASET)).one_or_none() or ())
                codes = sorted({c for c in self._codes if c})
                existing = set(
                    session.scalars(
                        text("SELECT code FROM licences WHERE code = ANY(:codes)"),
                        {"codes": codes},
                    )
                )
                idx = [
                    i
                    for i, (g, c) in enumerate(zip(self._geoms, self._codes, strict=True))
                    if g is not None and c and c not in existing
                ]
                if not idx:
                    return
                session.execute(
                    text(
                        "CREATE TEMP TABLE import_ahead (id integer PRIMARY KEY, "
                        "geom geometry(MultiPolygon, 4326)) ON COMMIT DROP"
                    )
                )
                hexes = shapely.to_wkb(
                    shapely.set_srid(self._geoms[idx], 4326), hex=True, include_srid=True
                )
                with (
                    self._raw.cursor() as cur,
                    cur.copy("COPY import_ahead (id, geom) FROM STDIN") as copy,
                ):
                    copy.write("".join(f"{i}\t{h}\n" for i, h in zip(idx, hexes, strict=True)))
                session.execute(text("ANALYZE import_ahead"))
                self.measured = measure_rows(session, self._profile, "SELECT * FROM import_ahead")
                session.rollback()
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started

    def results(self, session: Session) -> list[tuple]:
        """Wait for the measuring; its rows if they used the data set ``session`` sees, else []."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        seen = tuple(session.execute(text(DATASET)).one_or_none() or ())
        return self.measured if seen == self.dataset else []

    def cancel(self) -> None:
        """Stop the measuring (the import failed or was interrupted) and wait for the thread.

        A cancel only stops the statement running at that moment, so it is repeated until
        the thread has given up (its next statement is cancelled as it starts).
        """
        deadline = time.monotonic() + 30
        while self._thread.is_alive() and time.monotonic() < deadline:
            if self._raw is not None:
                try:
                    self._raw.cancel()
                except Exception:  # noqa: BLE001 - the connection may be gone already
                    pass
            self._thread.join(timeout=0.1)
