"""Payments as Finance records them from the bank's receipt: allocated to the oldest open
orders first, an overpayment kept as credit only when the payer says so, and a reversal
(with its reason) instead of any delete. Each is a ledger event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cadastre.domain.money import format_amount, parse_amount, parse_currency
from cadastre.domain.payment_rules import (
    check_overpayment,
    check_paid_on,
    check_receipt_number,
    check_reversal,
    plan_allocation,
)
from cadastre.errors import Conflict, NotFound, ValidationError, field_error
from cadastre.models import Holder, Licence, OrderToPay, Payment, PaymentAllocation
from cadastre.services.defaults import remedy_settled_notices
from cadastre.services.history import MAX_ID
from cadastre.services.ledger import lock_holder_money, payment_fields, plain, record_money

#: Longest bank name and reversal reason accepted.
MAX_BANK = 120
MAX_REASON = 2000


@dataclass(frozen=True)
class PaymentRequest:
    """A payment as received from a form or the API, not yet checked."""

    amount: Any
    currency: Any
    paid_on: Any
    receipt_number: Any
    licence_id: Any = None
    holder_id: Any = None
    bank: Any = None
    overpayment: Any = None


def _id(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise field_error(field, f"{field} must be a whole number.")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1 or int(text) > MAX_ID:
        raise field_error(field, f"'{text[:20]}' is not a {field.replace('_', ' ')}.")
    return int(text)


def _payer(session: Session, req: PaymentRequest) -> tuple[Holder, Licence | None]:
    licence_id, holder_id = _id(req.licence_id, "licence_id"), _id(req.holder_id, "holder_id")
    if licence_id is None and holder_id is None:
        raise ValidationError(
            "Say what the payment is for: a licence_id, or a holder_id for the holder's account.",
            errors=[{"field": "licence_id", "message": "give a licence_id or a holder_id"}],
        )
    licence = session.get(Licence, licence_id) if licence_id is not None else None
    if licence_id is not None and licence is None:
        raise field_error("licence_id", f"There is no licence {licence_id}.")
    if holder_id is not None and licence is not None and licence.holder_id != holder_id:
        raise field_error("holder_id", f"Licence {licence.code} is not held by holder {holder_id}.")
    holder = session.get(Holder, holder_id if holder_id is not None else licence.holder_id)
    if holder is None:
        raise field_error("holder_id", f"There is no holder {holder_id}.")
    return holder, licence


def _bank(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > MAX_BANK or "\x00" in value:
        raise field_error("bank", f"The bank must be text of at most {MAX_BANK} characters.")
    return value.strip()


def open_orders(
    session: Session, holder_id: int, currency: str | None = None, licence_id: int | None = None
) -> list[OrderToPay]:
    """A holder's open orders, oldest due first (locked: the caller allocates to them)."""
    query = select(OrderToPay).where(OrderToPay.holder_id == holder_id, OrderToPay.status == "open")
    if currency is not None:
        query = query.where(OrderToPay.currency == currency)
    if licence_id is not None:
        query = query.where(OrderToPay.licence_id == licence_id)
    return list(session.scalars(query.order_by(OrderToPay.due_on, OrderToPay.id).with_for_update()))


