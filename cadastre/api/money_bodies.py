"""The bodies the money endpoints take: a payment, a reversal (checked and documented)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cadastre.api.validation import Body, Text, _add, _finish


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
            {
                "oneOf": [
                    {"type": "string", "pattern": r"^\d{1,16}(\.\d{1,2})?$"},
                    {"type": "number", "minimum": 0, "exclusiveMinimum": True},
                ]
            },
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
