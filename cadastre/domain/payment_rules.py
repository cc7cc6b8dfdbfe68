"""The rules a payment must meet before it is on the books, and how it is set against orders.

Oldest first: a payment pays the order that fell due first, then the next; what is left
after every open order is paid is an overpayment, kept as credit only when the payer says
so. A reversal undoes a payment; a reversal itself is never reversed (record the payment
again instead).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from cadastre.domain.money import format_amount
from cadastre.errors import Conflict, field_error

#: A bank receipt number: letters, digits and - / . (spaces are dropped, case is ignored).
RECEIPT = re.compile(r"^[A-Z0-9][A-Z0-9\-/.]{0,59}$")


def check_receipt_number(value: Any) -> str:
    """The receipt number as stored: upper case, without spaces (422 when unusable)."""
    if not isinstance(value, str) or not value.strip():
        raise field_error("receipt_number", "Give the bank's receipt number.")
    number = "".join(value.split()).upper()
    if not RECEIPT.match(number):
        raise field_error(
            "receipt_number",
            "A receipt number is up to 60 letters and digits (with - / . between them), as "
            "printed on the bank's receipt.",
        )
    return number


def check_paid_on(value: Any, today: date) -> date:
    """The day the bank received the money: a real date, not after ``today``."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise field_error("paid_on", f"'{value}' is not a date (YYYY-MM-DD).") from None
    else:
        shown = str(value)[:20] if value is not None else "nothing"
        raise field_error("paid_on", f"Give the date on the receipt as YYYY-MM-DD, not {shown}.")
    if day > today:
        raise field_error(
            "paid_on",
            f"The payment is dated {day.isoformat()}, after today ({today.isoformat()}): "
            "record it from the receipt once the bank has the money.",
        )
    if day.year < 1900:
        raise field_error("paid_on", f"{day.isoformat()} is not a plausible payment date.")
    return day


def check_overpayment(
    amount: Decimal, owed: Decimal, currency: str, overpayment: str | None
) -> None:
    """Refuse more than is owed unless the payer said where the rest goes."""
    if amount <= owed or overpayment == "credit":
        return
    extra = amount - owed
    owed_words = f"only {format_amount(owed)} {currency} is owed" if owed > 0 else "nothing is owed"
    raise field_error(
        "amount",
        f"The payment of {format_amount(amount)} {currency} is more than is owed: "
        f"{owed_words}. Say where the remaining {format_amount(extra)} {currency} goes: "
        "overpayment 'credit' keeps it on the holder's account for later orders.",
    )


def plan_allocation(
    amount: Decimal, open_orders: Iterable[tuple[int, Decimal]]
) -> list[tuple[int, Decimal]]:
    """(order, amount) pairs setting ``amount`` against the orders in the order given
    (oldest first), each up to what it still owes."""
    plan = []
    left = amount
    for order_id, outstanding in open_orders:
        if left <= 0:
            break
        take = min(left, outstanding)
        if take > 0:
            plan.append((order_id, take))
            left -= take
    return plan


def check_reversal(
    *, is_reversal: bool, reversed_on: date | None, reason: Any, max_reason: int
) -> str:
    """May this payment be reversed? Its reason, trimmed (409 or 422 otherwise)."""
    if is_reversal:
        raise Conflict(
            "This is a reversal; a reversal cannot itself be reversed. If the money did "
            "arrive after all, record the payment again from its receipt."
        )
    if reversed_on is not None:
        raise Conflict(f"This payment was already reversed on {reversed_on.isoformat()}.")
    if not isinstance(reason, str) or not reason.strip():
        raise field_error("reason", "Give the reason for the reversal: it is kept on record.")
    if len(reason) > max_reason or "\x00" in reason:
        raise field_error("reason", f"The reason must be text of at most {max_reason} characters.")
    return reason.strip()
