"""Money the state is owed for licences: orders to pay, payments, their allocations, and the
ledger, each change of which is a link of the one history chain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.domain.fees import ORDER_KINDS
from cadastre.models.base import Base, ChainLink, created_at_column

#: Exact money: 16 digits before the point, 2 after.
MONEY = Numeric(18, 2)
ORDER_STATUSES = ("open", "paid", "cancelled")


class OrderToPay(Base):
    """An amount the state asks of a holder for a licence, raised by an event or a year."""

    __tablename__ = "orders_to_pay"
    __table_args__ = (
        CheckConstraint(f"kind IN {ORDER_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {ORDER_STATUSES!r}", name="status"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("paid >= 0 AND paid <= amount", name="paid_within_amount"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        #: What makes raising idempotent: one order per licence and key ("annual:3").
        UniqueConstraint("licence_id", "key", name="uq_orders_to_pay_licence_key"),
        Index(
            "ix_orders_to_pay_holder_open",
            "holder_id",
            "currency",
            "due_on",
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_orders_to_pay_due_open", "due_on", postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The number on the paper order: ``OP/2026/000123``.
    number: Mapped[str] = mapped_column(String(30), unique=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    #: Who owes it: the holder when it was raised (a transfer does not move old debts).
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(40))
    year_of_term: Mapped[int | None] = mapped_column(Integer)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    #: Allocated from payments so far (the order is paid when it reaches ``amount``).
    paid: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    raised_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    #: How the amount was reached, in words, and the schedule it follows.
    basis: Mapped[str] = mapped_column(Text)
    schedule_from: Mapped[date | None] = mapped_column(Date)
    raised_by: Mapped[str] = mapped_column(String(120))
    #: When the order was settled in full (the last allocation's payment date).
    paid_on: Mapped[date | None] = mapped_column(Date)
    #: The default notice issued on it, if any (``licence_notices.id``).
    default_notice_id: Mapped[int | None] = mapped_column(ForeignKey("licence_notices.id"))
    created_at: Mapped[datetime] = created_at_column()


class Payment(Base):
    """Money received at the bank, as Finance records it from the receipt; or the reversal
    of such a payment (a negative amount pointing at it): nothing is ever deleted."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("unallocated >= 0", name="unallocated_not_negative"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
        CheckConstraint("(reverses_id IS NULL) = (amount > 0)", name="reversal_negative"),
        Index("ix_payments_holder_paid_on", "holder_id", "paid_on"),
        Index(
            "ix_payments_credit", "holder_id", "currency", postgresql_where=text("unallocated > 0")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"))
    #: The licence the payer named (its orders are paid first); None: the holder's account.
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    paid_on: Mapped[date] = mapped_column(Date)
    bank: Mapped[str | None] = mapped_column(String(120))
    #: The bank's receipt number, unique (upper-cased, spaces removed) across all payments;
    #: a reversal carries none.
    receipt_number: Mapped[str | None] = mapped_column(String(60), unique=True)
    #: What is left after allocation: credit for later orders (only when the payer said so).
    unallocated: Mapped[Decimal] = mapped_column(MONEY, server_default="0")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = created_at_column()


class PaymentAllocation(Base):
    """Part of a payment set against an order (negative: undone by a reversal)."""

    __tablename__ = "payment_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders_to_pay.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LedgerEvent(ChainLink, Base):
    """One money change: an order raised or cancelled, a payment recorded or reversed, a
    credit applied, a default notice. Append-only, chained like every other history."""

    __tablename__ = "ledger_events"
    __table_args__ = (Index("ix_ledger_events_licence_id", "licence_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id"), index=True)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"))
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
