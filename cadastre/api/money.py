"""Money over the API: a licence's charges, payments and their reversal, holder statements.

Anyone signed in reads charges and statements; only the ``finance`` role records payments
and reversals. Amounts travel as exact decimal strings (``"1500.00"``); a payment's amount
may also be sent as a JSON number, which is read exactly, never through a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from cadastre.api.blueprint import bp
from cadastre.api.common import check_id, created, json_body
from cadastre.api.validation import Body, Text, _add, _finish
from cadastre.auth import API
from cadastre.db import unit_of_work
from cadastre.errors import field_error
from cadastre.models import OrderToPay, PaymentAllocation
from cadastre.services.holders import get_holder
from cadastre.services.licences import get_licence
from cadastre.services.payments import PaymentRequest, get_payment, record_payment, reverse_payment
from cadastre.services.statements import holder_statement, licence_charges, payment_to_dict
from cadastre.state import registry


@dataclass(frozen=True)
class AmountField:
    """An amount: text such as ``"1500.00"`` or a JSON number (read exactly)."""

    description: str = "exact amount, at most two decimal places, above zero"

    def check(self, value: Any, path: str, errors: list) -> None:
        """Add an error unless ``value`` is text or a number."""
        if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
            _add(errors, path, 'must be an amount such as "1500.00"')

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        return _finish(
            {"oneOf": [{"type": "string", "pattern": r"^\d{1,16}(\.\d{1,2})?$"},
                       {"type": "number", "exclusiveMinimum": 0}]},
            False,
            self.description,
        )


@dataclass(frozen=True)
class IdField:
    """A record's id (a whole number)."""

    description: str = ""

    def check(self, value: Any, path: str, errors: list) -> None:
        """Add an error unless ``value`` is a whole number or null."""
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            _add(errors, path, "must be a whole number (e.g. 12)")

    def schema(self) -> dict:
        """The JSON Schema of this field."""
        return _finish({"type": "integer"}, True, self.description)


PAYMENT = Body(
    "a payment",
    {
        "licence_id": IdField("the licence paid for (its oldest open orders are paid first)"),
        "holder_id": IdField("the holder paying, for the holder's account as a whole"),
        "amount": AmountField(),
        "currency": Text(max_length=3, min_length=3, description="ISO 4217, e.g. SLE or USD"),
        "paid_on": Text(max_length=10, min_length=10, description="the receipt's date, YYYY-MM-DD"),
        "receipt_number": Text(max_length=80, min_length=1, description="the bank's receipt"),
        "bank": Text(nullable=True, max_length=120, description="the bank that received it"),
        "overpayment": Text(
            nullable=True,
            choices=("credit",),
            description="where an amount above what is owed goes: 'credit' keeps it on account",
        ),
    },
    ("amount", "currency", "paid_on", "receipt_number"),
)
REVERSAL = Body(
    "a reversal",
    {"reason": Text(max_length=2000, min_length=1, description="why the payment is undone")},
    ("reason",),
)


def _today():
    return datetime.now(UTC).date()


@bp.get("/licences/<int:licence_id>/charges")
def licence_charges_view(licence_id: int):
    """A licence's orders to pay (amount, currency, due_on, status), payments and balance."""
    API.check("viewer", "read charges")
    check_id(licence_id, "licence")
    reg = registry()
    with reg.sessions() as session:
        licence = get_licence(session, licence_id)
        body = licence_charges(session, reg.profile, licence, _today())
    return jsonify(body)


@bp.get("/holders/<int:holder_id>/statement")
def holder_statement_view(holder_id: int):
    """A holder's statement: orders, payments, balance per currency (``?year=`` narrows)."""
    API.check("viewer", "read statements")
    check_id(holder_id, "holder")
    year = _year(request.args.get("year"))
    with registry().sessions() as session:
        holder = get_holder(session, holder_id)
        body = holder_statement(session, holder, _today(), year=year)
    return jsonify(body)


def _year(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    if not value.isascii() or not value.isdigit() or not 1900 <= int(value) <= 9999:
        raise field_error("year", f"'{value[:20]}' is not a year such as 2026.")
    return int(value)


def _payment_answer(session, profile, payment, status: int = 200):
    body = payment_to_dict(payment)
    if payment.licence_id is not None:
        licence = get_licence(session, payment.licence_id)
        charges = licence_charges(session, profile, licence, _today())
        body["licence_balance"] = {"currency": charges["currency"], "balance": charges["balance"]}
    body["allocations"] = [
        {"order": a["order"], "amount": a["amount"], "status": a["status"]}
        for a in _allocations(session, payment.id)
    ]
    return body


def _allocations(session, payment_id: int) -> list[dict]:
    rows = session.execute(
        select(PaymentAllocation.amount, OrderToPay.number, OrderToPay.status)
        .join(OrderToPay, OrderToPay.id == PaymentAllocation.order_id)
        .where(PaymentAllocation.payment_id == payment_id)
        .order_by(PaymentAllocation.id)
    )
    return [{"order": n, "amount": f"{a:.2f}", "status": s} for a, n, s in rows]


@bp.post("/payments")
def record_payment_view():
    """Record a payment from its bank receipt (finance only): 201 with its allocations."""
    actor = API.check("finance", "record payments")
    body = json_body(PAYMENT, decimals=True)
    reg = registry()
    req = PaymentRequest(**{k: body.get(k) for k in PaymentRequest.__dataclass_fields__})
    with unit_of_work(reg.sessions) as session:
        payment = record_payment(session, req, actor=actor.username, today=_today())
        answer = _payment_answer(session, reg.profile, payment)
    return created(answer, f"/api/payments/{answer['id']}")


@bp.get("/payments/<int:payment_id>")
def payment_view(payment_id: int):
    """One payment (or reversal) with its allocations."""
    API.check("viewer", "read payments")
    check_id(payment_id, "payment")
    reg = registry()
    with reg.sessions() as session:
        body = _payment_answer(session, reg.profile, get_payment(session, payment_id))
    return jsonify(body)


@bp.post("/payments/<int:payment_id>/reverse")
def reverse_payment_view(payment_id: int):
    """Reverse a payment with a reason (finance only): 201 with the reversal."""
    actor = API.check("finance", "reverse payments")
    check_id(payment_id, "payment")
    body = json_body(REVERSAL)
    reg = registry()
    with unit_of_work(reg.sessions) as session:
        reversal = reverse_payment(
            session, payment_id, reason=body.get("reason"), actor=actor.username, today=_today()
        )
        answer = _payment_answer(session, reg.profile, reversal)
    return created(answer, f"/api/payments/{answer['id']}")
