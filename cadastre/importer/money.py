"""Legacy money on the register's rows: an outstanding balance, the date annual charges are
paid up to, and a payment record (receipt number, date, amount, currency, bank).

All optional columns. What they become (``importer.money_store``): the balance one order to
pay of kind ``legacy`` per licence, due on the import date; the "charges paid to" date the
licence's ``charges_from`` (without it, the import date: ``cadastre charges run`` then
charges the year running at import and later ones, never years the old register settled);
a payment record a payment by the import, set against a settled ``legacy`` order of its
amount, so every receipt is on the books and nothing is left as credit by mistake.

A value that cannot be recorded faithfully (a negative or unreadable amount, a currency the
fee schedules do not use, a payment dated after the as-of date, a receipt number used
twice) refuses the row, with the reason in words: a licence without its money would be
half stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.fees import FeeRules
from cadastre.domain.money import format_amount, parse_amount, parse_currency
from cadastre.domain.payment_rules import check_receipt_number
from cadastre.errors import ValidationError
from cadastre.importer import normalise as norm

#: The optional money fields of a register row.
MONEY_FIELDS = (
    "balance",
    "balance_currency",
    "charges_paid_to",
    "receipt_number",
    "paid_on",
    "paid_amount",
    "paid_currency",
    "bank",
)
MONEY_WORDS = {
    "balance": "the outstanding balance",
    "balance_currency": "the balance's currency",
    "charges_paid_to": "the date annual charges are paid to",
    "receipt_number": "the payment's receipt number",
    "paid_on": "the payment date",
    "paid_amount": "the amount paid",
    "paid_currency": "the payment's currency",
    "bank": "the bank",
}
#: Cells that make a payment record (a currency or bank alone does not).
_PAYMENT = ("receipt_number", "paid_on", "paid_amount")
MAX_BANK = 120


@dataclass
class LegacyPayment:
    """A receipt from the old register, checked."""

    receipt_number: str
    paid_on: date
    amount: Decimal
    currency: str
    bank: str | None
    #: Already in the register from an earlier import of the same file: not recorded again.
    known: bool = False

    @property
    def key(self) -> str:
        """The key of the settled ``legacy`` order it pays (unique per licence, <= 40)."""
        key = f"legacy:{self.receipt_number}"
        if len(key) <= 40:
            return key
        return "legacy:" + hashlib.sha256(self.receipt_number.encode()).hexdigest()[:33]


@dataclass
class LegacyMoney:
    """A row's money, checked: what the import records for its licence."""

    balance: Decimal | None = None
    currency: str | None = None
    charges_paid_to: date | None = None
    payment: LegacyPayment | None = None


def currencies(fees: FeeRules) -> set[str]:
    """Every currency the profile's fee schedules charge in."""
    out = set()
    for schedule in fees.schedules:
        for spec in schedule.types.values():
            for fee in (spec.application, spec.renewal, spec.transfer, spec.amendment):
                if fee is not None:
                    out.add(fee.currency)
            if spec.annual_charge is not None:
                out.add(spec.annual_charge.currency)
    return out


def type_currency(fees: FeeRules, licence_type: str | None, day: date) -> str | None:
    """The currency a type's annual charge (else its application fee) is in on ``day``."""
    spec, _ = fees.type_fees(licence_type or "", day)
    if spec is None and fees.schedules:
        spec = fees.schedules[-1].types.get(licence_type or "")
    if spec is None:
        return None
    if spec.annual_charge is not None:
        return spec.annual_charge.currency
    return spec.application.currency if spec.application is not None else None


