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


#: Where the service-level helpers keep the documents they put on file (the ``settings``
#: fixture points it at its ``documents_dir``, so the app finds them too).
DOCUMENTS_DIR: str | None = None


def document_store():
    """The store of the documents the walk puts on file."""
    import tempfile

    from cadastre.services.document_store import FileStore

    global DOCUMENTS_DIR
    if DOCUMENTS_DIR is None:
        DOCUMENTS_DIR = tempfile.mkdtemp(prefix="cadastre-test-documents-")
    return FileStore(DOCUMENTS_DIR)


#: What a walk may stop before: the first stage taking a decision, or the one granting.
STOPS = {"decision": ("approve", "grant", "finalise"), "grant": ("grant", "finalise")}


def _stop_stage(procedure, before: str) -> str:
    """The stage ``before`` names: a stage's name, or a key of ``STOPS``."""
    if before not in STOPS:
        return before
    return next(s.name for s in procedure.stages if s.action in STOPS[before])


def walk_to(session, profile, licence_id: int, until: str | None = None, *, before=None,
            actor: str | None = None, at=None):  # fmt: skip
    """Walk an application's procedure (placeholder documents, payments) up to and including
    ``until``, or up to but not including ``before`` (a stage's name; "decision": the first
    stage taking one; "grant": the stage granting the licence); neither: to the end.
    ``actor`` completes every stage when given. The licence."""
    from cadastre.services.history import get_licence
    from cadastre.services.procedure import procedure_of
    from cadastre.services.procedure_walk import DEFAULT_ACTORS, walk_procedure

    licence = get_licence(session, licence_id)
    if licence.stage is None:
        return licence
    procedure = procedure_of(profile, licence)
    if before is not None:
        before = _stop_stage(procedure, before)
        if licence.stage == before:
            return licence
        until = procedure.stages[procedure.position(before) - 2].name
    actors = {role: actor for role in DEFAULT_ACTORS} if actor else None
    return walk_procedure(
        session, profile, licence_id, store=document_store(), at=at, until=until, actors=actors
    )


def grant_settled(session, profile, licence_id: int, *, actor: str = "sup", at=None, **kw):
    """Grant a licence: one in a procedure walks it to the end (each stage by ``actor``, its
    documents and payments supplied); else the grant, paid and finalised when it waits for
    payment (``at``)."""
    from cadastre.services.history import get_licence
    from cadastre.services.licences import perform_action

    if get_licence(session, licence_id).stage is not None:
        if kw:  # the walk takes the procedure's steps; nothing else to pass them
            raise TypeError(f"grant_settled takes no {', '.join(kw)} for a walked procedure")
        lic = walk_to(session, profile, licence_id, actor=actor, at=at)
        session.flush()
        return lic
    lic = perform_action(session, profile, licence_id, "grant", actor=actor, at=at, **kw)
    if lic.status != "approved":
        return lic
    settle_orders(session, licence_id, at.date() if at else None)
    return perform_action(session, profile, licence_id, "finalise", actor=actor, at=at)


def upload_document(client, auth, licence_id: int, kind: str, role: str = "officer"):
    """Put a placeholder PDF of ``kind`` on the licence's file over the API."""
    import io

    from cadastre.services.procedure_walk import placeholder_pdf

    title = kind.replace("_", " ").capitalize()
    data = {"kind": kind, "title": title,
            "file": (io.BytesIO(placeholder_pdf(title)), f"{kind}.pdf")}  # fmt: skip
    r = client.post(f"/api/licences/{licence_id}/documents", data=data, headers=auth(role),
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 201, r.get_json()
    return r


def pay_owed(client, auth, licence_id: int):
    """Finance records a receipt for everything the licence owes (over the API)."""
    import uuid
    from decimal import Decimal

    charges = client.get(f"/api/licences/{licence_id}/charges", headers=auth("viewer")).get_json()
    for balance in charges["balances"]:
        if Decimal(balance["balance"]) > 0:
            raised = max(o["raised_on"] for o in charges["orders"] if o["currency"] ==
                         balance["currency"])  # fmt: skip
            paid = client.post(
                "/api/payments",
                json={"licence_id": licence_id, "amount": balance["balance"],
                      "currency": balance["currency"], "paid_on": raised,
                      "receipt_number": f"TEST-{uuid.uuid4().hex[:12]}"},
                headers=auth("finance"),
            )  # fmt: skip
            assert paid.status_code == 201, paid.get_json()


def walk_api(client, auth, licence_id: int, until: str | None = None, *, before=None, note=None):
    """Complete an application's stages over the API, each by its stage's first role, after
    uploading the documents and paying what it lacks: up to and including ``until``, or up
    to but not including ``before`` (a stage's name, or a key of ``STOPS``); neither: to the
    end. ``note`` goes with the decision stages. The last stage's answer (a refused one
    stops the walk), or None when nothing was completed."""
    last = None
    while True:
        proc = client.get(f"/api/licences/{licence_id}/procedure", headers=auth("viewer"))
        if proc.status_code != 200 or proc.get_json()["current_stage"] is None:
            return last
        view = proc.get_json()
        row = next(s for s in view["stages"] if s["name"] == view["current_stage"])
        if before == row["name"] or row["action"] in STOPS.get(before, ()):
            return last
        lacks = " ".join(row.get("missing") or ())
        for need in row["requires"]:
            what, _, name = need.partition(": ")
            if what == "document" and f"'{name}'" in lacks:
                upload_document(client, auth, licence_id, name)
            elif what == "payment" and "paid" in lacks:
                pay_owed(client, auth, licence_id)
        body = {"note": note} if note and row["action"] else {}
        last = client.post(f"/api/licences/{licence_id}/stages/{row['name']}", json=body,
                           headers=auth(row["roles"][0]))  # fmt: skip
        if last.status_code != 200 or row["name"] == until:
            return last


def in_procedure(client, auth, licence_id: int) -> bool:
    """Whether the application waits at a stage of its procedure (over the API)."""
    r = client.get(f"/api/licences/{licence_id}/procedure", headers=auth("viewer"))
    return r.status_code == 200 and r.get_json()["current_stage"] is not None


def grant_paid(client, auth, licence_id: int, **body):
    """Grant over the API: an application in its procedure has its stages completed in turn
    (documents uploaded, Finance paying, each stage by its role; ``reason`` the decision's
    note); else the grant, and a licence left awaiting payment paid by Finance and
    finalised by the Clerk (an officer). The last answer."""
    if in_procedure(client, auth, licence_id):
        return walk_api(client, auth, licence_id, note=body.get("reason"))
    r = client.post(
        f"/api/licences/{licence_id}/grant", json=body or None, headers=auth("supervisor")
    )
    if r.status_code != 200 or r.get_json()["status"] != "approved":
        return r
    pay_owed(client, auth, licence_id)
    return client.post(f"/api/licences/{licence_id}/finalise", headers=auth("officer"))
