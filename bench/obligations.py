"""``cadastre obligations run`` over 100,000 licences in force, and checking them: the second
(idempotent) run and the overdue questions the pages ask.

    .venv/bin/python -m bench.obligations [--licences 100000] [--holders 10000] [--no-readme]

A scratch database (``CADASTRE_BENCH_OBLIGATIONS_URL``, default
``cadastre_bench_obligations``: dropped, re-created, migrated) gets the same register as
``bench.charges_run`` (``bench.charges_run.build``: granted licences of the five types,
granted over the three years before the as-of day, expiring 4-5 years after the grant). Then:

* **first**: ``cadastre.services.obligations.run_obligations`` (what ``cadastre obligations
  run`` calls) in one committed transaction: every period begun by the as-of day generated;
* **again**: the same call a second time (idempotent: generates nothing);
* **overdue count**: the number of open obligations past their due day (the run's summary,
  a dashboard's figure);
* **overdue page**: the 50 most overdue obligations with their licence's code (the list a
  dashboard shows), and one licence's obligations (the licence page).

The figures go into bench/README.md between the ``obligations`` markers, under
"Obligations (#19)".
"""

from __future__ import annotations

import argparse
import os
import time

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.border_recompute import backend_cpu
from bench.charges_run import AS_OF, build, replace_section, vacuum
from cadastre.config import Settings
from cadastre.profile import load_profile
from cadastre.services.obligations import licence_obligations, run_obligations

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_obligations"
OVERDUE_COUNT = text(
    "SELECT count(*) FROM licence_obligations WHERE status = 'open' AND due_on < :today"
)
OVERDUE_PAGE = text(
    """
    SELECT o.id, o.label, o.due_on, l.code FROM licence_obligations o
      JOIN licences l ON l.id = o.licence_id
     WHERE o.status = 'open' AND o.due_on < :today
     ORDER BY o.due_on, o.id LIMIT 50
    """
)


def timed_run(engine, profile) -> dict:
    """One committed ``run_obligations``: wall, Python CPU and backend CPU seconds."""
    with Session(engine) as session:
        cpu_db = backend_cpu(session)
        cpu_py = time.process_time()
        start = time.perf_counter()
        result = run_obligations(session, profile, AS_OF, progress=_progress)
        session.commit()
        wall = time.perf_counter() - start
        py = time.process_time() - cpu_py
        after = backend_cpu(session)
        db = None if after is None or cpu_db is None else after - cpu_db
    return {"wall": wall, "py": py, "db": db, "result": result}


def _progress(done: int, total: int) -> None:
    print(f"    inserted {done:,}/{total:,} obligations", flush=True)


def best_ms(engine, fn, runs: int = 20) -> float:
    """The best of ``runs`` timings of ``fn(session)``, in milliseconds."""
    times = []
    with Session(engine) as session:
        for _ in range(runs):
            start = time.perf_counter()
            fn(session)
            times.append((time.perf_counter() - start) * 1000)
    return min(times)


def run(url: str, licences: int, holders: int) -> dict:
    """Build, time the two runs and the checks; return the figures."""
    print(f"building {licences:,} licences, {holders:,} holders in {url}", flush=True)
    build(url, licences, holders)
    profile = load_profile(Settings.from_env(database_url=url).profile)
    engine = create_engine(url)
    print("obligations run (first)", flush=True)
    first = timed_run(engine, profile)
    with engine.connect() as conn:
        stored = conn.scalar(text("SELECT count(*) FROM licence_obligations"))
    assert stored == first["result"].generated, (stored, first["result"].generated)
    vacuum(engine, "licence_obligations")
    print("obligations run (again)", flush=True)
    again = timed_run(engine, profile)
    assert again["result"].generated == 0, again["result"].generated
    with engine.connect() as conn:
        some = conn.scalar(text("SELECT min(licence_id) FROM licence_obligations"))
    count_ms = best_ms(engine, lambda s: s.execute(OVERDUE_COUNT, {"today": AS_OF}).scalar())
    page_ms = best_ms(engine, lambda s: s.execute(OVERDUE_PAGE, {"today": AS_OF}).all())
    licence_ms = best_ms(engine, lambda s: licence_obligations(s, some))
    engine.dispose()
    row = {
        "licences": first["result"].licences,
        "generated": first["result"].generated,
        "by_kind": first["result"].by_kind,
        "overdue": first["result"].overdue,
        "first": first,
        "again": again,
        "count_ms": count_ms,
        "page_ms": page_ms,
        "licence_ms": licence_ms,
        "load": os.getloadavg(),
    }
    print(summary(row), flush=True)
    return row


def _s(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def summary(r: dict) -> str:
    f, a = r["first"], r["again"]
    return (
        f"{r['licences']:,} licences with obligations: first run {f['wall']:.1f} s (Python CPU "
        f"{f['py']:.1f} s, backend CPU {_s(f['db'])} s), {r['generated']:,} obligations; again "
        f"{a['wall']:.1f} s; overdue {r['overdue']:,}: count {r['count_ms']:.1f} ms, page of 50 "
        f"{r['page_ms']:.1f} ms, one licence's {r['licence_ms']:.1f} ms; load {r['load'][0]:.1f}"
    )


def table(r: dict) -> str:
    """The figures as a markdown table."""
    f, a = r["first"], r["again"]
    return "\n".join(
        [
            "| licences checked | obligations generated | first run s (Python CPU, backend "
            "CPU) | again s (Python CPU, generated) | overdue | count ms | page of 50 ms | "
            "one licence ms |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {r['licences']:,} | {r['generated']:,} | {f['wall']:.1f} ({f['py']:.1f}, "
            f"{_s(f['db'])}) | {a['wall']:.1f} ({a['py']:.1f}, {a['result'].generated}) | "
            f"{r['overdue']:,} | {r['count_ms']:.1f} | {r['page_ms']:.1f} | "
            f"{r['licence_ms']:.1f} |",
        ]
    )


SECTION = """
### `cadastre obligations run` (`python -m bench.obligations --licences {n}`)

{table}

{n:,} licences in the register (the charges bench's: five types, granted over the three years
before {as_of}); {checked:,} of them of the types carrying obligations. Generated by kind:
{kinds}. Load average {load}. Measured {when}.
"""


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--holders", type=int, default=10_000)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_OBLIGATIONS_URL", DEFAULT_URL)
    row = run(url, args.licences, args.holders)
    if not args.no_readme:
        section = SECTION.format(
            n=args.licences,
            table=table(row),
            as_of=AS_OF.isoformat(),
            checked=row["licences"],
            kinds=", ".join(f"{k} {v:,}" for k, v in sorted(row["by_kind"].items())),
            load=", ".join(f"{x:.1f}" for x in row["load"]),
            when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        )
        replace_section("obligations", section)
        print("figures written to bench/README.md")


if __name__ == "__main__":
    main()