def record_payment(session: Session, req: PaymentRequest, *, actor: str, today: date) -> Payment:
    """Check and record a payment, allocate it to the oldest open orders, write the ledger.

    Refused (422 naming the field, nothing stored): an amount that is not above zero, a
    currency none of the payer's open orders is in, a date in the future, a receipt number
    already used (409), more than is owed unless ``overpayment`` is ``credit``.
    """
    faults: list[dict] = []
    values: dict[str, Any] = {}
    for name, check in (
        ("amount", lambda: parse_amount(req.amount, "amount")),
        ("currency", lambda: parse_currency(req.currency, "currency")),
        ("paid_on", lambda: check_paid_on(req.paid_on, today)),
        ("receipt_number", lambda: check_receipt_number(req.receipt_number)),
        ("bank", lambda: _bank(req.bank)),
        ("overpayment", lambda: _overpayment(req.overpayment)),
        ("payer", lambda: _payer(session, req)),
    ):
        try:
            values[name] = check()
        except ValidationError as exc:
            faults.extend(exc.errors)
    if faults:
        raise ValidationError(faults[0]["message"], errors=faults)
    holder, licence = values["payer"]
    amount, currency = values["amount"], values["currency"]
    lock_holder_money(session, holder.id)
    _check_receipt_unused(session, values["receipt_number"])
    orders = open_orders(session, holder.id, None, licence.id if licence else None)
    in_currency = [o for o in orders if o.currency == currency]
    if orders and not in_currency:
        owed = sorted({o.currency for o in orders})
        whose = f"licence {licence.code}" if licence else holder.name
        raise field_error(
            "currency",
            f"The open orders of {whose} are in {', '.join(owed)}, not {currency}: record the "
            "payment in the currency of the order it pays.",
        )
    owed = sum((o.amount - o.paid for o in in_currency), Decimal(0))
    check_overpayment(amount, owed, currency, values["overpayment"])
    payment = Payment(
        holder_id=holder.id,
        licence_id=licence.id if licence else None,
        amount=amount,
        currency=currency,
        paid_on=values["paid_on"],
        bank=values["bank"],
        receipt_number=values["receipt_number"],
        unallocated=amount,
        recorded_by=actor,
    )
    session.add(payment)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"Receipt number {payment.receipt_number} is already recorded.") from None
    allocations = _allocate(session, payment, in_currency)
    record_money(
        session,
        holder_id=holder.id,
        licence_id=payment.licence_id,
        action="payment_recorded",
        actor=actor,
        after={**payment_fields(payment), "allocations": allocations},
    )
    remedy_settled_notices(session, in_currency, actor=actor)
    session.flush()
    return payment


