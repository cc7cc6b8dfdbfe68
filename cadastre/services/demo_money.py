"""Money in the demo register: the receipts a Finance officer recorded over the years, and
this year's annual charges, most paid, some in part, some overdue.

The demo's history pays what its decisions raised on the day (the grant's first annual
charge, an artisanal licence's order to pay before it is finalised). Every demo licence is
charged from the day the demo is loaded (``licences.charges_from``), so ``cadastre charges
run`` does not invent years of arrears for titles the demo says were in good standing;
the charge of the year running today is raised and settled as a real register would show
it. Nothing is dated after today. No random draws: the demo's licences stay as they were.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cadastre.models import OrderToPay
from cadastre.profile import Profile
from cadastre.services.charges import run_charges
from cadastre.services.payments import pay_what_is_owed

#: The demo's Finance officer and the charges run's actor.
FINANCE = "demo:finance.bangura"
CHARGES_RUN = "demo:charges-run"
BANKS = (
    "Rokel Commercial Bank",
    "Sierra Leone Commercial Bank",
    "Ecobank Sierra Leone",
    "Union Trust Bank",
)
#: Of every ten charges of the current year: paid in full, paid in part, left unpaid.
PAID_IN_FULL, PAID_IN_PART = 7, 2


class DemoTill:
    """Records the demo's payments with receipt numbers of its own, never after ``today``."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.count = 0

    def pay(self, session: Session, licence_id: int, on: date, share: Decimal = Decimal(1)):
        """Pay ``share`` of what the licence owes, in each currency it owes, on ``on``."""

        def receipt(currency: str) -> str:
            self.count += 1
            return f"DEMO-{on.year}-{self.count:06d}"

        pay_what_is_owed(
            session,
            licence_id,
            receipt=receipt,
            paid_on=min(on, self.today),
            actor=FINANCE,
            today=self.today,
            share=share,
            bank=BANKS[(self.count + 1) % len(BANKS)],
        )


def charge_current_year(session: Session, profile: Profile, till: DemoTill) -> int:
    """Charge every demo licence from today, raise the year now running, settle most of it.

    Returns how many orders the run raised.
    """
    today = till.today
    session.execute(
        text("UPDATE licences SET charges_from = :d WHERE charges_from IS NULL"), {"d": today}
    )
    run = run_charges(session, profile, today, actor=CHARGES_RUN)
    raised = session.execute(
        select(OrderToPay.licence_id, OrderToPay.due_on)
        .where(OrderToPay.raised_by == CHARGES_RUN)
        .order_by(OrderToPay.id)
    ).all()
    for n, (licence_id, due_on) in enumerate(raised):
        step = n % 10
        on = min(today, due_on + timedelta(days=7 + step))
        if step < PAID_IN_FULL:
            till.pay(session, licence_id, on)
        elif step < PAID_IN_FULL + PAID_IN_PART:
            till.pay(session, licence_id, on, Decimal("0.5"))
    return run.raised