class MoneyReader:
    """Reads and checks the money cells of each row (only the columns the file has)."""

    def __init__(self, fees: FeeRules, columns: dict[str, str], as_of: date) -> None:
        self.fees, self.as_of = fees, as_of
        self.present = [f for f in MONEY_FIELDS if f in columns]
        self.known = currencies(fees)
        self.seen_receipts: dict[str, str] = {}

    def read(self, row, value) -> LegacyMoney | None:
        """The row's money (None when the file has no money columns); faults become the
        row's errors, the currency filled in becomes a warning."""
        if not self.present:
            return None
        money = LegacyMoney()
        faults: list[str] = []
        money.balance = self._amount(value("balance"), "The outstanding balance", faults, True)
        if money.balance:
            money.currency = self._currency(value("balance_currency"), row, "balance", faults)
        try:
            money.charges_paid_to = norm.parse_date(value("charges_paid_to"))
        except ValueError as exc:
            faults.append(f"The date annual charges are paid to cannot be read ({exc}).")
        if any(not norm.is_blank(value(f)) for f in _PAYMENT):
            money.payment = self._payment(row, value, faults)
        row.errors.extend(faults)
        return money

    def _amount(self, cell: Any, words: str, faults: list, zero_ok: bool) -> Decimal | None:
        if norm.is_blank(cell):
            return None
        shown = _plain(cell)
        if zero_ok and isinstance(shown, str) and _is_zero(shown):
            return Decimal(0)
        try:
            return parse_amount(shown)
        except ValidationError as exc:
            faults.append(f"{words}: {exc.errors[0]['message']}" if exc.errors else str(exc))
            return None

    def _currency(self, cell: Any, row, what: str, faults: list) -> str | None:
        if norm.is_blank(cell):
            filled = type_currency(self.fees, row.licence_type, self.as_of)
            if filled is None:
                faults.append(f"The {what} has no currency, and the licence type sets none.")
            else:
                row.warnings.append(
                    f"The {what} has no currency; taken as {filled}, the currency of the "
                    "licence type's charges."
                )
            return filled
        try:
            code = parse_currency(_plain(cell))
        except ValidationError as exc:
            faults.append(f"The {what}'s currency: {exc.errors[0]['message']}")
            return None
        if code not in self.known:
            faults.append(
                f"The {what}'s currency {code} is not one the fee schedules charge in "
                f"({', '.join(sorted(self.known))})."
            )
            return None
        return code

    def _payment(self, row, value, faults: list) -> LegacyPayment | None:
        before = len(faults)
        receipt = None
        try:
            receipt = check_receipt_number(_plain(value("receipt_number")))
        except ValidationError as exc:
            faults.append(f"The payment's receipt number: {exc.errors[0]['message']}")
        paid_on = self._paid_on(value("paid_on"), faults)
        amount = self._amount(value("paid_amount"), "The amount paid", faults, False)
        if amount is None and norm.is_blank(value("paid_amount")):
            faults.append("The payment has no amount.")
        cell = value("paid_currency")
        currency = self._currency(
            value("balance_currency") if norm.is_blank(cell) else cell, row, "payment", faults
        )
        bank = norm.text_value(value("bank"))
        if bank is not None and len(bank) > MAX_BANK:
            faults.append(f"The bank's name is longer than {MAX_BANK} characters.")
        if receipt is not None:
            first = self.seen_receipts.get(receipt)
            if first is not None:
                faults.append(
                    f"The receipt number {receipt} was already used at {first} of this file; "
                    "each bank receipt is recorded once."
                )
            else:
                self.seen_receipts[receipt] = row.label
        if len(faults) > before:
            return None
        return LegacyPayment(receipt, paid_on, amount, currency, bank)

    def _paid_on(self, cell: Any, faults: list) -> date | None:
        try:
            day = norm.parse_date(cell)
        except ValueError as exc:
            faults.append(f"The payment date cannot be read ({exc}).")
            return None
        if day is None:
            faults.append("The payment has no date.")
        elif day > self.as_of:
            faults.append(
                f"The payment is dated {day.isoformat()}, after the as-of date "
                f"{self.as_of.isoformat()} of the register file."
            )
            return None
        return day


def check_receipts_unused(session: Session, rows) -> None:
    """Refuse a row whose receipt the register already holds for another payment; a receipt
    the register holds for the same licence, amount and date (the file imported before) is
    not recorded again."""
    paying = {r.money.payment.receipt_number: r for r in rows if _payment_of(r)}
    if not paying:
        return
    held = session.execute(
        text(
            "SELECT p.receipt_number, p.amount, p.currency, p.paid_on, l.code "
            "FROM payments p LEFT JOIN licences l ON l.id = p.licence_id "
            "WHERE p.receipt_number = ANY(:r)"
        ),
        {"r": list(paying)},
    ).all()
    for number, amount, currency, paid_on, code in held:
        row = paying[number]
        pay = row.money.payment
        if (code, amount, currency, paid_on) == (row.code, pay.amount, pay.currency, pay.paid_on):
            pay.known = True
            row.warnings.append(f"The receipt {number} is already recorded; not recorded again.")
            continue
        row.errors.append(
            f"The receipt number {number} is already recorded: a payment of "
            f"{format_amount(amount)} {currency} on {paid_on.isoformat()}"
            + (f" for licence {code}" if code else "")
            + ". Each bank receipt is recorded once."
        )


def _payment_of(row) -> bool:
    return row.money is not None and row.money.payment is not None and not row.refused


def _plain(value: Any) -> Any:
    """A cell as text where a spreadsheet gave a number (amounts are never floats here)."""
    if isinstance(value, float):
        return repr(value) if value == value else "NaN"
    return value


def _is_zero(text: str) -> bool:
    try:
        return Decimal(text.replace(",", "").strip()) == 0
    except ArithmeticError:
        return False
