"""Read queries behind the officer pages: the filtered licence list, dashboard figures.

PostGIS and SQL do the counting and paging; no page loads every licence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, and_, asc, desc, func, or_, select
from sqlalchemy.orm import Session

from cadastre.domain.holder_privacy import holder_projection
from cadastre.domain.lifecycle import LIVE_STATUSES
from cadastre.models import Holder, Licence, LicenceEvent
from cadastre.queries.queue import QUEUES, queue_counts, queue_filter, queue_page
from cadastre.services.history import MAX_ID
from cadastre.services.holders import holder_to_dict, search_condition

SORTS = {
    "code": Licence.code,
    "received": Licence.received_at,
    "type": Licence.licence_type,
    "status": Licence.status,
    "area": Licence.area_ha,
    "holder": Holder.name,
    "expires": Licence.expires_at,
    "border": Licence.border_distance_km,
}
PAGE_SIZES = (25, 50, 100)


@dataclass
class ListFilter:
    """What the list page was asked for, cleaned (odd values are ignored, never an error)."""

    licence_type: str = ""
    status: str = ""
    holder_id: int | None = None
    commodity: str = ""
    tier: str = ""
    district: str = ""
    #: Only licences flagged for an officer (e.g. legacy titles breaking today's rules).
    flagged: bool = False
    q: str = ""
    sort: str = "received"
    direction: str = "desc"
    page: int = 1
    per_page: int = 25
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args, profile) -> ListFilter:
        """Read the query string; unknown values are dropped with a note."""
        f = cls()
        f.licence_type = args.get("type", "") if args.get("type") in profile.licence_types else ""
        from cadastre.models.licences import LICENCE_STATUSES

        f.status = args.get("status", "") if args.get("status") in LICENCE_STATUSES else ""
        f.commodity = (
            args.get("commodity", "") if args.get("commodity") in profile.commodities else ""
        )
        tiers = {t.name for t in profile.tiers} | {"none"}
        f.tier = args.get("tier", "") if args.get("tier") in tiers else ""
        f.district = (args.get("district") or "").strip()[:60]  # free text on the licence
        f.flagged = args.get("flagged") in ("1", "on", "yes", "true")
        f.q = (args.get("q") or "").strip()[:100]
        try:
            f.holder_id = int(args["holder"]) if args.get("holder") else None
        except ValueError:
            f.problems.append("The holder filter was not a number and was ignored.")
        if f.holder_id is not None and not 0 < f.holder_id <= MAX_ID:  # no such holder
            f.holder_id = None
            f.problems.append("The holder filter was not a holder's number and was ignored.")
        f.sort = args.get("sort") if args.get("sort") in SORTS else "received"
        f.direction = "asc" if args.get("dir") == "asc" else "desc"
        try:
            f.page = max(1, min(int(args.get("page", 1)), 100_000))
        except ValueError:
            f.page = 1
        try:
            size = int(args.get("per_page", 25))
            f.per_page = size if size in PAGE_SIZES else 25
        except ValueError:
            f.per_page = 25
        return f

    def args(self, **changes) -> dict:
        """Query-string arguments for links (paging, sorting) keeping the filters."""
        out = {
            "type": self.licence_type,
            "status": self.status,
            "holder": self.holder_id or "",
            "commodity": self.commodity,
            "tier": self.tier,
            "district": self.district,
            "flagged": "1" if self.flagged else "",
            "q": self.q,
            "sort": self.sort,
            "dir": self.direction,
            "per_page": self.per_page,
            "page": self.page,
        }
        out.update(changes)
        return {k: v for k, v in out.items() if v not in ("", None)}


def filtered(f: ListFilter) -> Select:
    """Licences (with holder name) matching the filter, sorted; not yet paged."""
    stmt = select(Licence, Holder.name).join(Holder, Holder.id == Licence.holder_id)
    return stmt.where(*conditions(f)).order_by(*ordering(f))


def conditions(f: ListFilter) -> list:
    """The filter as SQL conditions on licences joined to their holders."""
    out = []
    if f.licence_type:
        out.append(Licence.licence_type == f.licence_type)
    if f.status:
        out.append(Licence.status == f.status)
    if f.holder_id:
        out.append(Licence.holder_id == f.holder_id)
    if f.commodity:
        out.append(Licence.commodities.any(f.commodity))
    if f.tier == "none":
        out.append(or_(Licence.border_tier.is_(None), Licence.border_tier == "none"))
    elif f.tier:
        out.append(Licence.border_tier == f.tier)
    if f.district:
        out.append(Licence.district == f.district)
    if f.flagged:  # as the partial index ix_licences_flagged reads it
        out.append(func.cardinality(Licence.flags) > 0)
    if f.q:
        like = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        out.append(or_(Licence.code.ilike(like), Holder.name.ilike(like)))
    return out


def ordering(f: ListFilter) -> list:
    """The list's sort: the chosen column (empty values last), then the licence id."""
    column = SORTS[f.sort]
    order = asc(column) if f.direction == "asc" else desc(column)
    return [order.nulls_last(), Licence.id]


