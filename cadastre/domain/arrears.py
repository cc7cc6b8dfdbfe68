"""Arrears: when a default notice may be issued on a licence's unpaid orders.

An order is overdue the day after it falls due; the profile's grace period
(``money.grace_days``) then runs in full before a default notice may name it, so the first
day a notice is possible is ``due_on + grace_days + 1``. A notice names every order of the
licence past that day and not already named by a notice still unremedied. A supervisor may
follow the notice with suspension or revocation through the lifecycle; nothing here does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cadastre.domain.money import format_amount
from cadastre.errors import Conflict


@dataclass(frozen=True)
class UnpaidOrder:
    """An open order as the rule needs it."""

    id: int
    number: str
    kind: str
    due_on: date
    outstanding: Decimal
    currency: str
    #: Named by a default notice that is not yet remedied.
    noticed: bool = False


def notice_possible_on(due_on: date, grace_days: int) -> date:
    """The first day a default notice may name an order due on ``due_on``."""
    return due_on + timedelta(days=grace_days + 1)


def orders_for_default_notice(
    orders: list[UnpaidOrder], grace_days: int, today: date, licence: str = "the licence"
) -> list[UnpaidOrder]:
    """The orders a default notice issued ``today`` names, oldest due first; Conflict (409)
    saying from which day a notice becomes possible when none may be named yet."""
    unpaid = sorted((o for o in orders if o.outstanding > 0), key=lambda o: (o.due_on, o.id))
    past_grace = [o for o in unpaid if notice_possible_on(o.due_on, grace_days) <= today]
    fresh = [o for o in past_grace if not o.noticed]
    if fresh:
        return fresh
    if past_grace:
        raise Conflict(
            f"Every order of {licence} past its grace period is already named by a default "
            "notice that is not remedied: follow that notice (suspension or revocation once "
            "its remedy period runs out), or mark it remedied first.",
            extra={"orders": [o.number for o in past_grace]},
        )
    waiting = [o for o in unpaid if not o.noticed]
    if not waiting:
        raise Conflict(f"{licence} has no unpaid order: there is nothing to give notice of.")
    first = min(waiting, key=lambda o: notice_possible_on(o.due_on, grace_days))
    possible = notice_possible_on(first.due_on, grace_days)
    raise Conflict(
        f"No order of {licence} is past its due date and the grace period of {grace_days} "
        f"days yet: order {first.number} ({format_amount(first.outstanding)} "
        f"{first.currency}) fell due on {first.due_on.isoformat()}, so a default notice is "
        f"possible from {possible.isoformat()}.",
        extra={"possible_from": possible.isoformat(), "grace_days": grace_days},
    )


def breach_text(
    orders: list[UnpaidOrder], grace_days: int, grace_source: str, limit: int = 3500
) -> str:
    """The breach a default notice states: each order with its amount and due date, and
    where the grace period comes from (kept under ``limit`` characters: a page)."""
    head = "Failure to pay the following orders to pay by their due date and the grace period"
    lines = [f"{head} of {grace_days} days ({grace_source}):"]
    for i, o in enumerate(orders):
        line = (
            f"- order {o.number} ({o.kind.replace('_', ' ')}): "
            f"{format_amount(o.outstanding)} {o.currency} unpaid, due on {o.due_on.isoformat()}"
        )
        if sum(len(x) + 1 for x in lines) + len(line) > limit - 60:
            lines.append(f"- and {len(orders) - i} more order(s), listed in the ledger.")
            break
        lines.append(line)
    totals: dict[str, Decimal] = {}
    for o in orders:
        totals[o.currency] = totals.get(o.currency, Decimal(0)) + o.outstanding
    owed = ", ".join(f"{format_amount(v)} {c}" for c, v in sorted(totals.items()))
    lines.append(f"Total unpaid: {owed}.")
    return "\n".join(lines)
