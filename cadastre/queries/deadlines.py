"""Deadlines in one place: what falls due in the next N days, and what is already overdue.

One UNION ALL over the register's dated duties, ordered by date, a page at a time, with a
total and a count per kind:

* ``decision``: a waiting application's decision due day (``licences.decision_due``, the
  procedure's clock; NULL once decided);
* ``renewal_opens`` / ``renewal_closes``: the first and the last day of a granted licence's
  renewal window, for the types whose profile sets one and while renewals remain
  (``cadastre.domain.lifecycle.renewal_window``: ``expires_at - opens_days`` and ``expires_at
  - closes_days``, computed in SQL from a list of the profile's types);
* ``expiry``: the expiry day of a licence in force (granted or suspended);
* ``obligation``: an open obligation's due day (``licence_obligations``);
* ``payment``: an open order to pay's due day (``orders_to_pay``);
* ``notice``: the last day of an unremedied notice's remedy period (``licence_notices.remedy_by``
  = issued_on + remedy_days), on a licence in force.

A deadline inside ``[today, today + days]`` is listed; one before today is *overdue* and
listed too, flagged (however old: an open obligation, an unpaid order, a decision not taken,
a remedy period run out, a licence past its expiry day but not yet marked expired). Renewal
windows are listed only when their day lies ahead: a window that opened is open, one that
closed is the expiry's business.

Scope: by role, Finance sees the payments only; everyone else who may read the register
(viewers, officers, supervisors, admins) sees every kind (viewers read only: the rows link to
pages, they change nothing). Offices come later (issue #20): until then a user's "office" is
the ``district`` parameter (the licence's district), applied to every kind.

Every branch reads a partial index on its open rows' due day (``ix_licences_decision_due``,
``ix_licence_obligations_open_due``, ``ix_orders_to_pay_due_open``) or the index on
``licences.expires_at`` (the renewal branches by range per type: ``expires_at BETWEEN today +
opens AND today + days + opens``), so a page costs about the same at 100,000 licences as at
100 (``bench/deadlines.py``).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.profile import Profile

#: The kinds, in the order they sort on one day.
KINDS = (
    "decision",
    "renewal_opens",
    "renewal_closes",
    "expiry",
    "obligation",
    "payment",
    "notice",
)
#: What each kind is called on the page.
KIND_LABELS = {
    "decision": "Decision due",
    "renewal_opens": "Renewal window opens",
    "renewal_closes": "Renewal window closes",
    "expiry": "Expiry",
    "obligation": "Obligation due",
    "payment": "Payment due",
    "notice": "Notice remedy period ends",
}
#: Where on the licence page each kind is dealt with.
ANCHORS = {
    "decision": "procedure",
    "renewal_opens": "renewal-window",
    "renewal_closes": "renewal-window",
    "expiry": "actions-h",
    "obligation": "obligations",
    "payment": "money",
    "notice": "notices",
}
#: What each role sees.
FINANCE_KINDS = ("payment",)
#: The columns of every branch.
COLUMNS = "(kind, on_day, rank, licence_id, ref_id, label, amount, currency)"
DAYS_DEFAULT = 30
DAYS_MAX = 366
PAGE = 50

# Each branch: kind, the day, its sort rank, the licence, the row it comes from, a label, an
# amount and its currency. ``{lic}`` is the licence filter (district, one licence) on alias
# ``l``; ``{tail}`` is empty for the count and, for the page, ``ORDER BY`` the branch's own
# index order with ``LIMIT offset + limit`` (the global page lies within the union of the
# branches' first pages, so each reads only that many rows of its index); ``{inner}`` the same
# inside the renewal branches' per-type lateral scan of ``ix_licences_expires_at``.
_RENEWAL = """
    SELECT '{kind}', x.expires_at - w.{edge}, {rank}, x.id, NULL::int, x.expires_at::text,
           NULL::numeric, NULL::text
      FROM unnest(CAST(:w_types AS text[]), CAST(:w_opens AS int[]), CAST(:w_closes AS int[]),
                  CAST(:w_renewals AS int[])) AS w(licence_type, opens, closes, renewals)
     CROSS JOIN LATERAL (
       SELECT l.id, l.expires_at FROM licences l
        WHERE l.licence_type = w.licence_type AND l.status = 'granted'
          AND l.renewals < w.renewals
          AND l.expires_at BETWEEN CAST(:today AS date) + w.{edge}
                               AND CAST(:until AS date) + w.{edge} {{lic}} {{inner}}
     ) x {{tail}}"""
_BRANCHES = {
    "decision": """
    SELECT 'decision', l.decision_due, 0, l.id, NULL::int, l.stage::text, NULL::numeric,
           NULL::text
      FROM licences l
     WHERE l.stage IS NOT NULL AND l.status IN ('application', 'approved')
       AND l.decision_due <= :until {lic} {tail}""",
    "renewal_opens": _RENEWAL.format(kind="renewal_opens", edge="opens", rank=1),
    "renewal_closes": _RENEWAL.format(kind="renewal_closes", edge="closes", rank=2),
    "expiry": """
    SELECT 'expiry', l.expires_at, 3, l.id, NULL::int, l.status::text, NULL::numeric, NULL::text
      FROM licences l
     WHERE l.status IN ('granted', 'suspended') AND l.expires_at <= :until {lic} {tail}""",
    "obligation": """
    SELECT 'obligation', o.due_on, 4, o.licence_id, o.id, o.label::text, NULL::numeric,
           NULL::text
      FROM licence_obligations o {join}
     WHERE o.status = 'open' AND o.due_on <= :until {ref} {tail}""",
    "payment": """
    SELECT 'payment', o.due_on, 5, o.licence_id, o.id, o.number || ' ' || o.kind,
           o.amount - o.paid, o.currency::text
      FROM orders_to_pay o {join}
     WHERE o.status = 'open' AND o.due_on <= :until {ref} {tail}""",
    "notice": """
    SELECT 'notice', o.remedy_by, 6, o.licence_id, o.id, o.cause, NULL::numeric, NULL::text
      FROM licence_notices o JOIN licences l ON l.id = o.licence_id
     WHERE o.remedied_at IS NULL AND o.remedy_by <= :until
       AND l.status IN ('granted', 'suspended') {lic} {tail}""",
}
#: A branch's own order (its day, licence, row: by position) and how far it reads.
_TAIL = "ORDER BY 2, 4, 5 LIMIT :upto"
_INNER = "ORDER BY l.expires_at, l.id LIMIT :upto"


def role_kinds(role: str) -> tuple[str, ...]:
    """The kinds a user of ``role`` sees: Finance the payments, everyone else all."""
    return FINANCE_KINDS if role == "finance" else KINDS


def _union(kinds, *, district: str | None, licence_id: int | None, paged: bool) -> str:
    """The UNION ALL of the branches of ``kinds`` with the licence filters (``paged``: each
    branch its first ``:upto`` rows in its own order)."""
    lic = ""
    if district is not None:
        lic += " AND l.district = :district"
    if licence_id is not None:
        lic += " AND l.id = :licence_id"
    parts = []
    for kind in kinds:
        sql = _BRANCHES[kind]
        if kind in ("obligation", "payment"):
            # these join the licence only when a district narrows them
            join = " JOIN licences l ON l.id = o.licence_id" if district is not None else ""
            ref = " AND l.district = :district" if district is not None else ""
            if licence_id is not None:
                ref += " AND o.licence_id = :licence_id"
            sql = sql.format(join=join, ref=ref, tail=_TAIL if paged else "")
        else:
            # (the count's OFFSET 0 keeps the lateral scan per type, not a join of all)
            sql = sql.format(
                lic=lic, tail=_TAIL if paged else "", inner=_INNER if paged else "OFFSET 0"
            )
        if paged:
            parts.append(f"({sql})")
        else:  # counted branch by branch: each an aggregate over its own index scan
            parts.append(
                f"\n    SELECT '{kind}' AS kind, count(*) AS n, count(*) FILTER "
                f"(WHERE b.on_day < :today) AS late FROM ({sql}\n    ) AS b {COLUMNS}"
            )
    return "\n    UNION ALL".join(parts)


def _windows(profile: Profile) -> dict:
    """The profile's renewal windows as four parallel arrays (the types that set one)."""
    types = [t for t in profile.licence_types.values() if t.renewal_opens_days is not None]
    return {
        "w_types": [t.name for t in types],
        "w_opens": [t.renewal_opens_days for t in types],
        "w_closes": [t.renewal_closes_days for t in types],
        "w_renewals": [t.renewals for t in types],
    }


