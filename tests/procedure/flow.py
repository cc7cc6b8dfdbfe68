"""Steps of a file's way through its procedure over the API, shared by the procedure tests."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

from licence_support import KONO, geojson, rect
from sqlalchemy import func, select

from cadastre.models import LicenceEvent, LicenceStage
from cadastre.services.procedure_walk import placeholder_pdf

#: The NMA's six stages (exploration, small-scale, large-scale, reconnaissance).
NMA_STAGES = ["lodged", "gps_validation", "board_recommendation", "decision", "fee_paid", "issue"]


def apply(client, auth, holder_id, licence_type="exploration", lon=KONO[0], lat=KONO[1],
          size_m=None, district="Kono") -> int:  # fmt: skip
    """A new application over the API (by an officer); its id."""
    size = size_m or (90 if licence_type == "artisanal" else 2000)
    body = {"licence_type": licence_type, "holder_id": holder_id, "commodities": ["diamond"],
            "district": district, "geometry": geojson(rect(lon, lat, size))}  # fmt: skip
    r = client.post("/api/licences", json=body, headers=auth("officer"))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def upload(client, auth, licence_id, kind, supersedes=None) -> int:
    """A document of ``kind`` on the file (a placeholder PDF); its id."""
    data = {
        "kind": kind,
        "title": kind.replace("_", " "),
        "file": (io.BytesIO(placeholder_pdf(f"{kind} {uuid.uuid4().hex}")), f"{kind}.pdf"),
    }
    if supersedes is not None:
        data["supersedes"] = str(supersedes)  # fmt: skip
    r = client.post(f"/api/licences/{licence_id}/documents", data=data, headers=auth("officer"),
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def charges(client, auth, licence_id) -> dict:
    r = client.get(f"/api/licences/{licence_id}/charges", headers=auth("viewer"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def pay(client, auth, licence_id) -> None:
    """Finance records receipts for everything the licence owes."""
    owed = charges(client, auth, licence_id)
    for balance in owed["balances"]:
        if Decimal(balance["balance"]) > 0:
            r = client.post("/api/payments", headers=auth("finance"), json={
                "licence_id": licence_id, "amount": balance["balance"],
                "currency": balance["currency"], "paid_on": owed["orders"][-1]["raised_on"],
                "receipt_number": f"T-{uuid.uuid4().hex[:10]}"})  # fmt: skip
            assert r.status_code == 201, r.get_json()


def stage(client, auth, licence_id, name, role, **body):
    """POST .../stages/{name} as a user of ``role``; the response."""
    return client.post(f"/api/licences/{licence_id}/stages/{name}", json=body, headers=auth(role))


def view(client, auth, licence_id) -> dict:
    r = client.get(f"/api/licences/{licence_id}/procedure", headers=auth("viewer"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def licence(client, auth, licence_id) -> dict:
    r = client.get(f"/api/licences/{licence_id}", headers=auth("viewer"))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def stored(session, licence_id) -> tuple[int, int]:
    """(stage rows, history events) the database holds for the licence."""
    rows = session.scalar(
        select(func.count()).select_from(LicenceStage).where(LicenceStage.licence_id == licence_id)
    )
    events = session.scalar(
        select(func.count()).select_from(LicenceEvent).where(LicenceEvent.licence_id == licence_id)
    )
    return rows, events


def state(client, auth, session, licence_id) -> tuple:
    """Everything a refusal must leave as it was: the procedure view, the licence's version
    and status, its stage rows and history events."""
    lic = licence(client, auth, licence_id)
    return (
        view(client, auth, licence_id),
        lic["version"],
        lic["status"],
        stored(session, licence_id),
    )


def walk_to(client, auth, licence_id, until) -> None:
    """Complete the NMA stages from the current one up to ``until`` (not included) over the
    API, supplying what each needs."""
    steps = {
        "lodged": lambda: (upload(client, auth, licence_id, "application_form"),
                           pay(client, auth, licence_id)),
        "board_recommendation": lambda: upload(client, auth, licence_id, "board_minutes"),
        "fee_paid": lambda: pay(client, auth, licence_id),
    }  # fmt: skip
    roles = {"board_recommendation": "supervisor", "decision": "supervisor", "fee_paid": "finance"}
    current = view(client, auth, licence_id)["current_stage"]
    for name in NMA_STAGES[NMA_STAGES.index(current) : NMA_STAGES.index(until)]:
        if name in steps:
            steps[name]()
        r = stage(client, auth, licence_id, name, roles.get(name, "officer"))
        assert r.status_code == 200, (name, r.get_json())
