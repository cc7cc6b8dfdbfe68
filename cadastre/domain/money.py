"""Money as the law counts it: exact decimal amounts, always with their currency.

Never a float: amounts are ``Decimal`` rounded to the currency's minor unit (two places),
half up, as receipts and gazettes round. Input is read from text or integers only, so
``0.1 + 0.2`` can never reach a ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cadastre.errors import field_error

CENT = Decimal("0.01")
#: Largest amount a ledger column holds (NUMERIC(18, 2)); larger input is refused, not stored.
MAX_AMOUNT = Decimal("9999999999999999.99")
#: ISO 4217 codes: three capital letters (SLE is the new leone, USD the US dollar).
CURRENCY = re.compile(r"^[A-Z]{3}$")
_PLAIN = re.compile(r"^[+-]?(\d{1,16})(\.\d{1,2})?$")


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency."""

    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.currency}"


def cents(value: Decimal) -> Decimal:
    """``value`` rounded to the minor unit, half up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal) -> str:
    """``1234.5`` -> ``1,234.50`` (for pages and letters; the API sends plain strings)."""
    return f"{cents(value):,.2f}"


def parse_amount(value: object, field: str = "amount") -> Decimal:
    """An amount a person typed or sent: text or an integer, at most two decimal places,
    greater than zero. 422 naming ``field`` otherwise (floats are refused: they are not
    exact)."""
    if isinstance(value, bool) or value is None:
        raise field_error(field, "Give the amount as a number such as 1500.00.")
    if isinstance(value, float):
        raise field_error(
            field,
            'Send the amount as text ("1500.00") or a whole number: a decimal '
            "number in JSON is not exact enough for money.",
        )
    text = str(value).strip().replace(",", "") if isinstance(value, (str, int, Decimal)) else None
    if text is None or not _PLAIN.match(text):
        shown = str(value)[:40]
        raise field_error(
            field,
            f"'{shown}' is not an amount: write digits with at most two decimal places, "
            "such as 1500.00.",
        )
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise field_error(field, f"'{text}' is not an amount.") from None
    if amount <= 0:
        raise field_error(field, f"The amount must be greater than zero, not {text}.")
    if amount > MAX_AMOUNT:
        raise field_error(field, f"The amount {text} is larger than any the ledger holds.")
    return cents(amount)


def parse_currency(value: object, field: str = "currency") -> str:
    """An ISO 4217 code such as SLE or USD (422 naming ``field`` otherwise)."""
    text = value.strip().upper() if isinstance(value, str) else ""
    if not CURRENCY.match(text):
        shown = str(value)[:20] if value is not None else "nothing"
        raise field_error(
            field, f"'{shown}' is not a currency code: give three letters such as SLE or USD."
        )
    return text
