"""A holder's statement at 100,000 licences and 1,000,000 ledger entries, against a bare
SELECT of the holder's orders.

    /work/main/.venv/bin/python -m bench.holder_statement [--licences 100000] [--runs 300]
        [--keep] [--no-readme]

A scratch database (``CADASTRE_BENCH_MONEY_URL``, default ``cadastre_bench_money``: dropped,
re-created, migrated) gets ``bench.charges_run``'s register (10,000 holders; the first
1,000 licences belong to one heavy holder, the others about ten to a holder), then in bulk
(``INSERT ... SELECT``): six orders per licence (the application fee and five years of
annual charge), the first four paid by one payment each (with its allocation), and one
ledger event per order raised and per payment recorded: 600,000 + 400,000 = 1,000,000
ledger entries, written through the history chain's trigger in statements of 100,000.
``--keep`` reuses that database if it is already filled.

Then ``cadastre.services.statements.holder_statement`` (what ``GET
/api/holders/{id}/statement`` returns) for a typical holder (10 licences: 60 orders, 40
payments) and the heavy one (1,000 licences: 6,000 orders, 4,000 payments), each call in a
fresh session, against the floor: one bare ``SELECT`` of the holder's orders by its index.
The figures go into bench/README.md between the ``holder_statement`` markers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bench.charges_run import AS_OF, build, replace_section, vacuum
from cadastre.models import Holder
from cadastre.services.statements import holder_statement

HEAVY = 1_000
STEP = 100_000

ORDERS = text(
    """
    INSERT INTO orders_to_pay (number, licence_id, holder_id, kind, key, year_of_term,
                               period_start, period_end, amount, currency, paid, raised_on,
                               due_on, status, basis, schedule_from, raised_by, paid_on)
    SELECT 'OP/B/' || l.id || '/' || k, l.id, l.holder_id,
           CASE WHEN k = 0 THEN 'application' ELSE 'annual_charge' END,
           CASE WHEN k = 0 THEN 'application' ELSE 'annual:' || k END, nullif(k, 0),
           CASE WHEN k > 0 THEN d END, CASE WHEN k > 0 THEN (d + interval '1 year')::date END,
           a, 'SLE', CASE WHEN k < 4 THEN a ELSE 0 END, d, d + 30,
           CASE WHEN k < 4 THEN 'paid' ELSE 'open' END,
           'year ' || k || ': ' || a || ' SLE per licence', DATE '2023-05-12', 'bench',
           CASE WHEN k < 4 THEN d + 10 END
      FROM licences l CROSS JOIN generate_series(0, 5) k
     CROSS JOIN LATERAL (SELECT (l.granted_at - interval '3 years'
                                 + greatest(k - 1, 0) * interval '1 year')::date AS d,
                                1500.00 + (l.id % 7) * 250 AS a) v
     ORDER BY l.id, k
    """
)

PAYMENTS = text(
    """
    INSERT INTO payments (holder_id, licence_id, amount, currency, paid_on, bank,
                          receipt_number, unallocated, recorded_by)
    SELECT holder_id, licence_id, amount, currency, paid_on, 'Rokel Commercial Bank',
           'R-' || id, 0, 'bench'
      FROM orders_to_pay WHERE status = 'paid' ORDER BY id
    """
)

ALLOCATIONS = text(
    """
    INSERT INTO payment_allocations (payment_id, order_id, amount)
    SELECT p.id, o.id, p.amount
      FROM payments p JOIN orders_to_pay o ON p.receipt_number = 'R-' || o.id
    """
)

#: One ledger event per order raised (ids ``lo < id <= hi``), shaped like the service's.
ORDER_EVENTS = text(
    """
    INSERT INTO ledger_events (holder_id, licence_id, action, actor, at, after)
    SELECT o.holder_id, o.licence_id, 'order_raised', 'bench', o.raised_on,
           jsonb_build_object(
               'order', o.number, 'kind', o.kind, 'licence_id', o.licence_id,
               'licence', l.code, 'amount', to_char(o.amount, 'FM9999999999999990.00'),
               'currency', o.currency, 'paid', '0.00', 'status', 'open', 'due_on', o.due_on,
               'period', CASE WHEN o.period_start IS NOT NULL
                              THEN jsonb_build_array(o.period_start, o.period_end) END,
               'basis', o.basis)
      FROM orders_to_pay o JOIN licences l ON l.id = o.licence_id
     WHERE o.id > :lo AND o.id <= :hi
     ORDER BY o.id
    """
)

PAYMENT_EVENTS = text(
    """
    INSERT INTO ledger_events (holder_id, licence_id, action, actor, at, after)
    SELECT p.holder_id, p.licence_id, 'payment_recorded', 'bench', p.paid_on,
           jsonb_build_object(
               'payment_id', p.id, 'receipt_number', p.receipt_number,
               'licence_id', p.licence_id, 'amount', to_char(p.amount, 'FM9999999999999990.00'),
               'currency', p.currency, 'paid_on', p.paid_on, 'bank', p.bank,
               'unallocated', '0.00', 'reverses_id', NULL,
               'allocations', jsonb_build_array(jsonb_build_object(
                   'order', o.number, 'amount', to_char(p.amount, 'FM9999999999999990.00'),
                   'status', 'paid')))
      FROM payments p JOIN payment_allocations a ON a.payment_id = p.id
      JOIN orders_to_pay o ON o.id = a.order_id
     WHERE p.id > :lo AND p.id <= :hi
     ORDER BY p.id
    """
)

FLOOR = text("SELECT * FROM orders_to_pay WHERE holder_id = :h ORDER BY due_on, id")


def fill(engine) -> None:
    """Orders, payments, allocations, then the ledger through the chain, with progress."""
    start = time.perf_counter()
    with engine.begin() as conn:
        orders = conn.execute(ORDERS).rowcount
        payments = conn.execute(PAYMENTS).rowcount
        conn.execute(ALLOCATIONS)
    print(
        f"  {orders:,} orders, {payments:,} payments and allocations "
        f"({time.perf_counter() - start:.1f} s)",
        flush=True,
    )
    vacuum(engine, "orders_to_pay", "payments", "payment_allocations")
    done, total, ledger_start = 0, orders + payments, time.perf_counter()
    for sql, count in ((ORDER_EVENTS, orders), (PAYMENT_EVENTS, payments)):
        for lo in range(0, count, STEP):
            with engine.begin() as conn:
                done += conn.execute(sql, {"lo": lo, "hi": lo + STEP}).rowcount
            rate = done / (time.perf_counter() - ledger_start)
            print(f"  ledger {done:,}/{total:,} through the chain ({rate:,.0f}/s)", flush=True)
    vacuum(engine, "ledger_events")


def filled(engine) -> bool:
    """True when the scratch database already holds the bench's million entries."""
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM ledger_events")) >= 1_000_000
    except Exception:  # noqa: BLE001 - no database, or not migrated: build it
        return False


