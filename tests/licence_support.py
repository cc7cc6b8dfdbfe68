"""Shapes, holders and users for the licence tests (imported by tests/api and tests/services)."""

from __future__ import annotations

import math

from shapely.geometry import box, mapping

from cadastre.services.holders import create_holder
from cadastre.services.users import add_user

#: Kono, well inside Sierra Leone.
KONO = (-10.97, 8.64)
#: In the Atlantic, west of Freetown.
SEA = (-14.2, 8.2)
#: In Guinea, north-east of the Sierra Leone border (near Dabola).
GUINEA = (-11.2, 10.9)


def rect(lon: float, lat: float, width_m: float, height_m: float | None = None):
    """A shapely rectangle centred on lon/lat, sides in metres."""
    height_m = width_m if height_m is None else height_m
    dlat = height_m / 111_320 / 2
    dlon = width_m / (111_320 * math.cos(math.radians(lat))) / 2
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def geojson(shape) -> dict:
    """GeoJSON dict with lists (as a client would send it)."""
    import json

    return json.loads(json.dumps(mapping(shape)))


def square_ha(lon: float, lat: float, ha: float):
    """A square of about ``ha`` hectares."""
    return rect(lon, lat, math.sqrt(ha * 10_000))


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[-10.98, 8.63], [-10.96, 8.65], [-10.96, 8.63], [-10.98, 8.65], [-10.98, 8.63]]
    ],
}


def make_holder(session, kind: str = "company", name: str | None = None, **extra) -> int:
    """A holder of the given kind (an individual a citizen, a cooperative of citizens, as
    the artisanal and small-scale licences require; ``extra`` overrides); returns its id."""
    facts = {
        "individual": {"nationality": "SLE"},
        "cooperative": {"citizen_members": True},
    }.get(kind, {})
    holder = create_holder(
        session, {"name": name or f"Test {kind} holder", "kind": kind, **facts, **extra}
    )
    return holder.id


def make_token(session, role: str, username: str | None = None) -> str:
    """A user with ``role`` and a fresh API token (committed to the test's savepoint)."""
    _, token = add_user(session, username or f"test-{role}", role)
    session.commit()
    return token


def grant_near_expiry(session, profile, licence_id: int, days_left: int = 20, **kw):
    """Grant a licence so long ago that it expires in ``days_left`` days: today lies inside
    its renewal window (the profile's windows all close on the expiry date)."""
    from datetime import UTC, datetime, timedelta

    from cadastre.domain.licence_rules import add_years
    from cadastre.services.licences import get_licence

    spec = profile.licence_type(get_licence(session, licence_id).licence_type)
    expires = datetime.now(UTC) + timedelta(days=days_left)
    when = expires.replace(year=add_years(expires.date(), -spec.term_years).year)
    return grant_settled(session, profile, licence_id, at=when, **kw)


def lapsed_notice(session, profile, licence_id: int, breach: str = "Annual report overdue."):
    """A notice issued long enough ago that its remedy period has run out unremedied."""
    from datetime import UTC, datetime, timedelta

    from cadastre.services.notices import issue_notice

    at = datetime.now(UTC) - timedelta(days=profile.notices.remedy_days + 1)
    notice = issue_notice(session, profile, licence_id, actor="sup", breach=breach, at=at)
    session.flush()
    return notice


def settle_orders(session, licence_id: int, paid_on=None) -> None:
    """Pay every open order of a licence, as Finance would from bank receipts."""
    import uuid
    from datetime import UTC, datetime

    from sqlalchemy import select

    from cadastre.models import OrderToPay
    from cadastre.services.payments import PaymentRequest, record_payment

    day = paid_on or datetime.now(UTC).date()
    open_ = session.scalars(
        select(OrderToPay).where(OrderToPay.licence_id == licence_id, OrderToPay.status == "open")
    ).all()
    for currency in sorted({o.currency for o in open_}):
        owed = sum(o.amount - o.paid for o in open_ if o.currency == currency)
        req = PaymentRequest(
            amount=str(owed), currency=currency, paid_on=day, licence_id=licence_id,
            receipt_number=f"TEST-{uuid.uuid4().hex[:12]}",
        )  # fmt: skip
        record_payment(session, req, actor="test-finance", today=max(day, paid_on or day))


def grant_settled(session, profile, licence_id: int, *, actor: str = "sup", at=None, **kw):
    """Grant a licence; one whose grant waits for payment is paid and finalised (``at``)."""
    from cadastre.services.licences import perform_action

    lic = perform_action(session, profile, licence_id, "grant", actor=actor, at=at, **kw)
    if lic.status != "approved":
        return lic
    settle_orders(session, licence_id, at.date() if at else None)
    return perform_action(session, profile, licence_id, "finalise", actor=actor, at=at)


def grant_paid(client, auth, licence_id: int, **body):
    """Grant over the API; a licence left awaiting payment is paid by Finance and finalised
    by the Clerk (an officer). The last answer."""
    import uuid
    from decimal import Decimal

    r = client.post(
        f"/api/licences/{licence_id}/grant", json=body or None, headers=auth("supervisor")
    )
    if r.status_code != 200 or r.get_json()["status"] != "approved":
        return r
    charges = client.get(f"/api/licences/{licence_id}/charges", headers=auth("viewer")).get_json()
    for balance in charges["balances"]:
        if Decimal(balance["balance"]) > 0:
            paid = client.post(
                "/api/payments",
                json={"licence_id": licence_id, "amount": balance["balance"],
                      "currency": balance["currency"], "paid_on": charges["orders"][0]["raised_on"],
                      "receipt_number": f"TEST-{uuid.uuid4().hex[:12]}"},
                headers=auth("finance"),
            )  # fmt: skip
            assert paid.status_code == 201, paid.get_json()
    return client.post(f"/api/licences/{licence_id}/finalise", headers=auth("officer"))
