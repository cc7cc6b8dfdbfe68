"""Money at the steps of a licence's life: the orders each step raises, and the grant that
waits for payment.

A type in the profile's ``money.pay_before_grant`` (Sierra Leone's artisanal licence) is not
granted until the application fee and the first annual charge are paid: a grant of an unpaid
application approves it instead (status ``approved``, the order to pay raised), and the
Cadastre Clerk finalises it once Finance has recorded the receipt. Other types are granted
at once and their first annual charge is raised with the grant.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from cadastre.domain.money import format_amount
from cadastre.errors import Conflict
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.services.charges import (
    cancel_unpaid_annual,
    raise_fee,
    raise_first_annual,
    unpaid_before_grant,
)

#: The decisions that may wait for money.
DECISIONS = ("approve", "grant", "finalise")


def waits_for_payment(
    session: Session,
    profile: Profile,
    licence: Licence,
    action: str,
    actor: str,
    when: datetime,
    reason: str | None,
) -> tuple[str, str | None]:
    """The status a decision leads to, and the reason to record with it.

    ``approve`` (and a ``grant`` of an unpaid pay-first application) leads to ``approved``
    with the first annual charge raised; a ``grant`` or ``finalise`` of an approved licence
    whose orders are unpaid is refused (409 naming them).
    """
    pay_first = licence.licence_type in profile.fees.pay_before_grant
    if action == "approve" or (pay_first and licence.status == "application"):
        raise_first_annual(session, profile, licence, actor=actor, on=when.date())
    if action == "approve":
        return "approved", reason
    unpaid = unpaid_before_grant(session, licence) if pay_first else []
    if not unpaid:
        return "granted", reason
    owed = "; ".join(
        f"{o.number} ({format_amount(o.amount - o.paid)} {o.currency})" for o in unpaid
    )
    if licence.status == "application" and action == "grant":
        waiting = f"Approved; the licence is granted once the order to pay is paid: {owed}."
        return "approved", f"{reason.strip()} — {waiting}" if reason else waiting
    raise Conflict(
        f"Licence {licence.code} cannot be granted yet: it waits for payment of {owed}. "
        "Finance records the bank receipt; then the licence can be finalised.",
        extra={"unpaid_orders": [o.number for o in unpaid]},
    )


def raise_action_fees(
    session: Session,
    profile: Profile,
    licence: Licence,
    action: str,
    actor: str,
    on: date,
    old_holder: int,
) -> None:
    """The orders a completed step raises: a grant's first annual charge (from the grant
    date), a renewal's or a transfer's fee (the transfer's owed by the holder who applied);
    and those a refusal or withdrawal cancels (an approved application's annual charge)."""
    if action in ("grant", "finalise") and licence.status == "granted":
        raise_first_annual(session, profile, licence, actor=actor, on=licence.granted_at or on)
    elif action == "renew":
        raise_fee(
            session,
            profile,
            licence,
            "renewal",
            actor=actor,
            on=on,
            key=f"renewal:{licence.renewals}",
        )
    elif action in ("refuse", "withdraw"):
        cancel_unpaid_annual(
            session, licence, actor=actor, reason=f"The application was {licence.status}."
        )
    elif action == "transfer":
        raise_fee(
            session,
            profile,
            licence,
            "transfer",
            actor=actor,
            on=on,
            key=f"transfer:{licence.version}",
            holder_id=old_holder,
        )
