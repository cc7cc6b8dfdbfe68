"""The import's border measuring, run ahead on connections of its own while rows are checked.

Measuring each new licence against the land borders (nearest segment and point of interest,
geodesic) is the import's largest piece of database work, and it needs nothing but the
geometry. Checking rows, matching holders and staging need no measurement. So measuring
starts on other connections, in threads, as soon as the shapes are built: PostgreSQL
measures while Python checks.

It only reads. Every write stays in the import's own transaction, which takes the results
batch by batch as they come (storing each while the rest is measured), and only if they
were measured against the boundary data set it sees itself; otherwise (or for a row it
lacks) the import measures in its own transaction, as it would without this. Rows whose
code is already in the register are not measured ahead: a re-import leaves them unchanged
or updates them, and updated licences are reassessed with their history.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Sequence

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.importer.copytext import copy_areas
from cadastre.importer.store import codes_in_register
from cadastre.profile import Profile
from cadastre.services.border import measure_batches

#: What identifies the boundary data set in force, as both connections see it.
DATASET = "SELECT id, name, version FROM boundary_datasets WHERE active ORDER BY id DESC LIMIT 1"


#: Connections that measure side by side (rows split between them), for large imports.
PARTS = 2
#: Fewer rows than this per connection are not worth another connection.
MIN_PART = 2000


class MeasureAhead:
    """Measure rows (by row index) on connections of the session's engine, in threads.

    With two cores, two measuring connections finish sooner than one: while Python checks
    rows they share the cores with it, and once it waits they have both. Each measured
    batch is handed over as soon as it is ready (``batches``).
    """

    def __init__(
        self, session: Session, profile: Profile, geoms: np.ndarray, codes: Sequence[str | None]
    ):
        bind = session.get_bind()
        self._engine = getattr(bind, "engine", bind)
        self._profile = profile
        self._geoms, self._codes = geoms, list(codes)
        self._workers: list[tuple[threading.Thread, list]] = []  # (thread, [raw connection])
        self._ready: queue.Queue = queue.Queue()  # batches, then one None per part
        self._parts = 0
        self._started = threading.Event()  # every part has read its data set (or failed)
        self.datasets: list[tuple] = []
        self.error: BaseException | None = None
        #: How long the measuring took (set when it ends).
        self.seconds: float | None = None
        self._thread = threading.Thread(target=self._run, name="import-measure-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        errors: list[BaseException] = []
        try:
            idx = self._rows_to_measure()
            if not idx:
                return  # a re-import: every code is in the register already
            self._parts = max(1, min(PARTS, len(idx) // MIN_PART))
            for k in range(self._parts):
                raw: list = []
                thread = threading.Thread(
                    target=self._measure_part,
                    args=(idx[k :: self._parts], raw, errors),
                    name=f"import-measure-ahead-{k}",
                    daemon=True,
                )
                self._workers.append((thread, raw))
                thread.start()
            for thread, _ in self._workers:
                thread.join()
            if errors:
                raise errors[0]
        except BaseException as exc:  # noqa: BLE001 - handed to the importing thread
            self.error = exc
        finally:
            self.seconds = time.perf_counter() - started
            self._started.set()
            self._ready.put(None)  # the end, whatever happened

    def _rows_to_measure(self) -> list[int]:
        """Rows with an area whose code is not in the register yet (new licences-to-be)."""
        codes = sorted({c for c in self._codes if c})
        with Session(self._engine) as session:
            existing = codes_in_register(session, codes)
        return [
            i
            for i, (g, c) in enumerate(zip(self._geoms, self._codes, strict=True))
            if g is not None and c and c not in existing
        ]

    def _measure_part(self, idx: list[int], raw: list, errors: list) -> None:
        try:
            with Session(self._engine) as session:
                raw.append(session.connection().connection.driver_connection)
                self.datasets.append(tuple(session.execute(text(DATASET)).one_or_none() or ()))
                if len(self.datasets) == self._parts:
                    self._started.set()
                copy_areas(session, "import_ahead", idx, self._geoms)
                session.execute(text("ANALYZE import_ahead"))
                for batch in measure_batches(session, self._profile, "SELECT * FROM import_ahead"):
                    self._ready.put(batch)
                session.rollback()
        except BaseException as exc:  # noqa: BLE001 - handed to the coordinating thread
            errors.append(exc)
            self._started.set()

    def batches(self, session: Session) -> Iterator[list[tuple]]:
        """The measured batches as they come, if measured against the boundary data set
        ``session`` sees; nothing (and the measuring stopped) if not. Raises what failed.

        The data sets are compared here, at once: iterating must not need ``session``,
        which is busy with the COPY the batches go into.
        """
        self._started.wait()
        seen = tuple(session.execute(text(DATASET)).one_or_none() or ())
        if self.error is None and any(d != seen for d in self.datasets):
            self.cancel()
            return iter(())
        return self._drain()

    def _drain(self) -> Iterator[list[tuple]]:
        while (batch := self._ready.get()) is not None:
            yield batch
        self._thread.join()
        if self.error is not None:
            raise self.error

    def cancel(self) -> None:
        """Stop the measuring (the import failed or was interrupted) and wait for the threads."""
        cancel_until_stopped(self._thread, self._workers)


def cancel_until_stopped(thread: threading.Thread, workers: list[tuple[threading.Thread, list]]):
    """Cancel the running statement of each live worker (thread, [raw connection]) until
    ``thread`` has ended, for 30 s at most.

    A cancel only stops the statement running at that moment, so it is repeated until the
    threads have given up (each next statement is cancelled as it starts). Only a connection
    whose thread still runs is cancelled: a finished one is back in the pool.
    """
    deadline = time.monotonic() + 30
    while thread.is_alive() and time.monotonic() < deadline:
        for worker, raw in list(workers):
            if worker.is_alive() and raw:
                try:
                    raw[0].cancel()
                except Exception:  # noqa: BLE001 - the connection may be gone already
                    pass
        thread.join(timeout=0.1)