def holders(engine) -> dict[str, int]:
    """The heavy holder and a typical one (exactly ten licences)."""
    with engine.connect() as conn:
        heavy = conn.scalar(
            text("SELECT holder_id FROM licences GROUP BY holder_id ORDER BY count(*) DESC LIMIT 1")
        )
        typical = conn.scalar(
            text(
                "SELECT holder_id FROM licences GROUP BY holder_id "
                "ORDER BY abs(count(*) - 10), holder_id LIMIT 1 OFFSET 17"
            )
        )
    return {"typical": typical, "heavy": heavy}


def timings(engine, holder_id: int, runs: int) -> dict:
    """Statement and floor, alternating, ``runs`` times each after a warm-up."""
    service, floor = [], []
    entries = None
    for i in range(runs + 5):
        with Session(engine) as session:
            holder = session.get(Holder, holder_id)
            start = time.perf_counter()
            got = holder_statement(session, holder, AS_OF)
            took = time.perf_counter() - start
            entries = len(got["orders"]) + len(got["payments"])
        with Session(engine) as session:
            start = time.perf_counter()
            session.execute(FLOOR, {"h": holder_id}).all()
            bare = time.perf_counter() - start
        if i >= 5:
            service.append(took * 1000)
            floor.append(bare * 1000)
    return {"service": service, "floor": floor, "entries": entries}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(url: str, licences: int, runs: int, keep: bool) -> list[dict]:
    engine = create_engine(url)
    if not (keep and filled(engine)):
        engine.dispose()
        print(f"building {licences:,} licences and 1,000,000 ledger entries in {url}", flush=True)
        build(url, licences, licences // 10, heavy=min(HEAVY, licences // 10))
        engine = create_engine(url)
        fill(engine)
    rows = []
    for case, holder_id in holders(engine).items():
        n = runs if case == "typical" else max(10, runs // 10)
        t = timings(engine, holder_id, n)
        row = {
            "case": case,
            "holder": holder_id,
            "entries": t["entries"],
            "runs": n,
            "median": statistics.median(t["service"]),
            "p95": pct(t["service"], 95),
            "floor": statistics.median(t["floor"]),
            "floor_p95": pct(t["floor"], 95),
        }
        row["ratio"] = row["median"] / row["floor"]
        print(
            f"{case} holder {holder_id} ({row['entries']:,} entries, {n} runs): statement "
            f"median {row['median']:.2f} ms, p95 {row['p95']:.2f} ms; floor median "
            f"{row['floor']:.2f} ms (p95 {row['floor_p95']:.2f}); ratio {row['ratio']:.1f}",
            flush=True,
        )
        rows.append(row)
    engine.dispose()
    return rows


def table(rows: list[dict]) -> str:
    out = [
        "| holder | entries (orders + payments) | runs | statement median ms | p95 ms "
        "| floor median ms (p95) | statement / floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(
            f"| {r['case']} | {r['entries']:,} | {r['runs']} | {r['median']:.2f} | {r['p95']:.2f} "
            f"| {r['floor']:.2f} ({r['floor_p95']:.2f}) | {r['ratio']:.1f} |"
        )
    return "\n".join(out)


SECTION = """
### A holder's statement (`python -m bench.holder_statement`)

{table}

Load average {load}. Measured {when}.
"""


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licences", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="reuse a filled scratch database")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    url = os.environ.get(
        "CADASTRE_BENCH_MONEY_URL",
        "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_bench_money",
    )
    rows = run(url, args.licences, args.runs, args.keep)
    if not args.no_readme:
        replace_section(
            "holder_statement",
            SECTION.format(
                table=table(rows),
                load=", ".join(f"{x:.1f}" for x in os.getloadavg()),
                when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            ),
        )


if __name__ == "__main__":
    main()
