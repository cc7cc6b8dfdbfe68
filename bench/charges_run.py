"""``cadastre charges run`` over 100,000 granted licences, against a bare INSERT ... SELECT.

    /work/main/.venv/bin/python -m bench.charges_run [--licences 100000] [--holders 10000]
        [--profile-run] [--no-readme]

A scratch database (``CADASTRE_BENCH_MONEY_URL``, default ``cadastre_bench_money``: dropped,
re-created, migrated) gets, in one ``INSERT ... SELECT generate_series`` each, the holders
and the granted licences of mixed types (small squares on a grid, granted over the three
years before the as-of day, so each has 1 to 3 years of term due and none raised yet).
Then, in the same run:

* **first**: ``cadastre.services.charges.run_charges`` (what ``cadastre charges run``
  calls) in one committed transaction: every year due raised as an order with its ledger
  event;
* **again**: the same call a second time (idempotent: raises nothing);
* **floor**: one bare ``INSERT INTO ... SELECT`` of the same number of order rows (the same
  licences and periods, a fixed amount, no schedule, no ledger, no order numbers drawn)
  into a table of the same shape (``LIKE orders_to_pay INCLUDING ALL``), committed.

The figures go into bench/README.md between the ``charges_run`` markers.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.border_recompute import backend_cpu
from cadastre.config import Settings
from cadastre.db import recreate_database
from cadastre.migrate import upgrade
from cadastre.profile import load_profile
from cadastre.services.charges import run_charges

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_money"
README = Path(__file__).with_name("README.md")
AS_OF = date(2026, 12, 1)
TYPES = "ARRAY['artisanal','small_scale','exploration','large_scale','reconnaissance']"

HOLDERS = text(
    """
    INSERT INTO holders (name, kind, registration_number)
    SELECT 'Bench Holder ' || g, (ARRAY['company','individual','cooperative'])[1 + g % 3],
           'BH-' || g
      FROM generate_series(1, :n) g
    """
)

#: Granted licences: type by ``g % 5``; granted 0-1094 days before the as-of day, so 1 to 3
#: years of term have begun; expiring 4-5 years after the grant (beyond the as-of day).
#: Holder: the first ``heavy`` licences go to the first holder, the rest round the others.
LICENCES = text(
    f"""
    INSERT INTO licences (code, licence_type, status, commodities, holder_id, geom, area_ha,
                          received_at, granted_at, expires_at, renewals, notes, version,
                          risk_reasons)
    SELECT 'CH/' || g, t, 'granted', ARRAY['gold']::varchar[],
           CASE WHEN g <= :heavy THEN h0 ELSE h0 + 1 + g % (:holders - 1) END,
           ST_Multi(ST_MakeEnvelope(x, y, x + 0.004, y + 0.004, 4326)),
           CASE t WHEN 'artisanal' THEN 2.5 WHEN 'small_scale' THEN 19.7 + g % 100
                  WHEN 'exploration' THEN 1200 + g % 9000 WHEN 'large_scale' THEN 9000 + g % 40000
                  ELSE 50000 END,
           granted, granted, (granted + interval '4 years' + (g % 365) * interval '1 day')::date,
           0, '{{}}', 1, '{{}}'
      FROM (SELECT g, h0, ({TYPES})[1 + g % 5] AS t,
                   -13.0 + (g % 400) * 0.006 AS x, 7.2 + (g / 400) * 0.006 AS y,
                   CAST(:as_of AS date) - (g * 7919) % 1095 AS granted
              FROM generate_series(1, :n) g, (SELECT min(id) AS h0 FROM holders) h) s
    """
)

FLOOR_TABLE = "bench_floor_orders"
FLOOR = f"""
INSERT INTO {FLOOR_TABLE} (number, licence_id, holder_id, kind, key, year_of_term,
                           period_start, period_end, amount, currency, paid, raised_on, due_on,
                           status, basis, schedule_from, raised_by)
SELECT 'FL/' || l.id || '/' || k, l.id, l.holder_id, 'annual_charge', 'annual:' || k, k,
       (l.granted_at + (k - 1) * interval '1 year')::date,
       (l.granted_at + k * interval '1 year')::date, 1500.00, 'SLE', 0, CAST(:as_of AS date),
       (l.granted_at + (k - 1) * interval '1 year')::date, 'open', 'bench floor',
       DATE '2023-05-12', 'system'
  FROM licences l CROSS JOIN generate_series(1, 3) k
 WHERE l.status = 'granted' AND l.granted_at + (k - 1) * interval '1 year' <= :as_of
"""


def build(url: str, licences: int, holders: int, heavy: int = 0) -> None:
    """A fresh scratch database with ``holders`` holders and ``licences`` granted licences."""
    recreate_database(url)
    upgrade(url)
    engine = create_engine(url)
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(HOLDERS, {"n": holders})
        print(f"  {holders:,} holders", flush=True)
        conn.execute(
            LICENCES,
            {"n": licences, "holders": holders, "heavy": heavy, "as_of": AS_OF},
        )
        print(f"  {licences:,} licences ({time.perf_counter() - start:.1f} s)", flush=True)
    vacuum(engine, "holders", "licences")
    engine.dispose()


def vacuum(engine, *tables: str) -> None:
    """VACUUM ANALYZE, outside a transaction."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in tables:
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def timed_run(engine, profile, *, profiled: bool = False) -> dict:
    """One committed ``run_charges``: wall, Python CPU and backend CPU seconds, the result."""
    with Session(engine) as session:
        cpu_db = backend_cpu(session)
        cpu_py = time.process_time()
        prof = cProfile.Profile() if profiled else None
        start = time.perf_counter()
        if prof:
            prof.enable()
        result = run_charges(session, profile, AS_OF, progress=_progress)
        session.commit()
        if prof:
            prof.disable()
        wall = time.perf_counter() - start
        py = time.process_time() - cpu_py
        db = _minus(backend_cpu(session), cpu_db)
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return {"wall": wall, "py": py, "db": db, "result": result}


