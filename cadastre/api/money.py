"""Money over the API: a licence's charges, payments and their reversal, holder statements.

Anyone signed in reads charges and statements; only the ``finance`` role records payments
and reversals. Amounts travel as exact decimal strings (``"1500.00"``); a payment's amount
may also be sent as a JSON number, which is read exactly, never through a float.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify, request
from sqlalchemy import select

from cadastre.api.blueprint import bp
from cadastre.api.common import check_id, created, json_body
from cadastre.api.money_bodies import PAYMENT, REVERSAL
from cadastre.auth import API
from cadastre.db import unit_of_work
from cadastre.domain.money_reports import parse_year
from cadastre.models import OrderToPay, PaymentAllocation
from cadastre.services.holders import get_holder
from cadastre.services.licences import get_licence
from cadastre.services.payments import PaymentRequest, get_payment, record_payment, reverse_payment
from cadastre.services.statements import holder_statement, licence_charges, payment_to_dict
from cadastre.state import registry


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
    year = parse_year(request.args.get("year"), None)
    with registry().sessions() as session:
        holder = get_holder(session, holder_id)
        body = holder_statement(session, holder, _today(), year=year)
    return jsonify(body)


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
