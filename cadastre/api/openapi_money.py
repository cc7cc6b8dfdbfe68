"""The OpenAPI path items of money: charges, payments and their reversal, statements."""

from __future__ import annotations

from typing import Any

from cadastre.api.money_bodies import PAYMENT, REVERSAL
from cadastre.api.openapi_schemas import (
    BEARER,
    HOLDER_ID,
    LICENCE_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    json_body,
    param,
    problem,
    request_body,
)

AMOUNT = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "description": "exact, e.g. 1500.00"}
DAY = {"type": "string", "format": "date"}
ORDER: dict = {
    "type": "object",
    "description": "An order to pay: what the state asks of a holder for a licence.",
    "properties": {
        "id": {"type": "integer"},
        "number": {"type": "string", "description": "printed on the order, e.g. OP/2026/000042"},
        "licence_id": {"type": "integer"},
        "licence_code": {"type": "string"},
        "holder_id": {"type": "integer"},
        "kind": {
            "type": "string",
            "enum": ["application", "annual_charge", "renewal", "transfer", "amendment", "legacy"],
        },
        "year_of_term": {"type": "integer", "nullable": True},
        "period_start": {**DAY, "nullable": True},
        "period_end": {**DAY, "nullable": True, "description": "the day after the period"},
        "amount": AMOUNT,
        "currency": {"type": "string", "description": "ISO 4217"},
        "paid": AMOUNT,
        "outstanding": AMOUNT,
        "raised_on": DAY,
        "due_on": DAY,
        "paid_on": {**DAY, "nullable": True},
        "status": {"type": "string", "enum": ["open", "overdue", "paid", "cancelled"]},
        "basis": {"type": "string", "description": "how the amount was reached, in words"},
        "schedule_from": {**DAY, "nullable": True, "description": "the schedule it follows"},
        "default_notice_id": {"type": "integer", "nullable": True},
    },
}
PAYMENT_SCHEMA: dict = {
    "type": "object",
    "description": "A payment from its bank receipt, or (negative) the reversal of one.",
    "properties": {
        "id": {"type": "integer"},
        "holder_id": {"type": "integer"},
        "licence_id": {"type": "integer", "nullable": True},
        "amount": AMOUNT,
        "currency": {"type": "string"},
        "paid_on": DAY,
        "bank": {"type": "string", "nullable": True},
        "receipt_number": {"type": "string", "nullable": True},
        "unallocated": {**AMOUNT, "description": "kept as credit for later orders"},
        "reverses_id": {"type": "integer", "nullable": True},
        "reversed_by_id": {"type": "integer", "nullable": True},
        "reason": {"type": "string", "nullable": True},
        "recorded_by": {"type": "string"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "allocations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "order": {"type": "string"},
                    "amount": AMOUNT,
                    "status": {"type": "string"},
                },
            },
        },
        "licence_balance": {
            "type": "object",
            "properties": {"currency": {"type": "string"}, "balance": AMOUNT},
        },
    },
}
BALANCE = {
    "type": "object",
    "properties": {
        "currency": {"type": "string"},
        "owed": AMOUNT,
        "overdue": AMOUNT,
        "credit": AMOUNT,
        "balance": {**AMOUNT, "description": "owed less credit"},
    },
}
CHARGES = {
    "type": "object",
    "properties": {
        "licence_id": {"type": "integer"},
        "code": {"type": "string"},
        "holder_id": {"type": "integer"},
        "currency": {"type": "string", "nullable": True, "description": "the type's fees' money"},
        "balance": {**AMOUNT, "description": "owed less credit, in currency"},
        "overdue": AMOUNT,
        "balances": {"type": "array", "items": BALANCE},
        "orders": {"type": "array", "items": ORDER},
        "payments": {"type": "array", "items": PAYMENT_SCHEMA},
    },
}
STATEMENT = {
    "type": "object",
    "properties": {
        "holder_id": {"type": "integer"},
        "holder": {"type": "string"},
        "as_of": DAY,
        "year": {"type": "integer", "nullable": True},
        "balances": {"type": "array", "items": BALANCE},
        "orders": {"type": "array", "items": ORDER},
        "payments": {"type": "array", "items": PAYMENT_SCHEMA},
    },
}
PAYMENT_ID = param("payment_id", "path", {"type": "integer"})


def money_paths() -> dict[str, Any]:
    """Charges of a licence, payments and reversals (finance), holder statements."""
    reading = {"tags": ["money"], "security": BEARER}
    missing = problem("No such licence, holder or payment")
    signed = {
        "401": problem("No valid bearer token (or web session)"),
        "403": problem("The caller's role may not read this"),
    }
    return {
        "/api/licences/{licence_id}/charges": {
            "parameters": [LICENCE_ID],
            "get": {
                **reading,
                "summary": "A licence's orders to pay, payments and balance (viewer and above)",
                "responses": {"200": json_body(CHARGES), "404": missing, **signed, **READ_ERRORS},
            },
        },
        "/api/holders/{holder_id}/statement": {
            "parameters": [HOLDER_ID],
            "get": {
                **reading,
                "summary": "A holder's statement: orders, payments, balance per currency",
                "parameters": [
                    param(
                        "year",
                        "query",
                        {"type": "integer", "minimum": 1900},
                        "only the orders raised and payments made in this year",
                    )
                ],  # fmt: skip
                "responses": {"200": json_body(STATEMENT), "404": missing, **signed, **READ_ERRORS},
            },
        },
        "/api/payments": {
            "post": {
                **reading,
                "summary": "Record a payment from its bank receipt (finance only)",
                "description": "For a licence (its oldest open orders are paid first) or a "
                "holder's account. Refused (422, nothing stored): an amount not above zero or "
                "with more than two decimals, a currency none of the open orders is in, a date "
                "after today, more than is owed unless overpayment is 'credit'; 409 for a "
                "receipt number already recorded.",
                "requestBody": request_body(PAYMENT),
                "responses": {
                    "201": json_body(PAYMENT_SCHEMA, "Recorded; Location names it"),
                    "409": problem("The receipt number is already recorded"),
                    **WRITE_ERRORS,
                },
            },
        },
        "/api/payments/{payment_id}": {
            "parameters": [PAYMENT_ID],
            "get": {
                **reading,
                "summary": "One payment or reversal, with its allocations",
                "responses": {
                    "200": json_body(PAYMENT_SCHEMA),
                    "404": missing,
                    **signed,
                    **READ_ERRORS,
                },
            },
        },
        "/api/payments/{payment_id}/reverse": {
            "parameters": [PAYMENT_ID],
            "post": {
                **reading,
                "summary": "Reverse a payment the bank did not honour (finance only)",
                "description": "A negative payment pointing at it; its orders open again. A "
                "reversal is never reversed, nor a payment twice (409).",
                "requestBody": request_body(REVERSAL),
                "responses": {
                    "201": json_body(PAYMENT_SCHEMA, "The reversal"),
                    "404": missing,
                    "409": problem("Already reversed, or itself a reversal"),
                    **WRITE_ERRORS,
                },
            },
        },
    }
