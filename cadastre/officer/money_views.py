"""Money pages: the printable order to pay, the clerk's finalisation of an approved licence,
Finance's payment and reversal forms, the printable receipt, and the finance home.

Only ``finance`` records payments and reversals (the same rule as the API, through
``WEB.required``); anyone signed in reads orders and receipts, as anyone signed in reads
charges over the API. Every refusal redisplays the form with the message beside the field.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from cadastre.auth import WEB
from cadastre.errors import CadastreError, NotFound
from cadastre.forms import options
from cadastre.forms.money import FinaliseForm, PaymentForm, ReversalForm
from cadastre.models import Holder, OrderToPay, Payment, PaymentAllocation
from cadastre.officer import money_queries
from cadastre.officer.blueprint import bp
from cadastre.officer.common import field_errors, reading, work
from cadastre.officer.licence_views import render_detail
from cadastre.officer.money_panel import format_money, today
from cadastre.services.history import MAX_ID
from cadastre.services.licences import get_licence
from cadastre.services.lifecycle import perform_action
from cadastre.services.payments import (
    PaymentRequest,
    get_payment,
    record_payment,
    reverse_payment,
)
from cadastre.services.statements import order_status
from cadastre.state import registry


def _printed_at() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.get("/licences/<int:licence_id>/orders/<int:order_id>")
@login_required
def order_to_pay(licence_id: int, order_id: int):
    """The order to pay as the clerk issues it to the applicant: printable, to take to the bank."""
    with reading() as s:
        lic = get_licence(s, licence_id)
        order = s.get(OrderToPay, order_id) if 0 < order_id <= MAX_ID else None
        if order is None or order.licence_id != lic.id:
            raise NotFound(f"Licence {lic.code} has no order to pay {order_id}.")
        return render_template(
            "money/order.html",
            lic=lic,
            order=order,
            holder=order_holder(s, order),
            status=order_status(order, today()),
            money=format_money,
            profile=registry().profile,
            printed_at=_printed_at(),
        )


def order_holder(session, order: OrderToPay):
    """Who owes the order (the holder when it was raised, not necessarily today's)."""
    return session.get(Holder, order.holder_id)


@bp.post("/licences/<int:licence_id>/finalise")
@WEB.required("officer", "finalise a licence")
def licence_finalise(licence_id: int):
    """Finalise an approved licence (the API's 'finalise'); refused while the order to pay
    is unpaid, the message shown on the licence page."""
    form = FinaliseForm(prefix="finalise")
    errors: list[dict] = []
    if form.validate():
        try:
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            with work() as s:
                lic = perform_action(
                    s,
                    registry().profile,
                    licence_id,
                    "finalise",
                    actor=current_user.username,
                    reason=(form.reason.data or "").strip() or None,
                    expected_version=version,
                )
                code, status = lic.code, lic.status
            flash(f"{code}: finalised; the licence is now '{status}'.", "success")
            return redirect(url_for("officer.licence", licence_id=licence_id))
        except NotFound:
            raise
        except CadastreError as exc:
            errors, status = [{"field": "finalise", "message": exc.detail}], exc.status
    else:
        errors = [{"field": "finalise", "message": m} for ms in form.errors.values() for m in ms]
        status = 422
    body, _ = render_detail(licence_id, errors=field_errors(errors), finalise_form=form)
    return body, status


def _payment_form(form: PaymentForm, currencies: list[str]) -> PaymentForm:
    form.currency.choices = options((c, c) for c in currencies)
    return form


def _render_payment_form(form: PaymentForm, errors: dict, licence=None, status: int = 200):
    return render_template(
        "money/payment_new.html", form=form, errors=errors, licence=licence
    ), status


@bp.get("/payments/new")
@WEB.required("finance", "record payments")
def payment_new():
    """The payment form, for a licence (``?licence_id=``) or a holder (``?holder_id=``)."""
    form = PaymentForm(formdata=None)
    profile, licence = registry().profile, None
    with reading() as s:
        ref = (request.args.get("licence_id") or "").strip()[:60]
        holder_ref = (request.args.get("holder_id") or "").strip()[:12]
        licence = money_queries.licence_by_reference(s, ref) if ref else None
        holder_id = int(holder_ref) if holder_ref.isdigit() and int(holder_ref) <= MAX_ID else None
        currencies = money_queries.payable_currencies(
            s, profile, today(), holder_id, licence.id if licence else None
        )
    if licence is not None:
        form.licence_id.data = licence.code
    elif holder_id is not None:
        form.holder_id.data = str(holder_id)
    form.paid_on.data = today().isoformat()
    return _render_payment_form(_payment_form(form, currencies), {}, licence)


@bp.post("/payments/new")
@WEB.required("finance", "record payments")
def payment_record():
    """Record the payment through the payment service; refused: the form again, nothing stored."""
    form = PaymentForm()
    profile = registry().profile
    errors: list[dict] = []
    with reading() as s:
        licence = None
        ref = (form.licence_id.data or "").strip()
        if ref:
            licence = money_queries.licence_by_reference(s, ref[:60])
            if licence is None:
                missing = f"There is no licence '{ref[:40]}'."
                errors.append({"field": "licence_id", "message": missing})
        holder_ref = (form.holder_id.data or "").strip()
        holder_id = int(holder_ref) if holder_ref.isdigit() and int(holder_ref) <= MAX_ID else None
        currencies = money_queries.payable_currencies(
            s, profile, today(), holder_id, licence.id if licence else None
        )
    _payment_form(form, currencies)
    if not form.validate():
        errors += [{"field": n, "message": m} for n, ms in form.errors.items() for m in ms]
    if not errors:
        req = PaymentRequest(
            licence_id=licence.id if licence else None,
            holder_id=holder_ref or None,
            amount=form.amount.data,
            currency=form.currency.data,
            paid_on=form.paid_on.data,
            receipt_number=form.receipt_number.data,
            bank=form.bank.data,
            overpayment="credit" if form.credit.data else None,
        )
        try:
            with work() as s:
                payment = record_payment(s, req, actor=current_user.username, today=today())
                payment_id, number = payment.id, payment.receipt_number
            flash(f"Payment recorded from receipt {number}.", "success")
            return redirect(url_for("officer.payment_receipt", payment_id=payment_id))
        except CadastreError as exc:
            rename = {"overpayment": "credit", "payer": "licence_id"}
            errors = [
                {
                    "field": rename.get(e.get("field"), e.get("field") or "_form"),
                    "message": e.get("message"),
                }
                for e in exc.errors
            ]
            if not any(e["message"] == exc.detail for e in errors):
                errors.append({"field": "_form", "message": exc.detail})
            return _render_payment_form(form, field_errors(errors), licence, exc.status)
    return _render_payment_form(form, field_errors(errors), licence, 422)


def _receipt(payment_id: int, form: ReversalForm | None = None, errors=None, status=200):
    if not 0 < payment_id <= MAX_ID:
        abort(404)
    with reading() as s:
        payment = get_payment(s, payment_id)
        holder = order_holder(s, payment)
        licence = get_licence(s, payment.licence_id) if payment.licence_id else None
        allocations = s.execute(
            select(PaymentAllocation.amount, OrderToPay)
            .join(OrderToPay, OrderToPay.id == PaymentAllocation.order_id)
            .where(PaymentAllocation.payment_id == payment.id)
            .order_by(PaymentAllocation.id)
        ).all()
        reversed_by = s.scalar(select(Payment).where(Payment.reverses_id == payment.id))
        reverses = s.get(Payment, payment.reverses_id) if payment.reverses_id else None
        may_reverse = WEB.allows("finance") and reversed_by is None and reverses is None
        if may_reverse and form is None:
            form = ReversalForm(formdata=None)
        return render_template(
            "money/receipt.html",
            payment=payment,
            holder=holder,
            licence=licence,
            allocations=allocations,
            reversed_by=reversed_by,
            reverses=reverses,
            form=form if may_reverse else None,
            errors=errors or {},
            money=format_money,
            profile=registry().profile,
            printed_at=_printed_at(),
        ), status


@bp.get("/payments/<int:payment_id>/receipt")
@login_required
def payment_receipt(payment_id: int):
    """The printable receipt: number, payer, amount, what it paid, who recorded it."""
    return _receipt(payment_id)


@bp.post("/payments/<int:payment_id>/reverse")
@WEB.required("finance", "reverse payments")
def payment_reverse(payment_id: int):
    """Reverse a payment with its reason; refused: the receipt again with the message."""
    form = ReversalForm()
    errors: list[dict] = []
    if not form.validate():
        errors = [{"field": n, "message": m} for n, ms in form.errors.items() for m in ms]
    else:
        try:
            with work() as s:
                reversal = reverse_payment(
                    s,
                    payment_id,
                    reason=form.reason.data,
                    actor=current_user.username,
                    today=today(),
                )
                reversal_id = reversal.id
            flash("Payment reversed; its orders are open again.", "success")
            return redirect(url_for("officer.payment_receipt", payment_id=reversal_id))
        except NotFound:
            raise
        except CadastreError as exc:
            errors = list(exc.errors or []) or [{"field": "reason", "message": exc.detail}]
            status = exc.status
            return _receipt(payment_id, form, field_errors(errors), status)
    return _receipt(payment_id, form, field_errors(errors), 422)


@bp.get("/finance")
@login_required
def finance_home():
    """Finance's home: overdue orders, the oldest first, and the latest payments."""
    if not (WEB.allows("finance") or WEB.allows("supervisor")):
        WEB.check("finance", "see the finance pages")
    with reading() as s:
        rows = money_queries.arrears(s, today())
        totals = money_queries.arrears_totals(s, today())
        payments = money_queries.recent_payments(s)
    return render_template(
        "money/finance.html",
        arrears=rows,
        totals=totals,
        payments=payments,
        money=format_money,
        may_record_payment=WEB.allows("finance"),
    )
