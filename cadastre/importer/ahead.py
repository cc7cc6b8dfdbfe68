"""The import's border measuring, run ahead on connections of its own while rows are checked.

Measuring each new licence against the land borders (nearest segment and point of interest,
geodesic) is the import's largest piece of database work, and it needs nothing but the
geometry. Checking rows, matching holders and staging need no measurement. So measuring
starts on other connections, in threads, as soon as the shapes are built: PostgreSQL
measures while Python checks.

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


#: Connections that measure side by side (rows split between them), for large imports.
PARTS = 2
#: Fewer rows than this per connection are not worth another connection.
MIN_PART = 2000


class MeasureAhead:
    """Measure rows (by row index) on connections of the session's engine, in threads.

    With two cores, two measuring connections finish sooner than one: while Python checks
    rows they share the cores with it, and once it waits they have both.
    """

    def __init__(
        self, session: Session, profile: Profile, geoms: np.ndarray, codes: Sequence[str | None]
    ):
        bind = session.get_bind()
        self._engine = getattr(bind, "engine", bind)
        self._profile = profile
        self._geoms, self._codes = geoms, list(codes)
        self._workers: list[tuple[threading.Thread, list]] = []  # (thread, [raw connection])
        self.datasets: list[tuple] = []
        self.measured: list[tuple] = []
        self.error: BaseException | None = None
        #: How long the measuring took (set when it ends).
        self.seconds: float | None = None
        self._thread = threading.Thread(target=self._run, name="import-measure-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            idx = self._rows_to_measure()
            if not idx:
                return  # a re-import: every code is in the register already
            parts = max(1, min(PARTS, len(idx) // MIN_PART))
            results: list[list[tuple]] = [[] for _ in range(parts)]
            errors: list[BaseException] = []
            for k in range(parts):
                raw: list = []
                thread = threading.Thread(
                    target=self._measure_part,
                    args=(idx[k::parts], results[k], raw, errors),
                    name=f"import-measure-ahead-{k}",
                    daemon=True,
                )
                self._workers.append((thread, raw))
                thread.start()
            for thread, _ in self._workers:
                thread.join()
            if errors:
                raise errors[0]
            self.measured = [row for part in results for row in part]
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started

    def _rows_to_measure(self) -> list[int]:
        """Rows with an area whose code is not in the register yet (new licences-to-be)."""
        codes = sorted({c for c in self._codes if c})
        with Session(self._engine) as session:
            existing = set(
                session.scalars(
                    text("SELECT code FROM licences WHERE code = ANY(:codes)"), {"codes": codes}
                )
            )
        return [
            i
            for i, (g, c) in enumerate(zip(self._geoms, self._codes, strict=True))
            if g is not None and c and c not in existing
        ]

    def _measure_part(self, idx: list[int], out: list, raw: list, errors: list) -> None:
        try:
            with Session(self._engine) as session:
                raw.append(session.connection().connection.driver_connection)
                self.datasets.append(tuple(session.execute(text(DATASET)).one_or_none() or ()))
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
                    raw[0].cursor() as cur,
                    cur.copy("COPY import_ahead (id, geom) FROM STDIN") as copy,
                ):
                    copy.write("".join(f"{i}\t{h}\n" for i, h in zip(idx, hexes, strict=True)))
                session.execute(text("ANALYZE import_ahead"))
                out.extend(measure_rows(session, self._profile, "SELECT * FROM import_ahead"))
                session.rollback()
        except BaseException as exc:  # noqa: BLE001 - handed to the coordinating thread
            errors.append(exc)

    def results(self, session: Session) -> list[tuple]:
        """Wait for the measuring; its rows if they used the data set ``session`` sees, else []."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        seen = tuple(session.execute(text(DATASET)).one_or_none() or ())
        return self.measured if all(d == seen for d in self.datasets) else []

    def cancel(self) -> None:
        """Stop the measuring (the import failed or was interrupted) and wait for the threads.

        A cancel only stops the statement running at that moment, so it is repeated until
        the threads have given up (each next statement is cancelled as it starts). Only a
        connection whose thread still runs is cancelled: a finished one is back in the pool.
        """
        deadline = time.monotonic() + 30
        while self._thread.is_alive() and time.monotonic() < deadline:
            for thread, raw in list(self._workers):
                if thread.is_alive() and raw:
                    try:
                        raw[0].cancel()
                    except Exception:  # noqa: BLE001 - the connection may be gone already
                        pass
            self._thread.join(timeout=0.1)
