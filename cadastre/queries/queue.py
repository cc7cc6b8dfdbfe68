"""The procedure's queues: the files waiting at a stage a role may complete ("waiting for
me") and the files whose decision is past its due day ("overdue"), a page at a time.

Both read the partial indexes on waiting applications (``ix_licences_waiting_stage``,
``ix_licences_decision_due``), so a page costs the same at 100,000 licences as at 100.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from cadastre.domain.procedure import role_stages
from cadastre.models import Holder, Licence
from cadastre.profile import Profile

#: The queues by name.
QUEUES = ("mine", "overdue")
PAGE = 50


def _waiting():
    return and_(Licence.stage.is_not(None), Licence.status.in_(("application", "approved")))


def queue_filter(profile: Profile, queue: str, role: str, today: date):
    """The WHERE clause of ``queue`` for a user of ``role`` on ``today``."""
    if queue == "overdue":
        return and_(_waiting(), Licence.decision_due < today)
    pairs = role_stages(profile.procedures.values(), role)
    if not pairs:
        return and_(_waiting(), False)
    return and_(
        _waiting(),
        or_(*(and_(Licence.licence_type == t, Licence.stage == s) for t, s in pairs)),
    )


def queue_page(
    session: Session,
    profile: Profile,
    queue: str,
    role: str,
    today: date,
    *,
    offset: int = 0,
    limit: int = PAGE,
    district: str | None = None,
) -> dict:
    """One page of a queue, the files due first, with the queue's total."""
    where = queue_filter(profile, queue, role, today)
    if district:
        where = and_(where, Licence.district == district)
    total = session.scalar(select(func.count()).select_from(Licence).where(where)) or 0
    # the page is chosen from licences alone and only its rows are joined to their holders
    # (joining every waiting file first costs a hash of all holders per page)
    page = (
        select(
            Licence.id, Licence.code, Licence.licence_type, Licence.stage, Licence.status,
            Licence.decision_due, Licence.received_at, Licence.district, Licence.holder_id,
        )
        .where(where)
        .order_by(Licence.decision_due.asc().nulls_last(), Licence.id)
        .offset(offset)
        .limit(limit)
        .subquery()
    )  # fmt: skip
    rows = session.execute(
        select(page, Holder.name)
        .join(Holder, Holder.id == page.c.holder_id)
        .order_by(page.c.decision_due.asc().nulls_last(), page.c.id)
    ).all()
    items = []
    for r in rows:
        procedure = profile.procedure(r.licence_type)
        stage = procedure.stage(r.stage) if procedure else None
        items.append(
            {
                "id": r.id,
                "code": r.code,
                "licence_type": r.licence_type,
                "holder": r.name,
                "district": r.district,
                "status": r.status,
                "stage": r.stage,
                "stage_label": stage.label if stage else r.stage,
                "stage_position": procedure.position(r.stage) if procedure else None,
                "stages": len(procedure.stages) if procedure else None,
                "roles": list(stage.roles) if stage else [],
                "decision_due": r.decision_due.isoformat() if r.decision_due else None,
                "days_left": (r.decision_due - today).days if r.decision_due else None,
                "overdue": bool(r.decision_due and r.decision_due < today),
                "received_at": r.received_at.isoformat() if r.received_at else None,
            }
        )
    return {"queue": queue, "total": total, "offset": offset, "limit": limit, "items": items}


def queue_counts(session: Session, profile: Profile, role: str, today: date) -> dict[str, int]:
    """How many files each queue holds for ``role``."""
    return {
        q: session.scalar(
            select(func.count()).select_from(Licence).where(queue_filter(profile, q, role, today))
        )
        or 0
        for q in QUEUES
    }
