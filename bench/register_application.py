"""Register an application against registers of 10,000 and 100,000 licences.

Times the full service call (validation, country check, overlap check under the intake
lock, code, insert, border assessment, history event, flush) and, as the floor measured in
the same run, the bare PostGIS overlap query for the same area. Each call is rolled back,
so the register stays the same size.

    /work/main/.venv/bin/python -m bench.register_application [--runs 300] [--sizes 10000,100000]

Uses a scratch database (``CADASTRE_BENCH_DATABASE_URL``, default ``cadastre_bench_api``),
dropped and re-created: migrations, Natural Earth boundaries, then synthetic licences
bulk-inserted with one ``INSERT ... SELECT generate_series``.
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

from cadastre.config import Settings
from cadastre.db import recreate_database
from cadastre.errors import Conflict
from cadastre.migrate import upgrade
from cadastre.models import Holder
from cadastre.profile import load_profile
from cadastre.queries.overlaps import CONFLICTS_SQL, exclusive_types
from cadastre.services.boundaries import load_natural_earth
from cadastre.services.licences import register_application

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_api"
#: Grid of synthetic licences: a square of SIDE degrees every STEP degrees inside the country.
STEP = 0.007
SIDE = 0.005


FILL = text(
    """
    WITH c AS (
        SELECT co.geom FROM countries co JOIN boundary_datasets d ON d.id = co.dataset_id
         WHERE d.active AND co.iso_a3 = 'SLE'),
    cells AS (
        SELECT x, y FROM generate_series(-13.4::numeric, -10.2, CAST(:step AS numeric)) x,
                         generate_series(6.85::numeric, 10.05, CAST(:step AS numeric)) y),
    inside AS (
        SELECT x::float8 AS x, y::float8 AS y,
               row_number() OVER (ORDER BY md5(x::text || y::text)) AS rn
          FROM cells, c
         WHERE ST_Contains(c.geom, ST_MakeEnvelope(x, y, x + :side, y + :side, 4326)))
    INSERT INTO licences (code, licence_type, status, commodities, holder_id, geom, area_ha,
                          received_at, granted_at, expires_at, notes, risk_reasons, version,
                          renewals)
    SELECT 'BENCH/' || rn,
           CASE WHEN rn % 20 = 0 THEN 'exploration' ELSE 'small_scale' END,
           (ARRAY['granted','granted','granted','application','suspended','refused',
                  'expired','granted','withdrawn','granted'])[1 + rn % 10],
           ARRAY['gold'], :holder,
           ST_Multi(ST_MakeEnvelope(x, y, x + :side, y + :side, 4326)),
           30.0, now() - (rn % 700) * interval '1 day',
           (now() - (rn % 700) * interval '1 day')::date,
           (now() + interval '3 years')::date, '{}', '{}', 1, 0
      FROM inside WHERE rn > :have AND rn <= :want
    """
)


def fill(engine, holder_id: int, have: int, want: int) -> int:
    """Bulk-insert synthetic licences up to ``want``; returns how many the register holds."""
    with engine.begin() as conn:
        conn.execute(
            FILL, {"step": STEP, "side": SIDE, "holder": holder_id, "have": have, "want": want}
        )
        have = conn.execute(text("SELECT count(*) FROM licences")).scalar_one()
    # a live register is vacuumed: visibility map and hint bits set, statistics fresh
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE licences"))
    return have


def probes(engine, rng: random.Random, n: int) -> list[tuple[str, object]]:
    """Areas to apply for: half in the free gaps between licences, half overlapping one."""
    from shapely.geometry import box

    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT ST_XMin(l.geom), ST_YMin(l.geom) FROM licences l "
                "JOIN countries c ON c.iso_a3 = 'SLE' "
                "JOIN boundary_datasets d ON d.id = c.dataset_id AND d.active "
                "WHERE l.status IN ('granted','application') "
                "AND ST_Contains(c.geom, ST_Translate(l.geom, :step, :step)) "
                "ORDER BY random() LIMIT :n"
            ),
            {"n": n, "step": STEP},
        ).all()
    out = []
    for i, (x, y) in enumerate(rows):
        if i % 2 == 0:  # in the gap east of a licence: free ground, 11 ha
            gx = x + SIDE + (STEP - SIDE) * 0.2
            out.append(("free", box(gx, y, gx + (STEP - SIDE) * 0.6, y + SIDE)))
        else:  # across a licence's corner: refused with 409
            out.append(
                ("overlap", box(x + SIDE * 0.6, y + SIDE * 0.6, x + SIDE * 1.1, y + SIDE * 1.1))
            )
    rng.shuffle(out)
    return out


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k] * 1000


def measure(engine, profile, holder_id: int, runs: int, rng: random.Random) -> dict:
    """Time the service call and the bare overlap query for the same areas."""
    service: dict[str, list[float]] = {"free": [], "overlap": []}
    bare: list[float] = []
    trip: list[float] = []
    types = exclusive_types(profile)
    for kind, shape in probes(engine, rng, runs):
        with Session(engine) as session:
            session.execute(text("SELECT 1"))
            t0 = time.perf_counter()
            session.execute(text("SELECT 1"))
            trip.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            session.execute(
                CONFLICTS_SQL,
                {
                    "wkt": shape.wkt,
                    "types": types,
                    "statuses": ["application", "granted", "suspended"],
                    "exclude": 0,
                    "min_m2": 0.01,
                },
            ).all()
            bare.append(time.perf_counter() - t0)
            session.rollback()
            t0 = time.perf_counter()
            try:
                register_application(
                    session,
                    profile,
                    holder_id=holder_id,
                    licence_type="small_scale",
                    commodities=["gold"],
                    geometry=shape,
                    actor="bench",
                )
                outcome = "free"
            except Conflict:
                outcome = "overlap"
            elapsed = time.perf_counter() - t0
            assert outcome == kind, (outcome, kind)
            service[kind].append(elapsed)
            session.rollback()
    return {"service": service, "bare": bare, "trip": trip}


def _load() -> str:
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> None:
    """Build the registers, measure, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_DATABASE_URL", DEFAULT_URL)
    settings = Settings.from_env(database_url=url)
    profile = load_profile(settings.profile)
    print(f"scratch database {make_url(url).database}: migrate, load boundaries", flush=True)
    recreate_database(url)
    upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        load_natural_earth(session, profile, settings.world_atlas)
        holder = Holder(name="Bench Mining Ltd", kind="company")
        session.add(holder)
        session.commit()
        holder_id = holder.id
    rng = random.Random(694)
    have = 0
    print(
        f"{'licences':>9} {'case':>8} {'median ms':>10} {'p99 ms':>8} "
        f"{'bare median ms':>15} {'ratio':>6} {'round trips':>11}",
        flush=True,
    )
    for size in (int(s) for s in args.sizes.split(",")):
        t0 = time.perf_counter()
        have = fill(engine, holder_id, have, size)
        print(f"# register of {have:,} licences built in {time.perf_counter() - t0:.1f} s")
        measure(engine, profile, holder_id, 20, rng)  # warm caches and the country shape
        result = measure(engine, profile, holder_id, args.runs, rng)
        floor = statistics.median(result["bare"]) * 1000
        trip = statistics.median(result["trip"]) * 1000
        for case, times in result["service"].items():
            med = statistics.median(times) * 1000
            print(
                f"{have:>9,} {case:>8} {med:>10.2f} {pct(times, 99):>8.2f} "
                f"{floor:>15.2f} {med / floor:>6.1f} {med / trip:>11.1f}",
                flush=True,
            )
        print(f"# one round trip (SELECT 1) median {trip:.3f} ms; load average {_load()}")
    engine.dispose()


if __name__ == "__main__":
    main()
