"""The licence page's Money section: the orders to pay, the payments, the balance, and for
an approved licence what its grant waits for and the clerk's "Finalise licence" button."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from cadastre.auth import WEB
from cadastre.domain.money import format_amount
from cadastre.forms.money import FinaliseForm
from cadastre.models import Licence
from cadastre.officer.procedure_panel import in_procedure
from cadastre.profile import Profile
from cadastre.services.charges import unpaid_before_grant
from cadastre.services.statements import licence_charges


def today():
    """The day money is reckoned on (UTC, as the API reckons it)."""
    return datetime.now(UTC).date()


def money_context(
    session: Session, profile: Profile, lic: Licence, finalise_form: FinaliseForm | None = None
) -> dict:
    """What the Money section shows and which of its links the signed-in user may follow."""
    charges = licence_charges(session, profile, lic, today())
    waiting = []
    if lic.status == "approved":
        waiting = [
            {
                "id": o.id,
                "number": o.number,
                "outstanding": f"{format_amount(o.amount - o.paid)} {o.currency}",
            }
            for o in unpaid_before_grant(session, lic)
        ]
    # In a procedure the clerk finalises through the stage form (its finalisation stage)
    may_finalise = (
        lic.status == "approved" and WEB.allows("officer") and not in_procedure(profile, lic)
    )
    if may_finalise and finalise_form is None:
        finalise_form = FinaliseForm(prefix="finalise", formdata=None)
    if finalise_form is not None:
        finalise_form.version.data = str(lic.version)
    return {
        "charges": charges,
        "waiting": waiting,
        "finalise_form": finalise_form if may_finalise else None,
        "may_record_payment": WEB.allows("finance"),
        "money": format_money,
    }


def format_money(amount: object, currency: str | None = None) -> str:
    """``"1500.5"`` -> ``1,500.50`` (with the currency when given), for the templates."""
    text = format_amount(Decimal(str(amount)))
    return f"{text} {currency}" if currency else text
