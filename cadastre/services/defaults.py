"""Default notices: a licence notice on orders left unpaid past the grace period, and its
remedy once payments settle every order it names.

The notice is an ordinary licence notice (``services.notices``): the supervisor may follow
it with suspension or revocation through the lifecycle once its remedy period runs out
unremedied; nothing here suspends or revokes. It names the holder's own orders on the
licence (a transfer does not move an earlier holder's debts to the new one).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.arrears import UnpaidOrder, breach_text, orders_for_default_notice
from cadastre.models import LicenceNotice, OrderToPay
from cadastre.profile import Profile
from cadastre.services.history import get_licence
from cadastre.services.ledger import lock_holder_money, plain, record_money
from cadastre.services.notices import issue_notice, mark_remedied

CAUSE = (
    "The holder has failed to pay the annual charges or fees due on the licence, as set out below."
)


def _unpaid(session: Session, licence_id: int, holder_id: int) -> list[OrderToPay]:
    return list(
        session.scalars(
            select(OrderToPay)
            .where(
                OrderToPay.licence_id == licence_id,
                OrderToPay.holder_id == holder_id,
                OrderToPay.status == "open",
            )
            .order_by(OrderToPay.due_on, OrderToPay.id)
            .with_for_update()
        )
    )


def _open_notice_ids(session: Session, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(LicenceNotice.id).where(
                LicenceNotice.id.in_(ids), LicenceNotice.remedied_at.is_(None)
            )
        )
    )


def issue_default_notice(
    session: Session,
    profile: Profile,
    licence_id: int,
    *,
    actor: str,
    today: date,
    at: datetime | None = None,
) -> tuple[LicenceNotice, list[OrderToPay]]:
    """Issue a default notice on a licence's orders unpaid past due and grace; record it on
    the orders and in the ledger. 409 (saying from which day) when no order qualifies."""
    licence = get_licence(session, licence_id)
    lock_holder_money(session, licence.holder_id)
    orders = _unpaid(session, licence.id, licence.holder_id)
    still_open = _open_notice_ids(session, {o.default_notice_id for o in orders} - {None})
    chosen = orders_for_default_notice(
        [
            UnpaidOrder(
                id=o.id,
                number=o.number,
                kind=o.kind,
                due_on=o.due_on,
                outstanding=o.amount - o.paid,
                currency=o.currency,
                noticed=o.default_notice_id in still_open,
            )
            for o in orders
        ],
        profile.fees.grace_days,
        today,
        licence=f"licence {licence.code}",
    )
    breach = breach_text(chosen, profile.fees.grace_days, profile.fees.grace_source)
    notice = issue_notice(
        session, profile, licence.id, actor=actor, breach=breach, cause=CAUSE, at=at
    )
    by_id = {o.id: o for o in orders}
    named = [by_id[c.id] for c in chosen]
    for order in named:
        order.default_notice_id = notice.id
    record_money(
        session,
        holder_id=licence.holder_id,
        licence_id=licence.id,
        action="default_notice",
        actor=actor,
        reason=breach,
        after={
            "notice_id": notice.id,
            "remedy_by": notice.remedy_by.isoformat(),
            "grace_days": profile.fees.grace_days,
            "grace_source": profile.fees.grace_source,
            "orders": [
                {
                    "order": o.number,
                    "amount": plain(o.amount - o.paid),
                    "currency": o.currency,
                    "due_on": o.due_on.isoformat(),
                }
                for o in named
            ],
        },
    )
    session.flush()
    return notice, named


def remedy_settled_notices(session: Session, orders: list[OrderToPay], *, actor: str) -> None:
    """After an allocation: mark remedied each default notice among ``orders`` whose every
    named order is now settled (paid or cancelled)."""
    notice_ids = sorted({o.default_notice_id for o in orders if o.default_notice_id})
    for notice_id in sorted(_open_notice_ids(session, set(notice_ids))):
        unsettled = session.scalar(
            select(OrderToPay.id).where(
                OrderToPay.default_notice_id == notice_id, OrderToPay.status == "open"
            )
        )
        if unsettled is not None:
            continue
        notice = session.get(LicenceNotice, notice_id)
        mark_remedied(
            session,
            notice.licence_id,
            notice_id,
            actor=actor,
            note="Every order the default notice names is paid.",
            at=datetime.now(UTC),
        )
