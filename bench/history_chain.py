"""The cost of the tamper-evident history chain: registering an application at 100,000
licences with the chain's triggers on and off, and ``history verify`` over 1,000,000 events.

Registering: ``bench.register_application``'s register, probes and timing, in slices that
alternate chain on / chain off in the same run (off = the three chain triggers disabled with
``ALTER TABLE ... DISABLE TRIGGER`` and the link columns' NOT NULL and unique constraint
dropped, i.e. the schema before migration 0008). Verify: 1,000,000 events (ten per licence,
before/after snapshots with the licence's geometry, as the service writes them) inserted
through the trigger in batches, then ``verify_chain`` over them, the floor being one
``SELECT count(*)`` of the same rows.

    /work/main/.venv/bin/python -m bench.history_chain [--runs 400] [--events 1000000]

Uses a scratch database (``CADASTRE_BENCH_CHAIN_DATABASE_URL``, default
``cadastre_bench_chain``), dropped and re-created.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.register_application import _load, fill, measure, pct
from cadastre.config import Settings
from cadastre.db import recreate_database
from cadastre.migrate import upgrade
from cadastre.models import Holder
from cadastre.profile import load_profile
from cadastre.progress import Progress
from cadastre.services.boundaries import load_natural_earth
from cadastre.services.chain import verify_chain

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_chain"
CHAIN_TRIGGERS = ("history_chain_open", "history_chain_link", "history_chain_close")
SLICES = 4
#: Probes between two vacuums of the events table and the head (see ``_vacuum``).
VACUUM_EVERY = 10

CHAIN_OFF = [
    *(f"ALTER TABLE licence_events DISABLE TRIGGER {t}" for t in CHAIN_TRIGGERS),
    *(
        f"ALTER TABLE licence_events ALTER COLUMN {c} DROP NOT NULL"
        for c in ("chain_seq", "prev_hash", "hash")
    ),
    "ALTER TABLE licence_events DROP CONSTRAINT uq_licence_events_chain_seq",
]
CHAIN_ON = [
    *(f"ALTER TABLE licence_events ENABLE TRIGGER {t}" for t in CHAIN_TRIGGERS),
    *(
        f"ALTER TABLE licence_events ALTER COLUMN {c} SET NOT NULL"
        for c in ("chain_seq", "prev_hash", "hash")
    ),
    "ALTER TABLE licence_events ADD CONSTRAINT uq_licence_events_chain_seq UNIQUE (chain_seq)",
]

#: Ten events per licence, snapshots shaped like the service's (geometry included).
EVENTS = text(
    """
    INSERT INTO licence_events (licence_id, action, actor, at, reason, before, after)
    SELECT l.id, (ARRAY['apply','grant','renew','suspend','reinstate','transfer',
                        'border_reassessed','renew','relinquish','grant'])[1 + k],
           'officer-' || (l.id % 17), l.received_at + k * interval '30 days',
           CASE WHEN k % 3 = 0 THEN 'Decision of the board, minute ' || l.id || '/' || k END,
           CASE WHEN k > 0 THEN s.snap || jsonb_build_object('version', k) END,
           s.snap || jsonb_build_object('version', k + 1)
      FROM licences l
      CROSS JOIN generate_series(0, 9) k
      CROSS JOIN LATERAL (SELECT jsonb_build_object(
             'code', l.code, 'status', l.status, 'licence_type', l.licence_type,
             'holder_id', l.holder_id, 'commodities', to_jsonb(l.commodities),
             'area_ha', l.area_ha, 'granted_at', l.granted_at, 'expires_at', l.expires_at,
             'renewals', l.renewals, 'district', l.district,
             'geometry', ST_AsGeoJSON(l.geom, 9)::jsonb) AS snap) s
     WHERE l.id > :lo AND l.id <= :hi
     ORDER BY l.id, k
    """
)


def _ddl(engine, statements: list[str]) -> None:
    with engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))


def _vacuum(engine) -> None:
    # Each probe is rolled back, so every chained insert reuses the same chain_seq: the
    # unique index piles up dead entries for that one key (and the head row dead versions),
    # which a committed register never has. Vacuum them away, in both states alike.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM licence_events, history_head"))


def registering(engine, profile, holder_id: int, runs: int, rng) -> dict[str, list[float]]:
    """Accepted registrations timed in slices alternating chain on and chain off."""
    times: dict[str, list[float]] = {"on": [], "off": []}
    per = max(1, runs // (2 * SLICES))
    current = "on"  # as migrated
    for _ in range(SLICES):
        for state in ("on", "off"):
            if state != current:
                _ddl(engine, CHAIN_ON if state == "on" else CHAIN_OFF)
                current = state
            measure(engine, profile, holder_id, 4, rng)  # warm the plans after the DDL
            for _ in range(per // VACUUM_EVERY):
                times[state] += measure(engine, profile, holder_id, VACUUM_EVERY, rng)["service"][
                    "free"
                ]
                _vacuum(engine)
    _ddl(engine, CHAIN_ON)
    return times


def fill_events(engine, want: int) -> tuple[int, float]:
    """Insert ``want`` events through the chain trigger; returns (events, seconds)."""
    per_batch = 10_000  # licences, i.e. 100,000 events per statement and transaction
    with engine.connect() as conn:
        top = conn.execute(text("SELECT max(id) FROM licences")).scalar_one()
    progress = Progress("events", want)
    t0 = time.perf_counter()
    lo = 0
    while lo < top:
        with engine.begin() as conn:
            conn.execute(EVENTS, {"lo": lo, "hi": lo + per_batch})
            done = conn.execute(text("SELECT seq FROM history_head")).scalar_one()
        progress(min(done, want), want)
        lo += per_batch
        if done >= want:
            break
    elapsed = time.perf_counter() - t0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE licence_events"))
        n = conn.execute(text("SELECT count(*) FROM licence_events")).scalar_one()
    return n, elapsed


def verifying(engine) -> tuple[float, float, object]:
    """Seconds for ``verify_chain`` and for the floor (a count of the same rows)."""
    with Session(engine) as session:
        t0 = time.perf_counter()
        session.execute(text("SELECT count(*) FROM licence_events")).scalar_one()
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = verify_chain(session, progress=Progress("history verify"))
        elapsed = time.perf_counter() - t0
    return elapsed, floor, result


def main(argv: list[str] | None = None) -> None:
    """Build the register, measure both, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--licences", type=int, default=100_000)
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_CHAIN_DATABASE_URL", DEFAULT_URL)
    settings = Settings.from_env(database_url=url)
    profile = load_profile(settings.profile)
    print(f"scratch database {make_url(url).database}: migrate, load boundaries", flush=True)
    print(f"# load average at the start {_load()}", flush=True)
    recreate_database(url)
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        load_natural_earth(session, profile, settings.world_atlas)
        holder = Holder(name="Bench Mining Ltd", kind="company")
        session.add(holder)
        session.commit()
        holder_id = holder.id
    have = fill(engine, holder_id, 0, args.licences)
    print(f"# register of {have:,} licences", flush=True)
    rng = random.Random(1406)
    measure(engine, profile, holder_id, 20, rng)
    times = registering(engine, profile, holder_id, args.runs, rng)
    on, off = (statistics.median(times[k]) * 1000 for k in ("on", "off"))
    print(f"{'licences':>9} {'chain':>5} {'n':>4} {'median ms':>10} {'p99 ms':>8}")
    for state, med in (("on", on), ("off", off)):
        print(
            f"{have:>9,} {state:>5} {len(times[state]):>4} {med:>10.2f} "
            f"{pct(times[state], 99):>8.2f}"
        )
    print(f"registering an application: chain on / off = {on / off:.3f}", flush=True)
    if args.events <= 0:
        engine.dispose()
        return
    n, fill_s = fill_events(engine, args.events)
    print(
        f"# {n:,} events inserted through the trigger in {fill_s:.1f} s "
        f"({n / fill_s:,.0f} events/s)",
        flush=True,
    )
    elapsed, floor, result = verifying(engine)
    verdict = "OK" if result.ok else result.mismatch.text()
    print(
        f"history verify over {result.checked:,} events: {elapsed:.1f} s "
        f"({result.checked / elapsed:,.0f} events/s; count(*) floor {floor:.2f} s) - {verdict}"
    )
    print(f"# load average at the end {_load()}")
    engine.dispose()


if __name__ == "__main__":
    main()