def page_of(session: Session, f: ListFilter) -> tuple[list, int]:
    """One page of the filtered list and the number matched."""
    stmt = filtered(f)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(f.per_page).offset((f.page - 1) * f.per_page)).all()
    return rows, total or 0


def districts(session: Session, profile) -> list[str]:
    """The districts to filter by: those licences name, and the profile's, by name."""
    used = session.scalars(select(Licence.district).where(Licence.district.is_not(None)).distinct())
    return sorted({d for d in used if d.strip()} | {d.name for d in profile.districts})


def _in_district(stmt, district: str | None):
    """``stmt`` narrowed to licences of ``district`` (None or empty: the whole country)."""
    return stmt.where(Licence.district == district) if district else stmt


def counts_by_district(session: Session) -> dict[str, dict[str, int]]:
    """{district: {status: n}} over the whole register; licences naming none under ''."""
    out: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(Licence.district, Licence.status, func.count()).group_by(
            Licence.district, Licence.status
        )
    )
    for district, status, n in rows:
        out.setdefault(district or "", {})[status] = n
    return dict(sorted(out.items(), key=lambda kv: (kv[0] == "", kv[0])))


def counts_by_type_status(
    session: Session, district: str | None = None
) -> dict[str, dict[str, int]]:
    """{licence_type: {status: n}} over the register or one district (one GROUP BY)."""
    out: dict[str, dict[str, int]] = {}
    rows = session.execute(
        _in_district(select(Licence.licence_type, Licence.status, func.count()), district).group_by(
            Licence.licence_type, Licence.status
        )
    )
    for ltype, status, n in rows:
        out.setdefault(ltype, {})[status] = n
    return out


def waiting_longest(
    session: Session, decision_days: int, limit: int = 10, district: str | None = None
) -> list[dict]:
    """Applications in order of receipt, with days waited and the decision due date: the
    procedure's (``licences.decision_due``) where one runs, else ``decision_days`` from receipt."""
    now = datetime.now(UTC)
    stmt = select(
        Licence.id, Licence.code, Licence.licence_type, Licence.received_at, Licence.decision_due,
        Holder.name,
    )  # fmt: skip
    rows = session.execute(
        _in_district(stmt, district)
        .join(Holder, Holder.id == Licence.holder_id)
        .where(Licence.status == "application", Licence.received_at.is_not(None))
        .order_by(Licence.received_at, Licence.id)
        .limit(limit)
    ).all()
    out = []
    for lid, code, ltype, received, due_on, holder in rows:
        waited = (now - received).days
        due = due_on or (received + timedelta(days=decision_days)).date()
        out.append(
            {
                "id": lid,
                "code": code,
                "licence_type": ltype,
                "holder": holder,
                "received_at": received,
                "days": waited,
                "due": due,
                "overdue": due < now.date(),
                "days_left": (due - now.date()).days,
            }
        )
    return out


def overdue_condition(profile, decision_days: int, today: date):
    """An application past its decision day: the procedure's due day where a procedure runs
    (the queue's "Overdue", ``queries.queue``), else ``decision_days`` after receipt."""
    cutoff = datetime.now(UTC) - timedelta(days=decision_days)
    outside = and_(
        Licence.stage.is_(None), Licence.status == "application", Licence.received_at < cutoff
    )
    return or_(queue_filter(profile, "overdue", "", today), outside)


def queue_totals(
    session: Session, profile, role: str, today: date, district: str | None = None
) -> dict[str, int]:
    """How many files each queue holds for ``role`` (in ``district``, when given)."""
    if not district:
        return queue_counts(session, profile, role, today)
    return {
        q: queue_page(session, profile, q, role, today, limit=0, district=district)["total"]
        for q in QUEUES
    }


def overdue_count(session: Session, profile, district: str | None = None) -> int:
    """How many applications are past their decision day (``overdue_condition``)."""
    condition = overdue_condition(profile, profile.decision_days, datetime.now(UTC).date())
    stmt = _in_district(select(func.count()).select_from(Licence), district).where(condition)
    return session.scalar(stmt) or 0


