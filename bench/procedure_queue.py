"""The procedure's queues at 100,000 licences: ``GET /api/queue`` pages against their SQL.

    /work/main/.venv/bin/python -m bench.procedure_queue [--licences 100000] [--waiting 15]
        [--runs 300] [--keep] [--no-readme]

A scratch database (``CADASTRE_BENCH_PROCEDURE_URL``, default ``cadastre_bench_procedure``:
dropped, re-created, migrated) gets ``bench.charges_run``'s register (granted licences of the
five types on a grid, 10,000 holders); then ``--waiting`` per cent of them (chosen by a hash
of the id, so every type and district share) become applications in their type's procedure,
each at one of its stages: received 0-149 days ago, undecided ones (before the stage that
stops the clock) ``application`` with ``decision_due`` = received + the clock's days, decided
ones ``approved`` with no due day. So about 40 % of the undecided are overdue. The stage rows
(``licence_stages``) are not written: no queue reads them.

Then, in one process, alternating request and floor ``--runs`` times per case after a
warm-up: the request through the whole Flask app (bearer token, role guard, query
parameters, the two statements of ``queries.queue.queue_page``, JSON) by the test client, no
sockets; the *floor* = the SQL statements that request sent to PostgreSQL (captured from the
engine, every one: the token lookup and ``last_used_at`` update included), replayed with the
same parameters on one psycopg connection. Median and p95 milliseconds, ratio request /
floor. The officer's ``/queue`` web page is not on main yet, so only the API is timed.
The figures go into bench/README.md between the ``procedure_queue`` markers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from bench.charges_run import build, replace_section, vacuum
from cadastre.app import create_app
from cadastre.config import Settings
from cadastre.db import get_engine
from cadastre.profile import load_profile
from cadastre.services.users import add_user

DEFAULT_URL = "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_procedure"
ROLES = ("officer", "supervisor", "finance")

#: One type's share of the register put in its procedure, at stage ``1 + (id * 31) % n``.
WAIT = text(
    """
    UPDATE licences
       SET stage = (CAST(:names AS text[]))[1 + (id * 31) % :n],
           status = CASE WHEN 1 + (id * 31) % :n <= :decided_at THEN 'application'
                         ELSE 'approved' END,
           received_at = now() - ((id * 13) % 150) * interval '1 day',
           decision_due = CASE WHEN 1 + (id * 31) % :n <= :decided_at
                               THEN (now() - ((id * 13) % 150) * interval '1 day')::date + :days
                          END,
           granted_at = NULL, expires_at = NULL, version = version + 1
     WHERE licence_type = :t AND (id * 7919) % 100 < :share
    """
)
#: Districts for the filter: the register's grid in four bands of longitude.
DISTRICTS = text(
    """
    UPDATE licences SET district = (ARRAY['Kambia', 'Bo', 'Kenema', 'Kono'])[
        1 + least(3, floor((ST_XMin(geom) + 13.0) / 0.6))::int]
    """
)


def place(url: str, profile, share: int) -> dict:
    """Put ``share`` per cent of the register in its procedures; counts by queue."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for licence_type, procedure in profile.procedures.items():
            names = [s.name for s in procedure.stages]
            conn.execute(
                WAIT,
                {
                    "names": names,
                    "n": len(names),
                    "decided_at": procedure.position(procedure.clock.until),
                    "days": procedure.clock.days,
                    "t": licence_type,
                    "share": share,
                },
            )
        conn.execute(DISTRICTS)
        counts = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE stage IS NOT NULL) AS waiting, "
                "count(*) FILTER (WHERE decision_due < current_date) AS overdue, "
                "count(*) AS licences FROM licences"
            )
        ).one()
    vacuum(engine, "licences")
    engine.dispose()
    return dict(counts._mapping)


def tokens(url: str) -> dict[str, str]:
    """A user and API token per role."""
    engine = create_engine(url)
    with Session(engine) as session:
        tag = time.strftime("%H%M%S")
        out = {role: add_user(session, f"bench-{role}-{tag}", role)[1] for role in ROLES}
        session.commit()
    engine.dispose()
    return out


