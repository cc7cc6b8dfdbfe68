"""Open obligations past their due day, the longest overdue first: the dashboard's count and
list, a holder's page, the officers' digest. Overdue is judged as everywhere else
(``domain.obligations.is_overdue``: open and due before ``today``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cadastre.models import Holder, Licence, LicenceObligation


def _where(today: date, holder_id: int | None):
    conds = [LicenceObligation.status == "open", LicenceObligation.due_on < today]
    if holder_id is not None:
        conds.append(Licence.holder_id == holder_id)
    return conds


def overdue_count(session: Session, today: date, *, holder_id: int | None = None) -> int:
    """How many open obligations are past their due day (of ``holder_id``'s licences)."""
    stmt = select(func.count()).select_from(LicenceObligation)
    if holder_id is not None:
        stmt = stmt.join(Licence, Licence.id == LicenceObligation.licence_id)
    return session.scalar(stmt.where(*_where(today, holder_id))) or 0


def overdue_obligations(
    session: Session,
    today: date,
    *,
    offset: int = 0,
    limit: int = 50,
    holder_id: int | None = None,
) -> tuple[list[dict], int]:
    """A page of overdue obligations (each with its licence and holder) and how many in all."""
    stmt = (
        select(
            LicenceObligation.id,
            LicenceObligation.licence_id,
            LicenceObligation.label,
            LicenceObligation.due_on,
            LicenceObligation.document_kind,
            LicenceObligation.notice_id,
            Licence.code,
            Licence.holder_id,
            Holder.name.label("holder"),
        )
        .join(Licence, Licence.id == LicenceObligation.licence_id)
        .join(Holder, Holder.id == Licence.holder_id)
        .where(*_where(today, holder_id))
        .order_by(LicenceObligation.due_on, LicenceObligation.id)
        .offset(offset)
        .limit(limit)
    )
    items = [
        {**row._asdict(), "days_overdue": (today - row.due_on).days}
        for row in session.execute(stmt)
    ]
    return items, overdue_count(session, today, holder_id=holder_id)
