"""What falls due in the next N days at 100,000 licences: ``GET /api/deadlines`` and its SQL.

    .venv/bin/python -m bench.deadlines [--licences 100000] [--runs 200] [--keep] [--no-readme]

A scratch database (``CADASTRE_BENCH_DEADLINES_URL``, default ``cadastre_bench_deadlines``:
dropped, re-created, migrated) gets ``bench.charges_run``'s register (granted licences of the
five types, granted over the three years before 2026-12-01, expiring 4-5 years after the
grant, 10,000 holders); then every kind of deadline:

* **decisions**: ``bench.procedure_queue.place``: 15 % of the register become applications
  at a stage of their procedure, the undecided ones with a decision due day (about 40 % of
  them overdue);
* **obligations**: ``cadastre.services.obligations.run_obligations`` as of 2026-12-01 (one to
  three years of them per licence of the types carrying obligations, ~476,000 rows); then,
  as an office that keeps up would have it, those due more than 90 days before that day are
  waived except one in twenty (the backlog stays overdue), the rest left open;
* **payments**: one annual-charge order per licence in force, due between 60 days before and
  300 days after the as-of day; nine in ten of those past due paid;
* **notices**: one in a hundred licences in force with an unremedied notice issued 0-59
  days before, remedy period 30 days (about 40 % of them run out).

Renewal windows and expiries come from the licences' own dates and the profile's windows.

Then, in one process, request and floor alternating ``--runs`` times per case after a
warm-up (``bench.procedure_queue.measure``): the request through the whole Flask app (bearer
token, role guard, parameters, the two statements of ``queries.deadlines.falls_due``, JSON)
by the test client; the *floor* = every SQL statement that request sent (the token lookup
included), replayed with the same parameters on one psycopg connection. Median and p95
milliseconds, ratio request / floor. The query's plan (``EXPLAIN (ANALYZE, BUFFERS)`` of the
page statement) is checked for sequential scans of the big tables. The figures go into
bench/README.md between the ``deadlines`` markers, under "Deadlines (#19)".
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from datetime import datetime

from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from bench.charges_run import AS_OF, build, replace_section, vacuum
from bench.procedure_queue import Capture, measure, place, tokens
from cadastre.api import deadlines as deadlines_api
from cadastre.app import create_app
from cadastre.config import Settings
from cadastre.db import get_engine
from cadastre.profile import load_profile
from cadastre.queries.deadlines import falls_due
from cadastre.services.obligations import run_obligations

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_deadlines"

RESOLVE_OBLIGATIONS = text(
    """
    UPDATE licence_obligations
       SET status = 'waived', waiver_reason = 'bench: kept up', resolved_by = 'bench',
           resolved_at = now()
     WHERE status = 'open' AND due_on < CAST(:as_of AS date) - 90 AND id % 20 <> 0
    """
)
ORDERS = text(
    """
    INSERT INTO orders_to_pay (number, licence_id, holder_id, kind, key, amount, currency,
                               paid, raised_on, due_on, status, basis, raised_by, paid_on)
    SELECT 'DB/' || id, id, holder_id, 'annual_charge', 'bench:annual', 500 + id % 1000,
           'USD', CASE WHEN settled THEN 500 + id % 1000 ELSE 0 END, due - 30, due,
           CASE WHEN settled THEN 'paid' ELSE 'open' END, 'bench', 'bench',
           CASE WHEN settled THEN due END
      FROM (SELECT id, holder_id, CAST(:as_of AS date) - 60 + (id * 37) % 361 AS due,
                   CAST(:as_of AS date) - 60 + (id * 37) % 361 < CAST(:as_of AS date)
                   AND id % 10 <> 0 AS settled
              FROM licences WHERE status = 'granted') s
    """
)
NOTICES = text(
    """
    INSERT INTO licence_notices (licence_id, cause, breach, remedy_days, remedy_source,
                                 issued_at, issued_by, remedy_by)
    SELECT id, 'Failure to file the annual report', 'bench', 30, 'bench',
           CAST(:as_of AS date) - (id % 60), 'bench', CAST(:as_of AS date) - (id % 60) + 30
      FROM licences WHERE status = 'granted' AND id % 100 = 1
    """
)
COUNTS = text(
    """
    SELECT (SELECT count(*) FROM licences) AS licences,
           (SELECT count(*) FROM licences WHERE decision_due IS NOT NULL) AS decisions,
           (SELECT count(*) FROM licence_obligations WHERE status = 'open') AS obligations,
           (SELECT count(*) FROM licence_obligations) AS obligations_all,
           (SELECT count(*) FROM orders_to_pay WHERE status = 'open') AS orders,
           (SELECT count(*) FROM licence_notices WHERE remedied_at IS NULL) AS notices
    """
)
#: Relations whose sequential scan would make the query grow with the register.
BIG = ("licences", "licence_obligations", "orders_to_pay")


def populate(url: str, profile) -> None:
    """Every kind of deadline on the built register."""
    counts = place(url, profile, 15)
    print(f"  procedure: {counts}", flush=True)
    engine = create_engine(url)
    with Session(engine) as session:
        start = time.perf_counter()
        result = run_obligations(session, profile, AS_OF)
        session.commit()
        print(f"  obligations run ({time.perf_counter() - start:.1f} s): {result}", flush=True)
    with engine.begin() as conn:
        conn.execute(RESOLVE_OBLIGATIONS, {"as_of": AS_OF})
        conn.execute(ORDERS, {"as_of": AS_OF})
        conn.execute(NOTICES, {"as_of": AS_OF})
    vacuum(engine, "licences", "licence_obligations", "orders_to_pay", "licence_notices")
    engine.dispose()


def plans(url: str, profile) -> dict[str, list[str]]:
    """The big tables each case's statements scan sequentially (none: every branch indexed)."""
    engine = create_engine(url)
    seen: dict[str, list[str]] = {}
    statements: list[tuple[str, dict]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("WITH"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    with Session(engine) as session:
        for role in ("officer", "finance"):
            statements.clear()
            falls_due(session, profile, AS_OF, 30, role)
            found = []
            for statement, parameters in list(statements):
                cursor = session.connection().connection.cursor()
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                plan = "\n".join(r[0] for r in cursor.fetchall())
                found += [t for t in BIG if re.search(rf"Seq Scan on {t}\b", plan)]
            seen[role] = sorted(set(found))
    engine.dispose()
    return seen


class AsOf:
    """``datetime`` for the API module, its ``now`` the bench's as-of day."""

    @staticmethod
    def now(tz=None):
        return datetime.combine(AS_OF, datetime.min.time(), tz)


def cases(client, keys: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, path, role) per measured request."""
    head = {"Authorization": f"Bearer {keys['officer']}"}
    total = client.get("/api/deadlines?days=30&limit=1", headers=head).get_json()["total"]
    last = max(0, (total // 50 - 1) * 50)
    return [
        ("officer, 30 days, first page", "/api/deadlines?days=30", "officer"),
        ("officer, 30 days, last page", f"/api/deadlines?days=30&offset={last}", "officer"),
        ("officer, 366 days, first page", "/api/deadlines?days=366", "officer"),
        ("officer, 7 days, district=Kono", "/api/deadlines?days=7&district=Kono", "officer"),
        ("officer, 90 days, renewal_opens", "/api/deadlines?days=90&kind=renewal_opens", "officer"),
        ("finance, 30 days (payments)", "/api/deadlines?days=30", "finance"),
    ]


def run(url: str, licences: int, runs: int, keep: bool) -> tuple[dict, list[dict], dict]:
    settings = Settings.from_env(
        database_url=url, secret_key="bench", documents_dir=tempfile.mkdtemp(prefix="bench-")
    )
    profile = load_profile(settings.profile)
    if not keep:
        print(f"building {licences:,} licences in {url}", flush=True)
        build(url, licences, 10_000)
        populate(url, profile)
    with create_engine(url).connect() as conn:
        counts = dict(conn.execute(COUNTS).one()._mapping)
    print(f"  {counts}", flush=True)
    seq = plans(url, profile)
    print(f"  sequential scans of big tables: {seq}", flush=True)
    keys = tokens(url)
    app = create_app(settings)
    # the register's day, not the machine's: the bench's dates are laid around AS_OF
    deadlines_api.datetime = AsOf
    client = app.test_client()
    capture = Capture(get_engine(url))
    raw = create_engine(url).raw_connection()
    rows = []
    for name, path, role in cases(client, keys):
        row = {"case": name, "path": path, **measure(client, capture, raw, path, keys[role], runs)}
        row["ratio"] = row["median"] / row["floor"]
        print(
            f"{name:<34} total {row['total']:>7,} items {row['items']:>3} "
            f"median {row['median']:6.2f} ms (p95 {row['p95']:6.2f}); floor {row['floor']:5.2f} "
            f"ms ({row['statements']} statements); ratio {row['ratio']:.1f}",
            flush=True,
        )
        rows.append(row)
    raw.close()
    return counts, rows, seq


def table(rows: list[dict]) -> str:
    out = [
        "| request | deadlines | items | median ms | p95 ms | floor median ms (p95) "
        "| request / floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| `{r['path']}` ({r['case']}) | {r['total']:,} | {r['items']} | {r['median']:.2f} "
            f"| {r['p95']:.2f} | {r['floor']:.2f} ({r['floor_p95']:.2f}) | {r['ratio']:.1f} |"
        )
    return "\n".join(out)


SECTION = """
### What falls due (`python -m bench.deadlines`)

{licences:,} licences; {decisions:,} decisions pending, {obligations:,} open obligations (of
{obligations_all:,}), {orders:,} open orders to pay, {notices:,} unremedied notices; today =
{as_of}; {runs} runs per request. Sequential scans of the big tables in the plans: {seq}.

{table}

Load average {load}. Measured {when}.
"""


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse the built scratch database")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_DEADLINES_URL", DEFAULT_URL)
    counts, rows, seq = run(url, args.licences, args.runs, args.keep)
    if not args.no_readme:
        none = not any(seq.values())
        replace_section(
            "deadlines",
            SECTION.format(
                **counts,
                as_of=AS_OF.isoformat(),
                runs=args.runs,
                seq="none" if none else seq,
                table=table(rows),
                load=", ".join(f"{x:.1f}" for x in os.getloadavg()),
                when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            ),
        )


if __name__ == "__main__":
    main()