def _overpayment(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value != "credit":
        raise field_error(
            "overpayment",
            "Say where an overpayment goes: 'credit' keeps it on the holder's account for "
            "later orders.",
        )
    return "credit"


def _check_receipt_unused(session: Session, number: str) -> None:
    used = session.scalars(select(Payment).where(Payment.receipt_number == number)).first()
    if used is not None:
        raise Conflict(
            f"Receipt number {number} is already recorded: a payment of "
            f"{format_amount(used.amount)} {used.currency} on {used.paid_on.isoformat()}. "
            "Each bank receipt is recorded once.",
            errors=[{"field": "receipt_number", "message": "is already recorded"}],
            extra={"payment_id": used.id},
        )


def _allocate(session: Session, payment: Payment, orders: list[OrderToPay]) -> list[dict]:
    """Set what is left of ``payment`` against ``orders`` in their order; what remains stays
    on the payment as credit."""
    plan = plan_allocation(payment.unallocated, [(o.id, o.amount - o.paid) for o in orders])
    by_id = {o.id: o for o in orders}
    done = []
    for order_id, amount in plan:
        order = by_id[order_id]
        session.add(PaymentAllocation(payment_id=payment.id, order_id=order_id, amount=amount))
        order.paid = order.paid + amount
        if order.paid >= order.amount:
            order.status, order.paid_on = "paid", payment.paid_on
        payment.unallocated = payment.unallocated - amount
        done.append({"order": order.number, "amount": plain(amount), "status": order.status})
    session.flush()
    return done


def apply_credit(session: Session, holder_id: int, currency: str, *, actor: str) -> None:
    """Set a holder's credit in ``currency`` (overpayments kept on account) against their
    open orders, oldest first; each application is a ledger event."""
    lock_holder_money(session, holder_id)
    credits = list(
        session.scalars(
            select(Payment)
            .where(
                Payment.holder_id == holder_id,
                Payment.currency == currency,
                Payment.unallocated > 0,
            )
            .order_by(Payment.paid_on, Payment.id)
            .with_for_update()
        )
    )
    for payment in credits:
        orders = open_orders(session, holder_id, currency, payment.licence_id)
        if not orders:
            continue
        allocations = _allocate(session, payment, orders)
        if allocations:
            record_money(
                session,
                holder_id=holder_id,
                licence_id=payment.licence_id,
                action="credit_applied",
                actor=actor,
                after={**payment_fields(payment), "allocations": allocations},
            )
            remedy_settled_notices(session, orders, actor=actor)


def get_payment(session: Session, payment_id: int) -> Payment:
    """A payment by id (404 when there is none)."""
    payment = session.get(Payment, payment_id) if 0 < payment_id <= MAX_ID else None
    if payment is None:
        raise NotFound(f"There is no payment {payment_id}.")
    return payment


def reverse_payment(
    session: Session, payment_id: int, *, reason: Any, actor: str, today: date
) -> Payment:
    """Undo a payment the bank did not honour: a negative payment pointing at it, every
    allocation undone (its orders open again), its credit withdrawn; nothing deleted."""
    payment = get_payment(session, payment_id)
    lock_holder_money(session, payment.holder_id)
    session.refresh(payment, with_for_update=True)
    reversed_by = session.scalar(select(Payment).where(Payment.reverses_id == payment.id))
    why = check_reversal(
        is_reversal=payment.reverses_id is not None,
        reversed_on=reversed_by.paid_on if reversed_by else None,
        reason=reason,
        max_reason=MAX_REASON,
    )
    before = payment_fields(payment)
    undone = []
    per_order = session.execute(
        select(PaymentAllocation.order_id, func.sum(PaymentAllocation.amount))
        .where(PaymentAllocation.payment_id == payment.id)
        .group_by(PaymentAllocation.order_id)
        .order_by(PaymentAllocation.order_id)
    ).all()
    for order_id, amount in per_order:
        if amount <= 0:
            continue
        order = session.get(OrderToPay, order_id, with_for_update=True)
        session.add(PaymentAllocation(payment_id=payment.id, order_id=order_id, amount=-amount))
        order.paid = order.paid - amount
        if order.status == "paid" and order.paid < order.amount:
            order.status, order.paid_on = "open", None
        undone.append({"order": order.number, "amount": plain(-amount), "status": order.status})
    reversal = Payment(
        holder_id=payment.holder_id,
        licence_id=payment.licence_id,
        amount=-payment.amount,
        currency=payment.currency,
        paid_on=today,
        bank=payment.bank,
        receipt_number=None,
        unallocated=Decimal(0),
        reverses_id=payment.id,
        reason=why,
        recorded_by=actor,
    )
    payment.unallocated = Decimal(0)
    session.add(reversal)
    session.flush()
    record_money(
        session,
        holder_id=payment.holder_id,
        licence_id=payment.licence_id,
        action="payment_reversed",
        actor=actor,
        reason=why,
        before=before,
        after={**payment_fields(reversal), "allocations": undone},
    )
    session.flush()
    return reversal


def pay_what_is_owed(
    session: Session,
    licence_id: int,
    *,
    receipt: Callable[[str], str],
    paid_on: date,
    actor: str,
    today: date,
    share: Decimal = Decimal(1),
    bank: str | None = None,
) -> list[Payment]:
    """Pay ``share`` of what a licence's open orders owe, one payment per currency (receipt
    number ``receipt(currency)``): the past of the demo register and training scenarios,
    where the applicant paid at the bank."""
    owed = session.execute(
        select(OrderToPay.currency, func.sum(OrderToPay.amount - OrderToPay.paid))
        .where(OrderToPay.licence_id == licence_id, OrderToPay.status == "open")
        .group_by(OrderToPay.currency)
        .order_by(OrderToPay.currency)
    ).all()
    paid = []
    for currency, outstanding in owed:
        amount = (outstanding * share).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        request = PaymentRequest(
            amount=plain(amount),
            currency=currency,
            paid_on=paid_on,
            receipt_number=receipt(currency),
            licence_id=licence_id,
            bank=bank,
        )
        paid.append(record_payment(session, request, actor=actor, today=today))
    return paid