def _progress(done: int, total: int) -> None:
    print(f"    inserted {done:,}/{total:,} orders", flush=True)


def _minus(after, before):
    return None if after is None or before is None else after - before


def timed_floor(engine) -> dict:
    """The bare INSERT ... SELECT of the same order rows into a same-shaped table."""
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {FLOOR_TABLE}"))
        conn.execute(text(f"CREATE TABLE {FLOOR_TABLE} (LIKE orders_to_pay INCLUDING ALL)"))
    with Session(engine) as session:
        cpu_db = backend_cpu(session)
        start = time.perf_counter()
        rows = session.execute(text(FLOOR), {"as_of": AS_OF}).rowcount
        session.commit()
        wall = time.perf_counter() - start
        db = _minus(backend_cpu(session), cpu_db)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {FLOOR_TABLE}"))
    return {"wall": wall, "db": db, "rows": rows}


def check_ledger(engine, raised: int) -> int:
    """Every order raised has exactly one ``order_raised`` ledger event naming it."""
    with engine.connect() as conn:
        orders = conn.scalar(text("SELECT count(*) FROM orders_to_pay"))
        events = conn.scalar(
            text(
                "SELECT count(DISTINCT e.after ->> 'order') FROM ledger_events e "
                "JOIN orders_to_pay o ON o.number = e.after ->> 'order' "
                "WHERE e.action = 'order_raised'"
            )
        )
        total = conn.scalar(text("SELECT count(*) FROM ledger_events"))
    assert orders == raised == events == total, (orders, raised, events, total)
    return events


def run(url: str, licences: int, holders: int, profiled: bool) -> dict:
    """Build, time the two runs and the floor; return the figures."""
    print(f"building {licences:,} licences, {holders:,} holders in {url}", flush=True)
    build(url, licences, holders)
    settings = Settings.from_env(database_url=url)
    profile = load_profile(settings.profile)
    engine = create_engine(url)
    print("charges run (first)", flush=True)
    first = timed_run(engine, profile, profiled=profiled)
    raised = first["result"].raised
    events = check_ledger(engine, raised)
    vacuum(engine, "orders_to_pay", "ledger_events")
    print("charges run (again)", flush=True)
    again = timed_run(engine, profile)
    assert again["result"].raised == 0, again["result"].raised
    print("floor: bare INSERT ... SELECT", flush=True)
    floor = timed_floor(engine)
    assert floor["rows"] == raised, (floor["rows"], raised)
    engine.dispose()
    row = {
        "licences": first["result"].licences,
        "raised": raised,
        "events": events,
        "totals": first["result"].as_dict()["totals"],
        "first": first,
        "again": again,
        "floor": floor,
        "load": os.getloadavg(),
    }
    print(summary(row), flush=True)
    return row


def _s(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def summary(r: dict) -> str:
    f, a, fl = r["first"], r["again"], r["floor"]
    return (
        f"{r['licences']:,} licences: first run {f['wall']:.1f} s (Python CPU {f['py']:.1f} s, "
        f"backend CPU {_s(f['db'])} s), {r['raised']:,} orders, {r['events']:,} ledger events; "
        f"again {a['wall']:.1f} s, {a['result'].raised} raised; floor {fl['wall']:.2f} s "
        f"({fl['rows']:,} rows); first/floor {f['wall'] / fl['wall']:.1f}, "
        f"again/floor {a['wall'] / fl['wall']:.1f}; load {r['load'][0]:.1f}"
    )


def table(r: dict) -> str:
    """The figures as a markdown table."""
    f, a, fl = r["first"], r["again"], r["floor"]
    return "\n".join(
        [
            "| licences | orders raised (= ledger events) | first run s (Python CPU, backend "
            "CPU) | again s (raised) | floor s (CPU) | first / floor | again / floor |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['licences']:,} | {r['raised']:,} | {f['wall']:.1f} ({f['py']:.1f}, "
            f"{_s(f['db'])}) | {a['wall']:.1f} ({a['result'].raised}) | {fl['wall']:.2f} "
            f"({_s(fl['db'])}) | {f['wall'] / fl['wall']:.1f} | {a['wall'] / fl['wall']:.1f} |",
        ]
    )


def replace_section(name: str, section: str) -> None:
    """Put ``section`` between this benchmark's markers in bench/README.md (appended under
    the "Money (#17)" heading, or at the end, the first time)."""
    body = README.read_text(encoding="utf-8")
    block = f"<!-- {name}:start -->\n{section.strip()}\n<!-- {name}:end -->"
    pattern = re.compile(rf"<!-- {name}:start -->.*<!-- {name}:end -->", re.S)
    if pattern.search(body):
        body = pattern.sub(lambda _: block, body)
    else:
        body = body.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(body, encoding="utf-8")


SECTION = """
### `cadastre charges run` (`python -m bench.charges_run --licences {n}`)

{table}

As of {as_of}; totals raised {totals}. Load average {load}. Measured {when}.
"""


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--profile-run", action="store_true", help="cProfile the first run")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_MONEY_URL", DEFAULT_URL)
    row = run(url, args.licences, args.holders, args.profile_run)
    if not args.no_readme:
        section = SECTION.format(
            n=args.licences,
            table=table(row),
            as_of=AS_OF.isoformat(),
            totals=", ".join(f"{v} {c}" for c, v in row["totals"].items()),
            load=", ".join(f"{x:.1f}" for x in row["load"]),
            when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        )
        replace_section("charges_run", section)
        print(f"figures written to {README}")


if __name__ == "__main__":
    main()
