"""What the money pages read beyond the statement service: arrears across the register,
recent payments, and the currencies a payer can pay in.

Totals are per currency, never summed across them; amounts stay ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cadastre.models import Holder, Licence, OrderToPay, Payment
from cadastre.profile import Profile


@dataclass(frozen=True)
class ArrearsRow:
    """One overdue order, with what a finance officer needs to chase it."""

    order_id: int
    number: str
    kind: str
    licence_id: int
    code: str
    holder_id: int
    holder: str
    due_on: date
    days: int
    outstanding: Decimal
    currency: str


def _overdue(today: date):
    return (OrderToPay.status == "open", OrderToPay.due_on < today)


def arrears(session: Session, today: date, limit: int = 200) -> list[ArrearsRow]:
    """Overdue orders, the oldest due first."""
    rows = session.execute(
        select(OrderToPay, Licence.code, Holder.name)
        .join(Licence, Licence.id == OrderToPay.licence_id)
        .join(Holder, Holder.id == OrderToPay.holder_id)
        .where(*_overdue(today))
        .order_by(OrderToPay.due_on, OrderToPay.id)
        .limit(limit)
    )
    return [
        ArrearsRow(
            order_id=o.id,
            number=o.number,
            kind=o.kind,
            licence_id=o.licence_id,
            code=code,
            holder_id=o.holder_id,
            holder=name,
            due_on=o.due_on,
            days=(today - o.due_on).days,
            outstanding=o.amount - o.paid,
            currency=o.currency,
        )
        for o, code, name in rows
    ]


def arrears_totals(session: Session, today: date) -> list[tuple[str, int, Decimal]]:
    """(currency, number of overdue orders, amount overdue) per currency."""
    rows = session.execute(
        select(
            OrderToPay.currency,
            func.count(),
            func.coalesce(func.sum(OrderToPay.amount - OrderToPay.paid), 0),
        )
        .where(*_overdue(today))
        .group_by(OrderToPay.currency)
        .order_by(OrderToPay.currency)
    )
    return [(c, n, Decimal(total)) for c, n, total in rows]


def recent_payments(session: Session, limit: int = 25) -> list[tuple[Payment, str, str | None]]:
    """The latest payments and reversals recorded, with the holder's name and licence code."""
    rows = session.execute(
        select(Payment, Holder.name, Licence.code)
        .join(Holder, Holder.id == Payment.holder_id)
        .outerjoin(Licence, Licence.id == Payment.licence_id)
        .order_by(Payment.id.desc())
        .limit(limit)
    )
    return [(p, name, code) for p, name, code in rows]


def schedule_currencies(profile: Profile, today: date) -> list[str]:
    """Every currency the fee schedule in force asks for (SLE first where it is one)."""
    schedule = profile.fees.schedule_on(today)
    found: set[str] = set()
    for fees in schedule.types.values() if schedule else ():
        for money in (fees.application, fees.renewal, fees.transfer, fees.amendment):
            if money is not None:
                found.add(money.currency)
        if fees.annual_charge is not None:
            found.add(fees.annual_charge.currency)
    return sorted(found) or ["SLE"]


def payable_currencies(
    session: Session,
    profile: Profile,
    today: date,
    holder_id: int | None = None,
    licence_id: int | None = None,
) -> list[str]:
    """The currencies a payment may be in: those of the payer's open orders, or (none
    open) those of the schedule in force, for a payment kept as credit."""
    query = select(OrderToPay.currency).where(OrderToPay.status == "open").distinct()
    if licence_id is not None:
        query = query.where(OrderToPay.licence_id == licence_id)
    elif holder_id is not None:
        query = query.where(OrderToPay.holder_id == holder_id)
    else:
        return schedule_currencies(profile, today)
    found = sorted(session.scalars(query))
    return found or schedule_currencies(profile, today)


def licence_by_reference(session: Session, text: str) -> Licence | None:
    """A licence by its id or by its code as printed (case and spaces ignored)."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return session.get(Licence, int(text)) if 0 < int(text) < 2**31 else None
    return session.scalars(select(Licence).where(func.upper(Licence.code) == text.upper())).first()