class Capture:
    """The statements an engine sends while ``on``."""

    def __init__(self, engine):
        self.on, self.calls = False, []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.calls.append((statement, parameters))


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(client, capture, raw, path: str, token: str, runs: int) -> dict:
    """Request and floor, alternating; milliseconds."""
    headers = {"Authorization": f"Bearer {token}"}
    capture.calls, capture.on = [], True
    first = client.get(path, headers=headers)
    capture.on = False
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    calls = list(capture.calls)
    server, floor = [], []
    cursor = raw.cursor()
    for i in range(runs + 10):
        start = time.perf_counter()
        r = client.get(path, headers=headers)
        took = time.perf_counter() - start
        assert r.status_code == 200
        start = time.perf_counter()
        for statement, parameters in calls:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        raw.commit()
        bare = time.perf_counter() - start
        if i >= 10:
            server.append(took * 1000)
            floor.append(bare * 1000)
    return {
        "total": body["total"],
        "items": len(body["items"]),
        "statements": len(calls),
        "median": statistics.median(server),
        "p95": pct(server, 95),
        "floor": statistics.median(floor),
        "floor_p95": pct(floor, 95),
    }


def cases(client, keys: dict[str, str]) -> list[tuple[str, str, str]]:
    """(name, path, role) per measured request; deep pages at the queue's last full page."""

    def total(query: str, role: str) -> int:
        r = client.get(
            f"/api/queue?{query}&limit=1", headers={"Authorization": f"Bearer {keys[role]}"}
        )
        return r.get_json()["total"]

    def last_page(query: str, role: str) -> int:
        return max(0, (total(query, role) // 50 - 1) * 50)

    mine, overdue = "queue=mine", "queue=overdue"
    return [
        ("mine, officer, first page", f"/api/queue?{mine}", "officer"),
        (
            "mine, officer, last page",
            f"/api/queue?{mine}&offset={last_page(mine, 'officer')}",
            "officer",
        ),
        ("mine, supervisor, first page", f"/api/queue?{mine}", "supervisor"),
        ("mine, finance, first page", f"/api/queue?{mine}", "finance"),
        ("mine, officer, district=Kono", f"/api/queue?{mine}&district=Kono", "officer"),
        ("overdue, first page", f"/api/queue?{overdue}", "officer"),
        (
            "overdue, last page",
            f"/api/queue?{overdue}&offset={last_page(overdue, 'officer')}",
            "officer",
        ),
        ("overdue, limit=500", f"/api/queue?{overdue}&limit=500", "officer"),
    ]


def run(url: str, licences: int, share: int, runs: int, keep: bool) -> tuple[dict, list[dict]]:
    settings = Settings.from_env(
        database_url=url, secret_key="bench", documents_dir=tempfile.mkdtemp(prefix="bench-")
    )
    profile = load_profile(settings.profile)
    if not keep:
        print(f"building {licences:,} licences in {url}", flush=True)
        build(url, licences, 10_000)
        counts = place(url, profile, share)
    else:
        with create_engine(url).connect() as conn:
            counts = dict(
                conn.execute(
                    text(
                        "SELECT count(*) FILTER (WHERE stage IS NOT NULL) AS waiting, "
                        "count(*) FILTER (WHERE decision_due < current_date) AS overdue, "
                        "count(*) AS licences FROM licences"
                    )
                )
                .one()
                ._mapping
            )
    print(f"  {counts}", flush=True)
    keys = tokens(url)
    app = create_app(settings)
    client = app.test_client()
    capture = Capture(get_engine(url))
    raw = create_engine(url).raw_connection()
    rows = []
    for name, path, role in cases(client, keys):
        row = {"case": name, "path": path, **measure(client, capture, raw, path, keys[role], runs)}
        row["ratio"] = row["median"] / row["floor"]
        print(
            f"{name:<32} total {row['total']:>6,} items {row['items']:>3} "
            f"median {row['median']:6.2f} ms (p95 {row['p95']:6.2f}); floor {row['floor']:5.2f} "
            f"ms ({row['statements']} statements); ratio {row['ratio']:.1f}",
            flush=True,
        )
        rows.append(row)
    raw.close()
    return counts, rows


def table(rows: list[dict]) -> str:
    out = [
        "| request | files in the queue | items | median ms | p95 ms | floor median ms (p95) "
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
### The queues (`python -m bench.procedure_queue`)

{licences:,} licences, {waiting:,} waiting at a stage of their procedure, {overdue:,} of them
past their decision's due day; {runs} runs per request.

{table}

Load average {load}. Measured {when}.
"""


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--waiting", type=int, default=15, help="per cent of the register")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="reuse the built scratch database")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get("CADASTRE_BENCH_PROCEDURE_URL", DEFAULT_URL)
    counts, rows = run(url, args.licences, args.waiting, args.runs, args.keep)
    if not args.no_readme:
        replace_section(
            "procedure_queue",
            SECTION.format(
                **counts,
                runs=args.runs,
                table=table(rows),
                load=", ".join(f"{x:.1f}" for x in os.getloadavg()),
                when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            ),
        )


if __name__ == "__main__":
    main()