def falls_due(
    session: Session,
    profile: Profile,
    today: date,
    days: int,
    role: str,
    *,
    district: str | None = None,
    licence_id: int | None = None,
    kinds: tuple[str, ...] | list[str] | None = None,
    offset: int = 0,
    limit: int = PAGE,
) -> dict:
    """What falls due from ``today`` to ``today + days`` (and what is overdue, flagged), as
    ``role`` may see it: a page of rows ordered by day, the total and a count per kind.

    ``kinds`` narrows the kinds further (within the role's); ``district`` is the office for now
    (issue #20 brings offices); ``licence_id`` one licence's deadlines."""
    allowed = role_kinds(role)
    chosen = tuple(k for k in KINDS if k in allowed and (kinds is None or k in kinds))
    until = today + timedelta(days=days)
    out = {
        "today": today.isoformat(),
        "until": until.isoformat(),
        "days": days,
        "kinds": list(chosen),
        "total": 0,
        "overdue": 0,
        "counts": {k: 0 for k in chosen},
        "offset": offset,
        "limit": limit,
        "items": [],
    }
    if not chosen:
        return out
    params = {"today": today, "until": until, "district": district, "licence_id": licence_id}
    if any(k.startswith("renewal") for k in chosen):
        params.update(_windows(profile))
    union = _union(chosen, district=district, licence_id=licence_id, paged=False)
    paged = _union(chosen, district=district, licence_id=licence_id, paged=True)
    # Serial plans: the branches are index scans of a few thousand rows each, which a
    # parallel plan only slows (starting workers costs more than it saves; on a busy
    # 2-core machine about twice the time). Local to this transaction and put back after
    # (a failed statement rolls the transaction, and with it the setting, back).
    before = session.execute(_SERIAL).scalar_one()
    counts = session.execute(text(union), params).all()
    out = _page(session, profile, out, counts, paged, params, today)
    session.execute(_RESTORE, {"value": before})
    return out


