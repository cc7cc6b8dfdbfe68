"""Twenty overlapping applications at the same moment: exactly one is accepted.

Each thread uses its own connection and commits for real (the advisory lock only matters
across transactions), so this test cleans up after itself.
"""

from __future__ import annotations

import threading

from licence_support import KONO, rect
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from cadastre.errors import Conflict
from cadastre.models import Holder
from cadastre.services.chain import unguarded_history
from cadastre.services.licences import register_application

THREADS = 20
TYPES = ("small_scale", "exploration", "large_scale", "small_scale", "exploration")


def test_twenty_concurrent_overlapping_applications_exactly_one_accepted(database_url, profile):
    engine = create_engine(database_url, pool_size=THREADS, max_overflow=0)
    with Session(engine) as session:
        holder = Holder(name="Concurrency Test Mining Ltd", kind="company")
        session.add(holder)
        session.commit()
        holder_id = holder.id
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        # every square overlaps every other (centres 50 m apart, 1 km sides)
        shape = rect(KONO[0] + i * 0.00045, KONO[1], 1000)
        with Session(engine) as session:
            barrier.wait()
            try:
                register_application(
                    session,
                    profile,
                    holder_id=holder_id,
                    # different types, so the code counters (one row per type) do not
                    # serialise them: only the intake lock does
                    licence_type=TYPES[i % len(TYPES)],
                    commodities=["gold"],
                    geometry=shape,
                    actor=f"officer{i}",
                )
                session.commit()
                result = "accepted"
            except Conflict:
                session.rollback()
                result = "conflict"
            except Exception as exc:  # noqa: BLE001 - reported in the assertion
                session.rollback()
                result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(outcomes) == ["accepted"] + ["conflict"] * (THREADS - 1), outcomes
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT count(*) FROM licences WHERE holder_id = :h"), {"h": holder_id}
            ).scalar_one()
            events = conn.execute(
                text(
                    "SELECT count(*) FROM licence_events e JOIN licences l ON l.id = e.licence_id "
                    "WHERE l.holder_id = :h"
                ),
                {"h": holder_id},
            ).scalar_one()
        assert stored == 1 and events == 1
    finally:
        with Session(engine) as s, s.begin(), unguarded_history(s):
            ids = "SELECT id FROM licences WHERE holder_id = :h"
            s.execute(
                text(f"DELETE FROM licence_events WHERE licence_id IN ({ids})"), {"h": holder_id}
            )
            s.execute(text("DELETE FROM holder_events WHERE holder_id = :h"), {"h": holder_id})
            s.execute(text("DELETE FROM licences WHERE holder_id = :h"), {"h": holder_id})
            s.execute(text("DELETE FROM holders WHERE id = :h"), {"h": holder_id})
            s.execute(text("DELETE FROM licence_code_counters"))
        engine.dispose()
