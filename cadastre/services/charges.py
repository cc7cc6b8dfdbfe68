"""Orders to pay: raised by events (an application received, a licence approved or granted,
renewed, transferred) and by the years of a licence's term (``cadastre charges run``).

Raising is idempotent: an order is unique per licence and key (``application``,
``annual:3``, ``renewal:2``), so raising twice raises nothing. The amounts come from
``domain.fees`` by the schedule in force on the day each falls due; every order raised is a
ledger event. A holder's credit (an overpayment kept on account) is applied to new orders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cadastre.domain.fees import (
    Charge,
    Period,
    annual_charge,
    one_off_fee,
    period_of_year,
    periods_due,
)
from cadastre.models import Licence, OrderToPay
from cadastre.profile import Profile
from cadastre.services.ledger import (
    lock_holder_money,
    order_fields,
    order_fields_sql,
    plain,
    record_money,
)
from cadastre.services.payments import apply_credit

SYSTEM_ACTOR = "system"
ORDER_PREFIX = "OP"


def reserve_order_numbers(session: Session, year: int, count: int) -> list[str]:
    """``count`` fresh order numbers for ``year`` (``OP/2026/000042``), in one statement."""
    last = session.execute(
        text(
            "INSERT INTO licence_code_counters (prefix, year, last) VALUES (:p, :y, :n) "
            "ON CONFLICT (prefix, year) DO UPDATE SET last = licence_code_counters.last + :n "
            "RETURNING last"
        ),
        {"p": ORDER_PREFIX, "y": year, "n": count},
    ).scalar_one()
    return [f"{ORDER_PREFIX}/{year}/{n:06d}" for n in range(last - count + 1, last + 1)]


def raise_order(
    session: Session,
    licence: Licence,
    *,
    kind: str,
    key: str,
    charge: Charge,
    actor: str,
    raised_on: date,
    due_on: date,
    period: Period | None = None,
    holder_id: int | None = None,
) -> OrderToPay | None:
    """Raise one order (None when the licence already has one under ``key``)."""
    holder_id = holder_id or licence.holder_id
    lock_holder_money(session, holder_id)
    exists = session.scalar(
        select(OrderToPay.id).where(OrderToPay.licence_id == licence.id, OrderToPay.key == key)
    )
    if exists is not None:
        return None
    order = OrderToPay(
        number=reserve_order_numbers(session, raised_on.year, 1)[0],
        licence_id=licence.id,
        holder_id=holder_id,
        kind=kind,
        key=key,
        year_of_term=period.year_of_term if period else None,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        amount=charge.money.amount,
        currency=charge.money.currency,
        paid=Decimal(0),
        raised_on=raised_on,
        due_on=due_on,
        status="open",
        basis=charge.basis,
        schedule_from=charge.schedule_from,
        raised_by=actor,
    )
    session.add(order)
    session.flush()
    record_money(
        session,
        holder_id=holder_id,
        licence_id=licence.id,
        action="order_raised",
        actor=actor,
        after=order_fields(order, licence.code),
    )
    apply_credit(session, holder_id, order.currency, actor=actor)
    return order


def raise_fee(
    session: Session,
    profile: Profile,
    licence: Licence,
    kind: str,
    *,
    actor: str,
    on: date,
    key: str | None = None,
    holder_id: int | None = None,
) -> OrderToPay | None:
    """Raise the ``kind`` fee (application, renewal, transfer, amendment) of the schedule in
    force ``on``; None when the schedule sets none or it was raised already."""
    charge = one_off_fee(profile.fees, licence.licence_type, kind, on)
    if charge is None:
        return None
    due = on + timedelta(days=profile.fees.pay_within_days)
    return raise_order(
        session,
        licence,
        kind=kind,
        key=key or kind,
        charge=charge,
        actor=actor,
        raised_on=on,
        due_on=due,
        holder_id=holder_id,
    )


def raise_first_annual(
    session: Session, profile: Profile, licence: Licence, *, actor: str, on: date
) -> OrderToPay | None:
    """The first year's annual charge, raised when the licence is approved or granted."""
    expires = licence.expires_at
    period = period_of_year(on, 1, expires if expires and expires > on else None)
    charge = annual_charge(profile.fees, licence.licence_type, licence.area_ha, period)
    if charge is None:
        return None
    due = on + timedelta(days=profile.fees.pay_within_days)
    return raise_order(
        session,
        licence,
        kind="annual_charge",
        key="annual:1",
        charge=charge,
        actor=actor,
        raised_on=on,
        due_on=due,
        period=period,
    )