_SERIAL = text(
    "SELECT current_setting('max_parallel_workers_per_gather'), "
    "set_config('max_parallel_workers_per_gather', '0', true)"
)
_RESTORE = text("SELECT set_config('max_parallel_workers_per_gather', :value, true)")


def _page(session: Session, profile: Profile, out: dict, counts, paged: str, params, today):
    """The counts into ``out``, and the page's rows."""
    offset, limit = out["offset"], out["limit"]
    for row in counts:
        out["counts"][row.kind] = row.n
        out["total"] += row.n
        out["overdue"] += row.late
    if not out["total"] or offset >= out["total"]:
        return out
    # the page is chosen from the deadlines alone; only its rows are joined to their licence
    # and holder
    rows = session.execute(
        text(
            f"""
            WITH due {COLUMNS} AS ({paged}
            ), page AS (
              SELECT * FROM due ORDER BY on_day, rank, licence_id, ref_id
               LIMIT :limit OFFSET :offset
            )
            SELECT page.*, l.code, l.licence_type, l.district, l.status, h.name AS holder
              FROM page JOIN licences l ON l.id = page.licence_id
              JOIN holders h ON h.id = l.holder_id
             ORDER BY page.on_day, page.rank, page.licence_id, page.ref_id
            """
        ),
        {**params, "limit": limit, "offset": offset, "upto": offset + limit},
    ).all()
    out["items"] = [_item(profile, r, today) for r in rows]
    return out


def _item(profile: Profile, r, today: date) -> dict:
    left = (r.on_day - today).days
    return {
        "kind": r.kind,
        "kind_label": KIND_LABELS[r.kind],
        "date": r.on_day.isoformat(),
        "days_left": left,
        "overdue": left < 0,
        "licence_id": r.licence_id,
        "licence_code": r.code,
        "licence_type": r.licence_type,
        "district": r.district,
        "holder": r.holder,
        "ref_id": r.ref_id,
        "what": _words(profile, r),
        "link": f"/licences/{r.licence_id}#{ANCHORS[r.kind]}",
    }


def _words(profile: Profile, r) -> str:
    """The deadline in words."""
    if r.kind == "decision":
        procedure = profile.procedure(r.licence_type)
        stage = procedure.stage(r.label) if procedure and r.label else None
        where = f" (waiting at: {stage.label})" if stage else ""
        return f"Decision on the application due{where}"
    if r.kind == "renewal_opens":
        return f"The renewal window opens (the licence expires on {r.label})"
    if r.kind == "renewal_closes":
        return f"Last day to apply for renewal (the licence expires on {r.label})"
    if r.kind == "expiry":
        return f"The licence expires ({r.label})"
    if r.kind == "obligation":
        return r.label
    if r.kind == "payment":
        number, _, kind = r.label.partition(" ")
        return f"Order {number} ({kind.replace('_', ' ')}): {r.amount:,.2f} {r.currency} owed"
    return f"Remedy period ends: {r.label}"