def expiring_soon(
    session: Session, days: int = 90, limit: int = 10, district: str | None = None
) -> list[dict]:
    """Licences in force whose term ends within ``days``, soonest first."""
    today = date.today()
    stmt = select(Licence.id, Licence.code, Licence.licence_type, Licence.expires_at, Holder.name)
    rows = session.execute(
        _in_district(stmt, district)
        .join(Holder, Holder.id == Licence.holder_id)
        .where(
            Licence.status.in_(("granted", "suspended")),
            Licence.expires_at.is_not(None),
            Licence.expires_at <= today + timedelta(days=days),
        )
        .order_by(Licence.expires_at, Licence.id)
        .limit(limit)
    ).all()
    return [
        {
            "id": i,
            "code": c,
            "licence_type": t,
            "expires_at": e,
            "holder": h,
            "days": (e - today).days,
        }
        for i, c, t, e, h in rows
    ]


def border_flags(session: Session, district: str | None = None) -> dict[str, int]:
    """Live licences by border tier (None counted as 'not assessed')."""
    rows = session.execute(
        _in_district(select(Licence.border_tier, func.count()), district)
        .where(Licence.status.in_(LIVE_STATUSES))
        .group_by(Licence.border_tier)
    )
    return {(tier or "not assessed"): n for tier, n in rows}


def history(session: Session, licence_id: int) -> list[LicenceEvent]:
    """A licence's events, oldest first."""
    return list(
        session.scalars(
            select(LicenceEvent)
            .where(LicenceEvent.licence_id == licence_id)
            .order_by(LicenceEvent.at, LicenceEvent.id)
        )
    )


def holder_choices(session: Session, limit: int = 2000) -> list[tuple[str, str]]:
    """(id, name) pairs for holder pickers, by name."""
    rows = session.execute(
        select(Holder.id, Holder.name, Holder.kind).order_by(Holder.name).limit(limit)
    )
    return [(str(i), f"{n} ({k})") for i, n, k in rows]


#: Holders offered by the holder picker at once; typing more narrows them.
HOLDER_PICKS = 20


def holder_picks(
    session: Session, q: str, role: str | None, chosen: int | None = None
) -> list[tuple[str, str]]:
    """(id, label) pairs for the holder picker: the chosen holder, then at most
    ``HOLDER_PICKS`` holders whose name or readable registration number contains ``q``."""
    picks: list[tuple[str, str]] = []
    seen: set[int] = set()
    wanted = []
    if chosen is not None:
        wanted.append(select(Holder).where(Holder.id == chosen))
    q = (q or "").strip()[:100]
    if q:
        wanted.append(
            select(Holder)
            .where(search_condition(q, role))
            .order_by(Holder.name, Holder.id)
            .limit(HOLDER_PICKS)
        )
    for stmt in wanted:
        for holder in session.scalars(stmt):
            if holder.id not in seen:
                seen.add(holder.id)
                picks.append((str(holder.id), holder_label(holder_to_dict(holder), role)))
    return picks


def holder_label(holder: dict, role: str | None) -> str:
    """'Name (kind) · registration number' as ``role`` may read it."""
    seen = holder_projection(holder, role)
    number = seen.get("registration_number")
    return f"{seen['name']} ({seen['kind']})" + (f" · {number}" if number else "")


def search(session: Session, q: str, limit: int = 10) -> list[dict]:
    """Licences whose code or holder name contains ``q``, with their bounding boxes."""
    q = (q or "").strip()[:100]
    if len(q) < 2:
        return []
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.execute(
        select(
            Licence.id,
            Licence.code,
            Licence.licence_type,
            Licence.status,
            Holder.name,
            func.ST_XMin(func.Box2D(Licence.geom)),
            func.ST_YMin(func.Box2D(Licence.geom)),
            func.ST_XMax(func.Box2D(Licence.geom)),
            func.ST_YMax(func.Box2D(Licence.geom)),
        )
        .join(Holder, Holder.id == Licence.holder_id)
        .where(or_(Licence.code.ilike(like), Holder.name.ilike(like)))
        .order_by(Licence.code)
        .limit(limit)
    ).all()
    return [
        {
            "id": r[0],
            "code": r[1],
            "licence_type": r[2],
            "status": r[3],
            "holder": r[4],
            "bbox": [r[5], r[6], r[7], r[8]],
        }
        for r in rows
    ]
