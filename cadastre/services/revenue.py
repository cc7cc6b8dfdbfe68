"""The money reports: revenue received, payments per holder in the EITI layout, and
outstanding balances. Computed in PostgreSQL from the payments, their allocations and the
orders themselves; amounts stay ``Decimal`` and per currency, never summed across them.

Money received is the payments less their reversals, each counted on its own date
(``paid_on``: a reversal on the day it was recorded). A payment is attributed to what it
paid: each part set against an order goes to that order's licence and kind; what is left
on account goes to the licence the payer named, or to no licence. A reversal mirrors the
payment it undoes, so every report's total is the sum of the payments in its range, the
same as the ledger's ``payment_recorded`` and ``payment_reversed`` events.

Commodity: a licence may name several commodities (the register keeps them sorted, so none
is "principal"); its revenue is neither split nor counted twice but grouped under the
licence's whole set (``diamond; gold``), so the rows add up to the total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from cadastre.domain.holder_privacy import ORGANISATION_KINDS
from cadastre.domain.money_reports import GFS_SUGGESTED, REVENUE_BY, stream_of

#: Every payment in a range split into the parts it paid: (payment, holder, currency,
#: paid_on, sign, licence, order kind or NULL for money on account, amount).
_PARTS = """
WITH received AS (
    SELECT p.id, p.holder_id, p.licence_id, p.currency, p.paid_on, p.amount,
           coalesce(p.reverses_id, p.id) AS base,
           CASE WHEN p.amount < 0 THEN -1 ELSE 1 END AS sign
    FROM payments p
    WHERE p.paid_on BETWEEN :first AND :last
),
allocated AS (
    SELECT r.id, o.licence_id, o.kind, r.sign * sum(a.amount) AS amount
    FROM received r
    JOIN payment_allocations a ON a.payment_id = r.base AND a.amount > 0
    JOIN orders_to_pay o ON o.id = a.order_id
    GROUP BY r.id, r.sign, o.licence_id, o.kind
),
parts AS (
    SELECT r.id AS payment_id, r.holder_id, r.currency, r.paid_on, r.sign,
           al.licence_id, al.kind, al.amount
    FROM received r JOIN allocated al ON al.id = r.id
    UNION ALL
    SELECT r.id, r.holder_id, r.currency, r.paid_on, r.sign, r.licence_id, NULL,
           r.amount - coalesce((SELECT sum(al.amount) FROM allocated al WHERE al.id = r.id), 0)
    FROM received r
)
"""

#: The SQL of each grouping (over ``parts`` left-joined to ``licences l``).
_GROUP = {
    "period": "to_char(parts.paid_on, 'YYYY-MM')",
    "licence_type": "l.licence_type",
    "district": "l.district",
    "commodity": "nullif(array_to_string(l.commodities, '; '), '')",
}
#: What a row whose group is NULL holds.
_NO_GROUP = {
    "licence_type": "not set against a licence (on account)",
    "district": "no district recorded, or not set against a licence",
    "commodity": "no commodity recorded, or not set against a licence",
}
COMMODITY_NOTE = (
    "A licence naming several commodities is counted once, under its whole set (e.g. "
    "'diamond; gold'): revenue is never split or counted twice, so the rows add up to the "
    "total."
)


@dataclass
class Report:
    """A report: its rows (amounts as Decimal), totals per currency, and what it means."""

    rows: list[dict[str, Any]]
    totals: list[dict[str, Any]]
    columns: tuple[tuple[str, str], ...]
    note: str = ""
    params: dict[str, Any] = field(default_factory=dict)


def received_totals(session: Session, first: date, last: date) -> list[dict[str, Any]]:
    """Money received between two days (inclusive), per currency: payments less reversals."""
    rows = session.execute(
        text(
            "SELECT currency, sum(amount), count(*) FILTER (WHERE amount > 0), "
            "count(*) FILTER (WHERE amount < 0) FROM payments "
            "WHERE paid_on BETWEEN :first AND :last GROUP BY currency ORDER BY currency"
        ),
        {"first": first, "last": last},
    )
    return [{"currency": c, "received": s, "receipts": n, "reversals": r} for c, s, n, r in rows]


def revenue(session: Session, date_from: date, date_to: date, by: str) -> Report:
    """Money received from ``date_from`` to ``date_to`` (inclusive), grouped ``by`` period
    (month), licence type, district or commodity, per currency."""
    if by not in REVENUE_BY:
        raise ValueError(f"revenue by {by!r}")
    group = _GROUP[by]
    sql = text(
        _PARTS
        + f"""
        SELECT {group} AS grp, parts.currency, sum(parts.amount) AS received,
               count(DISTINCT parts.payment_id) FILTER (WHERE parts.sign > 0) AS receipts,
               count(DISTINCT parts.payment_id) FILTER (WHERE parts.sign < 0) AS reversals
        FROM parts LEFT JOIN licences l ON l.id = parts.licence_id
        WHERE parts.amount <> 0
        GROUP BY 1, 2
        ORDER BY 1 NULLS LAST, 2
        """
    )
    rows = [
        {
            "group": grp,
            "label": grp if grp is not None else _NO_GROUP.get(by, ""),
            "currency": currency,
            "received": received,
            "receipts": receipts,
            "reversals": reversals,
        }
        for grp, currency, received, receipts, reversals in session.execute(
            sql, {"first": date_from, "last": date_to}
        )
    ]
    return Report(
        rows=rows,
        totals=received_totals(session, date_from, date_to),
        columns=(
            ("label", {"period": "Month"}.get(by, by.replace("_", " ").capitalize())),
            ("currency", "Currency"),
            ("received", "Received"),
            ("receipts", "Receipts"),
            ("reversals", "Reversals"),
        ),
        note=COMMODITY_NOTE if by == "commodity" else "",
        params={"from": date_from.isoformat(), "to": date_to.isoformat(), "by": by},
    )


EITI_COLUMNS = (
    ("year", "Year"),
    ("company", "Company name"),
    ("holder_kind", "Holder kind"),
    ("registration_number", "Registration number"),
    ("licences", "Licence codes"),
    ("payment_stream", "Payment stream"),
    ("gfs", "GFS classification (suggested)"),
    ("government_entity", "Government entity"),
    ("currency", "Currency"),
    ("amount_paid", "Amount paid"),
    ("payments", "Number of payments"),
)


def eiti_payments(session: Session, year: int, government_entity: str = "") -> Report:
    """Payments per holder and payment stream in ``year``, in the layout EITI reports use.

    The registration number is given for companies and cooperatives only: an individual's
    is an identity number, personal data that never leaves the register in a report. The
    number of payments is net: a receipt reversed in the year does not count.
    """
    sql = text(
        _PARTS
        + """
        SELECT h.id, h.name, h.kind,
               CASE WHEN h.kind IN :orgs THEN h.registration_number END,
               string_agg(DISTINCT l.code, '; ' ORDER BY l.code),
               parts.kind, parts.currency, sum(parts.amount),
               count(DISTINCT parts.payment_id) FILTER (WHERE parts.sign > 0)
                 - count(DISTINCT parts.payment_id) FILTER (WHERE parts.sign < 0)
        FROM parts
        JOIN holders h ON h.id = parts.holder_id
        LEFT JOIN licences l ON l.id = parts.licence_id
        WHERE parts.amount <> 0
        GROUP BY h.id, h.name, h.kind, h.registration_number, parts.kind, parts.currency
        ORDER BY h.name, h.id, parts.kind NULLS LAST, parts.currency
        """
    ).bindparams(bindparam("orgs", expanding=True))
    params = {"first": date(year, 1, 1), "last": date(year, 12, 31), "orgs": ORGANISATION_KINDS}
    rows = [
        {
            "year": year,
            "holder_id": holder_id,
            "company": name,
            "holder_kind": kind,
            "registration_number": registration,
            "licences": codes or "",
            "payment_stream": stream_of(order_kind),
            "gfs": GFS_SUGGESTED.get(order_kind or "", ""),
            "government_entity": government_entity,
            "currency": currency,
            "amount_paid": amount,
            "payments": count,
        }
        for holder_id, name, kind, registration, codes, order_kind, currency, amount, count in (
            session.execute(sql, params)
        )
    ]
    totals = received_totals(session, params["first"], params["last"])
    return Report(
        rows=rows,
        totals=totals,
        columns=EITI_COLUMNS,
        note=(
            "One row per holder, payment stream and currency; amounts are payments less "
            "reversals in the year. Registration numbers of companies and cooperatives only. "
            "The GFS classification is the register's suggestion: the MSG decides."
        ),
        params={"year": year},
    )


OUTSTANDING_COLUMNS = (
    ("holder", "Holder"),
    ("holder_kind", "Holder kind"),
    ("licence", "Licence"),
    ("currency", "Currency"),
    ("owed", "Owed"),
    ("overdue", "Of it overdue"),
    ("credit", "Credit"),
    ("balance", "Balance"),
    ("open_orders", "Open orders"),
    ("oldest_due", "Oldest due"),
)

_OUTSTANDING = text(
    """
    WITH owed AS (
        SELECT holder_id, licence_id, currency, sum(amount - paid) AS owed,
               coalesce(sum(amount - paid) FILTER (WHERE due_on < :as_of), 0) AS overdue,
               min(due_on) AS oldest_due, count(*) AS orders
        FROM orders_to_pay WHERE status = 'open'
        GROUP BY holder_id, licence_id, currency
    ),
    credit AS (
        SELECT holder_id, coalesce(licence_id, 0) AS licence_key, currency,
               sum(unallocated) AS credit
        FROM payments WHERE unallocated > 0
        GROUP BY holder_id, coalesce(licence_id, 0), currency
    ),
    joined AS (
        SELECT coalesce(o.holder_id, c.holder_id) AS holder_id,
               coalesce(o.licence_id, nullif(c.licence_key, 0)) AS licence_id,
               coalesce(o.currency, c.currency) AS currency,
               coalesce(o.owed, 0) AS owed, coalesce(o.overdue, 0) AS overdue,
               coalesce(c.credit, 0) AS credit, o.oldest_due, coalesce(o.orders, 0) AS orders
        FROM owed o
        FULL JOIN credit c ON c.holder_id = o.holder_id AND c.licence_key = o.licence_id
                          AND c.currency = o.currency
    )
    SELECT j.holder_id, h.name, h.kind, j.licence_id, l.code, j.currency, j.owed, j.overdue,
           j.credit, j.orders, j.oldest_due
    FROM joined j JOIN holders h ON h.id = j.holder_id
    LEFT JOIN licences l ON l.id = j.licence_id
    ORDER BY h.name, h.id, l.code NULLS LAST, j.currency
    """
)


def outstanding(session: Session, as_of: date) -> Report:
    """What each holder owes per licence and currency: owed on open orders, of it overdue
    on ``as_of`` (due before that day), credit on account, and the balance (owed less
    credit). The amounts are the register's as it stands; ``as_of`` decides what is
    overdue. Credit paid to a holder's account without naming a licence has no licence."""
    rows = []
    for (
        holder_id,
        name,
        kind,
        licence_id,
        code,
        currency,
        owed,
        overdue,
        credit,
        n,
        oldest,
    ) in session.execute(_OUTSTANDING, {"as_of": as_of}):
        rows.append(
            {
                "holder_id": holder_id,
                "holder": name,
                "holder_kind": kind,
                "licence_id": licence_id,
                "licence": code or "",
                "currency": currency,
                "owed": owed,
                "overdue": overdue,
                "credit": credit,
                "balance": owed - credit,
                "open_orders": n,
                "oldest_due": oldest,
            }
        )
    per: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        t = per.setdefault(
            row["currency"], dict.fromkeys(("owed", "overdue", "credit"), Decimal(0))
        )
        for key in t:
            t[key] += row[key]
    totals = [
        {"currency": c, **t, "balance": t["owed"] - t["credit"]} for c, t in sorted(per.items())
    ]
    return Report(
        rows=rows,
        totals=totals,
        columns=OUTSTANDING_COLUMNS,
        note=(
            "Amounts as the register stands; 'overdue' is what fell due before the as-of "
            "day. Balance = owed less credit, per currency."
        ),
        params={"as_of": as_of.isoformat()},
    )