def unpaid_before_grant(session: Session, licence: Licence) -> list[OrderToPay]:
    """The open orders a grant that waits for payment waits for: the application fee and
    the first annual charge."""
    return list(
        session.scalars(
            select(OrderToPay)
            .where(
                OrderToPay.licence_id == licence.id,
                OrderToPay.status == "open",
                OrderToPay.key.in_(("application", "annual:1")),
            )
            .order_by(OrderToPay.due_on, OrderToPay.id)
        )
    )


def cancel_unpaid_annual(session: Session, licence: Licence, *, actor: str, reason: str) -> int:
    """Cancel a licence's annual charges nothing has been paid on (an approved application
    refused or withdrawn never became a right); each cancellation is a ledger event. Fees
    for what was done (the application's) stay owed."""
    lock_holder_money(session, licence.holder_id)
    orders = session.scalars(
        select(OrderToPay)
        .where(
            OrderToPay.licence_id == licence.id,
            OrderToPay.kind == "annual_charge",
            OrderToPay.status == "open",
            OrderToPay.paid == 0,
        )
        .with_for_update()
    ).all()
    for order in orders:
        before = order_fields(order, licence.code)
        order.status = "cancelled"
        record_money(
            session,
            holder_id=order.holder_id,
            licence_id=licence.id,
            action="order_cancelled",
            actor=actor,
            reason=reason,
            before=before,
            after=order_fields(order, licence.code),
        )
    session.flush()
    return len(orders)


@dataclass
class ChargesRun:
    """What one ``charges run`` raised."""

    as_of: date
    licences: int = 0
    raised: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """For the command line's JSON and the API."""
        return {
            "as_of": self.as_of.isoformat(),
            "licences_checked": self.licences,
            "orders_raised": self.raised,
            "totals": {c: plain(v) for c, v in sorted(self.totals.items())},
        }


_CANDIDATES = """
SELECT l.id, l.code, l.holder_id, l.licence_type, l.area_ha, l.granted_at, l.expires_at,
       l.charges_from, coalesce(k.keys, '{}') AS keys
  FROM licences l
  LEFT JOIN (SELECT o.licence_id, array_agg(o.key) AS keys FROM orders_to_pay o
              WHERE o.kind = 'annual_charge' GROUP BY o.licence_id) k ON k.licence_id = l.id
 WHERE l.status IN ('granted', 'suspended') AND l.granted_at IS NOT NULL
   AND l.granted_at <= :as_of AND l.licence_type = ANY(:types)
 ORDER BY l.id
"""

#: The orders a run found due, COPYed in (one line each, ``n`` in the order found).
DUE_TABLE = "charges_due"
_DUE_COLUMNS = (
    "n, number, licence_id, holder_id, key, year_of_term, period_start, period_end, amount, "
    "currency, basis, schedule_from, code"
)
_CREATE_DUE = f"""
CREATE TEMP TABLE {DUE_TABLE} (
    n integer PRIMARY KEY, number text NOT NULL, licence_id integer NOT NULL,
    holder_id integer NOT NULL, key text NOT NULL, year_of_term integer NOT NULL,
    period_start date NOT NULL, period_end date NOT NULL, amount numeric NOT NULL,
    currency text NOT NULL, basis text NOT NULL, schedule_from date, code text NOT NULL,
    UNIQUE (number)
) ON COMMIT DROP
"""

