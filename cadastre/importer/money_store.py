"""Store the legacy money of an import's rows, set-based, each change with its ledger event.

- ``licences.charges_from`` of every licence this import inserts: the row's "charges paid
  to" date, else the as-of date of the import (``services.charges.run_charges`` then never
  raises a year the old register settled).
- A balance above zero: one order to pay of kind ``legacy`` (key ``legacy``) per licence,
  due on the as-of date. A licence that has one already keeps it (a re-import adds none).
- A payment record: an order of kind ``legacy`` settled by it (key ``legacy:<receipt>``), the
  payment, its allocation; a receipt already recorded by an earlier import is skipped.

Like ``services.charges``, each statement inserts the rows and their ledger events at once
(``INSERT ... SELECT``), so the ledger holds one event per order and per payment.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.importer.rows import CheckedRow
from cadastre.services.charges import reserve_order_numbers
from cadastre.services.ledger import order_fields_sql

LEGACY_BASIS = "balance brought forward from the legacy register"

_ORDERS = f"""
WITH rows AS (
    SELECT * FROM unnest(CAST(:number AS text[]), CAST(:licence AS int[]), CAST(:key AS text[]),
                         CAST(:amount AS numeric[]), CAST(:currency AS text[]),
                         CAST(:due AS date[]), CAST(:paid_on AS date[]), CAST(:basis AS text[]))
           AS r(number, licence_id, key, amount, currency, due_on, paid_on, basis)
), ins AS (
    INSERT INTO orders_to_pay (number, licence_id, holder_id, kind, key, amount, currency, paid,
                               raised_on, due_on, status, basis, raised_by, paid_on)
    SELECT r.number, r.licence_id, l.holder_id, 'legacy', r.key, r.amount, r.currency,
           CASE WHEN r.paid_on IS NULL THEN 0 ELSE r.amount END, coalesce(r.paid_on, r.due_on),
           r.due_on, CASE WHEN r.paid_on IS NULL THEN 'open' ELSE 'paid' END, r.basis, :actor,
           r.paid_on
      FROM rows r JOIN licences l ON l.id = r.licence_id
    ON CONFLICT (licence_id, key) DO NOTHING
    RETURNING *
)
INSERT INTO ledger_events (holder_id, licence_id, action, actor, at, after)
SELECT ins.holder_id, ins.licence_id, 'order_raised', :actor, now(),
       {order_fields_sql("ins", "l.code")}
  FROM ins JOIN licences l ON l.id = ins.licence_id
 ORDER BY ins.id
RETURNING after ->> 'order' AS number
"""

_PAYMENTS = """
WITH rows AS (
    SELECT r.*, o.id AS order_id, o.holder_id
      FROM unnest(CAST(:receipt AS text[]), CAST(:number AS text[]), CAST(:amount AS numeric[]),
                  CAST(:currency AS text[]), CAST(:paid_on AS date[]), CAST(:bank AS text[]))
           AS r(receipt, number, amount, currency, paid_on, bank)
      JOIN orders_to_pay o ON o.number = r.number
), pay AS (
    INSERT INTO payments (holder_id, licence_id, amount, currency, paid_on, bank,
                          receipt_number, unallocated, recorded_by)
    SELECT rows.holder_id, o.licence_id, rows.amount, rows.currency, rows.paid_on, rows.bank,
           rows.receipt, 0, :actor
      FROM rows JOIN orders_to_pay o ON o.id = rows.order_id
    ORDER BY rows.order_id
    RETURNING *
), alloc AS (
    INSERT INTO payment_allocations (payment_id, order_id, amount)
    SELECT pay.id, rows.order_id, pay.amount FROM pay JOIN rows ON rows.receipt = pay.receipt_number
)
INSERT INTO ledger_events (holder_id, licence_id, action, actor, at, after)
SELECT pay.holder_id, pay.licence_id, 'payment_recorded', :actor, now(),
       jsonb_build_object(
           'payment_id', pay.id, 'receipt_number', pay.receipt_number,
           'licence_id', pay.licence_id, 'amount', to_char(pay.amount, 'FM9999999999999990.00'),
           'currency', pay.currency, 'paid_on', pay.paid_on, 'bank', pay.bank,
           'unallocated', '0.00', 'reverses_id', NULL,
           'allocations', jsonb_build_array(jsonb_build_object(
               'order', rows.number, 'amount', to_char(pay.amount, 'FM9999999999999990.00'),
               'status', 'paid')))
  FROM pay JOIN rows ON rows.receipt = pay.receipt_number
 ORDER BY pay.id
"""


def store_money(
    session: Session,
    rows: list[CheckedRow],
    actions: dict[int, tuple[int, str]],
    *,
    as_of: date,
    actor: str,
    source: str,
) -> None:
    """Record the money of the accepted ``rows`` (their licences are in ``actions``)."""
    inserted = [
        (actions[r.index][0], (r.money.charges_paid_to if r.money else None) or as_of)
        for r in rows
        if r.index in actions and actions[r.index][1] == "insert"
    ]
    if inserted:
        session.execute(
            text(
                "UPDATE licences l SET charges_from = v.d FROM unnest(CAST(:ids AS int[]), "
                "CAST(:days AS date[])) AS v(id, d) WHERE l.id = v.id"
            ),
            {"ids": [i for i, _ in inserted], "days": [d for _, d in inserted]},
        )
    orders = []  # (licence, key, amount, currency, due, paid_on, basis, payment)
    for r in rows:
        money = r.money
        if money is None or r.index not in actions:
            continue
        licence_id = actions[r.index][0]
        if money.balance:
            orders.append(
                (licence_id, "legacy", money.balance, money.currency, as_of, None, LEGACY_BASIS)
            )
        pay = money.payment
        if pay is not None and not pay.known:
            basis = f"paid in the legacy register: receipt {pay.receipt_number} ({source})"
            orders.append(
                (licence_id, pay.key, pay.amount, pay.currency, pay.paid_on, pay.paid_on, basis)
            )
    if not orders:
        return
    numbers = reserve_order_numbers(session, as_of.year, len(orders))
    raised = set(
        session.scalars(
            text(_ORDERS),
            {
                "number": numbers,
                "licence": [o[0] for o in orders],
                "key": [o[1] for o in orders],
                "amount": [o[2] for o in orders],
                "currency": [o[3] for o in orders],
                "due": [o[4] for o in orders],
                "paid_on": [o[5] for o in orders],
                "basis": [o[6] for o in orders],
                "actor": actor,
            },
        )
    )
    _store_payments(session, rows, actions, dict(zip(((o[0], o[1]) for o in orders), numbers,
                                                      strict=True)), raised, actor)  # fmt: skip


def _store_payments(session, rows, actions, numbers: dict, raised: set, actor: str) -> None:
    """The payments whose settled order was raised just now."""
    pays = []
    for r in rows:
        pay = r.money.payment if r.money and r.index in actions else None
        if pay is None or pay.known:
            continue
        number = numbers[(actions[r.index][0], pay.key)]
        if number in raised:
            pays.append((pay, number))
    if not pays:
        return
    session.execute(
        text(_PAYMENTS),
        {
            "receipt": [p.receipt_number for p, _ in pays],
            "number": [n for _, n in pays],
            "amount": [p.amount for p, _ in pays],
            "currency": [p.currency for p, _ in pays],
            "paid_on": [p.paid_on for p, _ in pays],
            "bank": [p.bank for p, _ in pays],
            "actor": actor,
        },
    )
