"""Who owes what: a licence's orders and balance, a holder's statement, arrears.

Balances are computed from the orders and payments themselves (never kept as a running
total that could drift): owed = the orders' amounts less what has been allocated to them,
credit = what payments have left unallocated. Per currency, never summed across them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.models import Holder, Licence, OrderToPay, Payment
from cadastre.profile import Profile
from cadastre.services.ledger import plain


def order_status(order: OrderToPay, today: date) -> str:
    """open, overdue, paid or cancelled: an open order past its due date is overdue."""
    if order.status == "open" and order.due_on < today:
        return "overdue"
    return order.status


def order_to_dict(order: OrderToPay, today: date, code: str | None = None) -> dict[str, Any]:
    """An order as the API and pages show it (amounts as exact decimal strings)."""
    return {
        "id": order.id,
        "number": order.number,
        "licence_id": order.licence_id,
        "licence_code": code,
        "holder_id": order.holder_id,
        "kind": order.kind,
        "year_of_term": order.year_of_term,
        "period_start": order.period_start.isoformat() if order.period_start else None,
        "period_end": order.period_end.isoformat() if order.period_end else None,
        "amount": plain(order.amount),
        "currency": order.currency,
        "paid": plain(order.paid),
        "outstanding": plain(order.amount - order.paid if order.status != "cancelled" else 0),
        "raised_on": order.raised_on.isoformat(),
        "due_on": order.due_on.isoformat(),
        "paid_on": order.paid_on.isoformat() if order.paid_on else None,
        "status": order_status(order, today),
        "basis": order.basis,
        "schedule_from": order.schedule_from.isoformat() if order.schedule_from else None,
        "default_notice_id": order.default_notice_id,
    }


def payment_to_dict(payment: Payment, reversed_by: Payment | None = None) -> dict[str, Any]:
    """A payment (or reversal) as the API and pages show it."""
    return {
        "id": payment.id,
        "holder_id": payment.holder_id,
        "licence_id": payment.licence_id,
        "amount": plain(payment.amount),
        "currency": payment.currency,
        "paid_on": payment.paid_on.isoformat(),
        "bank": payment.bank,
        "receipt_number": payment.receipt_number,
        "unallocated": plain(payment.unallocated),
        "reverses_id": payment.reverses_id,
        "reversed_by_id": reversed_by.id if reversed_by else None,
        "reason": payment.reason,
        "recorded_by": payment.recorded_by,
        "recorded_at": payment.recorded_at.isoformat() if payment.recorded_at else None,
    }


def balances(orders: list[OrderToPay], payments: list[Payment], today: date) -> list[dict]:
    """Per currency: owed, of it overdue, credit, and the balance (owed less credit)."""
    per: dict[str, dict[str, Decimal]] = {}
    for o in orders:
        if o.status == "cancelled":
            continue
        b = per.setdefault(
            o.currency, {"owed": Decimal(0), "overdue": Decimal(0), "credit": Decimal(0)}
        )
        b["owed"] += o.amount - o.paid
        if o.status == "open" and o.due_on < today:
            b["overdue"] += o.amount - o.paid
    for p in payments:
        if p.unallocated > 0:
            b = per.setdefault(
                p.currency, {"owed": Decimal(0), "overdue": Decimal(0), "credit": Decimal(0)}
            )
            b["credit"] += p.unallocated
    return [
        {
            "currency": c,
            "owed": plain(b["owed"]),
            "overdue": plain(b["overdue"]),
            "credit": plain(b["credit"]),
            "balance": plain(b["owed"] - b["credit"]),
        }
        for c, b in sorted(per.items())
    ]


def main_currency(profile: Profile, licence_type: str, today: date) -> str | None:
    """The currency a type's annual charge is in under today's schedule (its fees' money)."""
    schedule = profile.fees.schedule_on(today)
    fees = schedule.types.get(licence_type) if schedule else None
    if fees is None:
        return None
    if fees.annual_charge is not None:
        return fees.annual_charge.currency
    first = fees.application or fees.renewal or fees.transfer
    return first.currency if first else None


def licence_charges(
    session: Session, profile: Profile, licence: Licence, today: date
) -> dict[str, Any]:
    """A licence's orders to pay, its payments and its balance."""
    orders = list(
        session.scalars(
            select(OrderToPay)
            .where(OrderToPay.licence_id == licence.id)
            .order_by(OrderToPay.due_on, OrderToPay.id)
        )
    )
    payments = list(
        session.scalars(
            select(Payment).where(Payment.licence_id == licence.id).order_by(Payment.id)
        )
    )
    per = balances(orders, payments, today)
    currency = main_currency(profile, licence.licence_type, today)
    if currency is None and per:
        currency = per[0]["currency"]
    mine = next((b for b in per if b["currency"] == currency), None)
    reversed_ids = {p.reverses_id: p for p in payments if p.reverses_id}
    return {
        "licence_id": licence.id,
        "code": licence.code,
        "holder_id": licence.holder_id,
        "currency": currency,
        "balance": mine["balance"] if mine else "0.00",
        "overdue": mine["overdue"] if mine else "0.00",
        "balances": per,
        "orders": [order_to_dict(o, today, licence.code) for o in orders],
        "payments": [payment_to_dict(p, reversed_ids.get(p.id)) for p in payments],
    }


def holder_statement(
    session: Session, holder: Holder, today: date, *, year: int | None = None
) -> dict[str, Any]:
    """A holder's statement: every order and payment (of ``year`` if given) with the
    balance per currency (always over all time: a debt does not end with the year)."""
    orders = list(
        session.execute(
            select(OrderToPay, Licence.code)
            .join(Licence, Licence.id == OrderToPay.licence_id)
            .where(OrderToPay.holder_id == holder.id)
            .order_by(OrderToPay.due_on, OrderToPay.id)
        )
    )
    payments = list(
        session.scalars(
            select(Payment)
            .where(Payment.holder_id == holder.id)
            .order_by(Payment.paid_on, Payment.id)
        )
    )
    per = balances([o for o, _ in orders], payments, today)
    reversed_ids = {p.reverses_id: p for p in payments if p.reverses_id}
    if year is not None:
        orders = [(o, c) for o, c in orders if o.raised_on.year == year]
        payments = [p for p in payments if p.paid_on.year == year]
    return {
        "holder_id": holder.id,
        "holder": holder.name,
        "as_of": today.isoformat(),
        "year": year,
        "balances": per,
        "orders": [order_to_dict(o, today, c) for o, c in orders],
        "payments": [payment_to_dict(p, reversed_ids.get(p.id)) for p in payments],
    }