_INSERT = f"""
WITH rows AS (
    SELECT * FROM {DUE_TABLE} WHERE n > :lo AND n <= :hi
), ins AS (
    INSERT INTO orders_to_pay (number, licence_id, holder_id, kind, key, year_of_term,
                               period_start, period_end, amount, currency, paid, raised_on,
                               due_on, status, basis, schedule_from, raised_by)
    SELECT number, licence_id, holder_id, 'annual_charge', key, year_of_term, period_start,
           period_end, amount, currency, 0, CAST(:as_of AS date), period_start, 'open', basis,
           schedule_from, :actor
      FROM rows ORDER BY n
    ON CONFLICT (licence_id, key) DO NOTHING
    RETURNING *
), led AS (
    INSERT INTO ledger_events (holder_id, licence_id, action, actor, at, after)
    SELECT ins.holder_id, ins.licence_id, 'order_raised', :actor, now(),
           {order_fields_sql("ins", "due.code")}
      FROM ins JOIN {DUE_TABLE} due ON due.number = ins.number AND due.n > :lo AND due.n <= :hi
     ORDER BY ins.id
    RETURNING after ->> 'currency' AS currency, CAST(after ->> 'amount' AS numeric) AS amount
)
SELECT currency, count(*) AS raised, sum(amount) AS total FROM led GROUP BY currency
"""

#: Orders inserted per statement (one statement for the orders and their ledger events).
BATCH = 20_000


def run_charges(
    session: Session,
    profile: Profile,
    as_of: date,
    *,
    actor: str = SYSTEM_ACTOR,
    progress: Callable[[int, int], None] | None = None,
) -> ChargesRun:
    """Raise every annual charge that has fallen due by ``as_of`` and is not yet raised.

    Safe to run daily, or twice: existing orders are never raised again nor changed. A
    period that began before the licence's ``charges_from`` date and ended by it was settled
    outside the register (a legacy title) and is not charged.
    """
    types = [
        name
        for name in profile.licence_types
        if any(s.types.get(name) and s.types[name].annual_charge for s in profile.fees.schedules)
    ]
    result = ChargesRun(as_of)
    rows = session.execute(text(_CANDIDATES), {"as_of": as_of, "types": types}).all()
    result.licences = len(rows)
    due = []
    for row in rows:
        have = set(row.keys)
        for period in periods_due(row.granted_at, row.expires_at, as_of):
            if f"annual:{period.year_of_term}" in have:
                continue
            if row.charges_from is not None and period.end <= row.charges_from:
                continue
            charge = annual_charge(profile.fees, row.licence_type, row.area_ha, period)
            if charge is not None:
                due.append((row, period, charge))
    if not due:
        return result
    _copy_due(session, due, reserve_order_numbers(session, as_of.year, len(due)))
    for lo in range(0, len(due), BATCH):
        params = {"lo": lo, "hi": lo + BATCH, "as_of": as_of, "actor": actor}
        for currency, raised, total in session.execute(text(_INSERT), params):
            result.raised += raised
            result.totals[currency] = result.totals.get(currency, Decimal(0)) + total
        if progress is not None:
            progress(min(lo + BATCH, len(due)), len(due))
    session.execute(text(f"DROP TABLE {DUE_TABLE}"))
    if result.raised:
        _apply_credits(session, actor)
    return result


def _copy_due(session: Session, due: list, numbers: list[str]) -> None:
    """The orders found due, into a temporary table by COPY (one round trip, no per-value
    parameters), analysed so the insert is planned for its real size."""
    session.execute(text(f"DROP TABLE IF EXISTS pg_temp.{DUE_TABLE}"))
    session.execute(text(_CREATE_DUE))
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {DUE_TABLE} ({_DUE_COLUMNS}) FROM STDIN") as copy:
        for n, ((row, period, charge), number) in enumerate(zip(due, numbers, strict=True), 1):
            copy.write_row(
                (
                    n,
                    number,
                    row.id,
                    row.holder_id,
                    f"annual:{period.year_of_term}",
                    period.year_of_term,
                    period.start,
                    period.end,
                    charge.money.amount,
                    charge.money.currency,
                    charge.basis,
                    charge.schedule_from,
                    row.code,
                )
            )
    session.execute(text(f"ANALYZE {DUE_TABLE}"))


def _apply_credits(session: Session, actor: str) -> None:
    """Set holders' credit against the orders just raised."""
    pairs = session.execute(
        text("SELECT DISTINCT holder_id, currency FROM payments WHERE unallocated > 0")
    ).all()
    for holder_id, currency in pairs:
        apply_credit(session, holder_id, currency, actor=actor)
