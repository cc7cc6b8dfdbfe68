"""The money ledger: one chained history event per money change, and the holder lock that
keeps two cashiers from spending the same payment twice."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.models import LedgerEvent, OrderToPay, Payment

#: Advisory-lock namespace of a holder's money (orders raised, payments allocated).
MONEY_LOCK = 0x4D4F4E  # "MON"


def lock_holder_money(session: Session, holder_id: int) -> None:
    """Serialise money work on one holder until the transaction ends."""
    session.execute(
        text("SELECT pg_advisory_xact_lock(:ns, :h)"), {"ns": MONEY_LOCK, "h": holder_id}
    )


def plain(value: Decimal) -> str:
    """An amount as the API and the ledger write it: ``1500.00``."""
    return f"{value:.2f}"


def order_fields(order: OrderToPay, code: str | None = None) -> dict[str, Any]:
    """An order as the ledger records it."""
    return {
        "order": order.number,
        "kind": order.kind,
        "licence_id": order.licence_id,
        "licence": code,
        "amount": plain(order.amount),
        "currency": order.currency,
        "paid": plain(order.paid or Decimal(0)),
        "status": order.status,
        "due_on": order.due_on.isoformat(),
        "period": [order.period_start.isoformat(), order.period_end.isoformat()]
        if order.period_start and order.period_end
        else None,
        "basis": order.basis,
    }


def order_fields_sql(order: str, code: str) -> str:
    """``order_fields`` as a SQL expression over the row ``order`` (an orders_to_pay alias)
    and the licence code expression ``code``, for the bulk paths (charges run, import)."""
    money = "'FM9999999999999990.00'"
    return (
        f"jsonb_build_object('order', {order}.number, 'kind', {order}.kind, "
        f"'licence_id', {order}.licence_id, 'licence', {code}, "
        f"'amount', to_char({order}.amount, {money}), 'currency', {order}.currency, "
        f"'paid', to_char({order}.paid, {money}), 'status', {order}.status, "
        f"'due_on', {order}.due_on, 'period', CASE WHEN {order}.period_start IS NULL THEN NULL "
        f"ELSE jsonb_build_array({order}.period_start, {order}.period_end) END, "
        f"'basis', {order}.basis)"
    )


def payment_fields(payment: Payment) -> dict[str, Any]:
    """A payment (or reversal) as the ledger records it."""
    return {
        "payment_id": payment.id,
        "receipt_number": payment.receipt_number,
        "licence_id": payment.licence_id,
        "amount": plain(payment.amount),
        "currency": payment.currency,
        "paid_on": payment.paid_on.isoformat(),
        "bank": payment.bank,
        "unallocated": plain(payment.unallocated or Decimal(0)),
        "reverses_id": payment.reverses_id,
    }


def record_money(
    session: Session,
    *,
    holder_id: int,
    licence_id: int | None,
    action: str,
    actor: str,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> LedgerEvent:
    """Append one ledger event (the database chains it)."""
    event = LedgerEvent(
        holder_id=holder_id,
        licence_id=licence_id,
        action=action,
        actor=actor,
        at=at or datetime.now(UTC),
        reason=reason,
        before=before,
        after=after,
    )
    session.add(event)
    return event
