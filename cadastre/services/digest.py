"""The daily digest: one message per officer with an address, saying what waits for them.

What concerns an officer: the files waiting at a stage their role completes (the "waiting
for me" queue, ``queries.queue``) and the decisions past their due day: among those files
for an officer, across the office for a supervisor or an administrator, who answer for it.
Every digest also lists the holders' obligations past their due day, across the office (an
officer, a supervisor and an administrator alike record receipts or answer for the notices).
Officers with nothing waiting and nothing overdue get no message. Each digest's
``dedupe_key`` is the officer and the day, so running the command twice on a day queues one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from cadastre.domain.holder_rules import email_problem
from cadastre.domain.roles import role_allows
from cadastre.models import Licence, User
from cadastre.profile import Profile
from cadastre.queries.obligations_overdue import overdue_obligations
from cadastre.queries.queue import queue_filter, queue_page
from cadastre.services.outbox import queue_template

#: Files listed in a digest per list (the count says how many there are in all).
LISTED = 25
#: Roles that work files (a viewer or Finance has no queue of decisions).
DIGEST_ROLES = ("officer", "supervisor", "admin")


@dataclass
class DigestReport:
    """What ``queue_digests`` did."""

    queued: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    nothing: list[str] = field(default_factory=list)


def _line(item: dict) -> str:
    due = item["decision_due"] or "no due day"
    late = f", {-item['days_left']} days late" if item["overdue"] else ""
    return f"- {item['code']} {item['holder']}: {item['stage_label']} (decision due {due}{late})"


def _lines(items: list[dict], total: int) -> str:
    if not total:
        return "- none"
    more = total - len(items)
    return "\n".join(_line(i) for i in items) + (f"\n- … and {more} more" if more > 0 else "")


def _obligation_line(item: dict) -> str:
    notice = f"; notice {item['notice_id']}" if item["notice_id"] else ""
    return (
        f"- {item['code']} {item['holder']}: {item['label']} (due {item['due_on'].isoformat()}, "
        f"{item['days_overdue']} days overdue{notice})"
    )


def _obligation_lines(items: list[dict], total: int) -> str:
    if not total:
        return "- none"
    more = total - len(items)
    lines = "\n".join(_obligation_line(i) for i in items)
    return lines + (f"\n- … and {more} more" if more > 0 else "")


def digest_values(session: Session, profile: Profile, user: User, day: date) -> dict:
    """The digest's placeholders for ``user`` on ``day``."""
    mine = queue_page(session, profile, "mine", user.role, day, limit=LISTED)
    if role_allows(user.role, "supervisor"):
        overdue = queue_page(session, profile, "overdue", user.role, day, limit=LISTED)
        overdue_items, overdue_total = overdue["items"], overdue["total"]
    else:
        where = and_(queue_filter(profile, "mine", user.role, day), Licence.decision_due < day)
        overdue_total = session.scalar(select(func.count()).select_from(Licence).where(where))
        overdue_items = [i for i in mine["items"] if i["overdue"]]
    obligations, obligations_total = overdue_obligations(session, day, limit=LISTED)
    return {
        "officer": user.username,
        "role": user.role,
        "date": day.isoformat(),
        "waiting_count": mine["total"],
        "overdue_count": overdue_total or 0,
        "waiting": _lines(mine["items"], mine["total"]),
        "overdue": _lines(overdue_items, overdue_total or 0),
        "obligations_overdue_count": obligations_total,
        "obligations_overdue": _obligation_lines(obligations, obligations_total),
    }


def queue_digests(session: Session, profile: Profile, day: date) -> DigestReport:
    """Queue ``day``'s digest for every active officer with an address (once per day)."""
    report = DigestReport()
    users = session.scalars(
        select(User)
        .where(User.active.is_(True), User.email.is_not(None), User.role.in_(DIGEST_ROLES))
        .order_by(User.username)
    )
    for user in users:
        if email_problem(user.email or ""):
            continue
        values = digest_values(session, profile, user, day)
        if not (
            values["waiting_count"]
            or values["overdue_count"]
            or values["obligations_overdue_count"]
        ):
            report.nothing.append(user.username)
            continue
        queued = queue_template(
            session,
            "digest",
            values,
            to_address=user.email,
            to_name=user.username,
            dedupe_key=f"digest:{user.id}:{day.isoformat()}",
            user_id=user.id,
        )
        (report.queued if queued else report.already).append(user.username)
    return report
