"""``/api/licences/<id>/obligations``: what a licence's holder owes besides money.

Viewers and above read them (overdue judged today); officers record one received, naming the
document on the licence's file that satisfies it; supervisors waive one (with the reason) or
issue a show-cause notice for one overdue. Each change is one event in the licence's history.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import jsonify

from cadastre.api.blueprint import bp
from cadastre.api.bodies import OBLIGATION_RECEIPT, OBLIGATION_SHOW_CAUSE, OBLIGATION_WAIVER
from cadastre.api.common import check_id, json_body
from cadastre.auth import API
from cadastre.db import unit_of_work
from cadastre.services.licences import get_licence
from cadastre.services.notices import notice_to_dict
from cadastre.services.obligations import (
    licence_obligations,
    obligation_to_dict,
    receive_obligation,
    show_cause,
    waive_obligation,
)
from cadastre.state import registry


def _today():
    return datetime.now(UTC).date()


@bp.get("/licences/<int:licence_id>/obligations")
def obligations_view(licence_id: int):
    """A licence's obligations by due day, each flagged overdue when open past it (viewer)."""
    API.check("viewer", "read obligations")
    check_id(licence_id, "licence")
    today = _today()
    with registry().sessions() as session:
        items = [obligation_to_dict(o, today) for o in licence_obligations(session, licence_id)]
    return jsonify(
        {
            "licence_id": licence_id,
            "as_of": today.isoformat(),
            "open": sum(1 for o in items if o["status"] == "open"),
            "overdue": sum(1 for o in items if o["overdue"]),
            "obligations": items,
        }
    )


@bp.post("/licences/<int:licence_id>/obligations/<int:obligation_id>/receive")
def receive_obligation_view(licence_id: int, obligation_id: int):
    """Record an obligation received with its document (officer)."""
    actor = API.check("officer", "record obligations received")
    check_id(licence_id, "licence")
    check_id(obligation_id, "obligation")
    body = json_body(OBLIGATION_RECEIPT)
    with unit_of_work(registry().sessions) as session:
        get_licence(session, licence_id)
        ob = receive_obligation(
            session,
            licence_id,
            obligation_id,
            actor=actor.username,
            document_id=body.get("document_id"),
        )
        return jsonify(obligation_to_dict(ob, _today()))


@bp.post("/licences/<int:licence_id>/obligations/<int:obligation_id>/waive")
def waive_obligation_view(licence_id: int, obligation_id: int):
    """Waive an obligation, with the reason (supervisor)."""
    actor = API.check("supervisor", "waive obligations")
    check_id(licence_id, "licence")
    check_id(obligation_id, "obligation")
    body = json_body(OBLIGATION_WAIVER)
    with unit_of_work(registry().sessions) as session:
        get_licence(session, licence_id)
        ob = waive_obligation(
            session, licence_id, obligation_id, actor=actor.username, reason=body.get("reason")
        )
        return jsonify(obligation_to_dict(ob, _today()))


@bp.post("/licences/<int:licence_id>/obligations/<int:obligation_id>/show-cause")
def show_cause_view(licence_id: int, obligation_id: int):
    """Issue a show-cause notice for an overdue obligation (supervisor): 201."""
    actor = API.check("supervisor", "issue show-cause notices")
    check_id(licence_id, "licence")
    check_id(obligation_id, "obligation")
    body = json_body(OBLIGATION_SHOW_CAUSE, required=False)
    reg = registry()
    with unit_of_work(reg.sessions) as session:
        get_licence(session, licence_id)
        ob, notice = show_cause(
            session,
            reg.profile,
            licence_id,
            obligation_id,
            actor=actor.username,
            cause=body.get("cause"),
        )
        response = jsonify(
            {"obligation": obligation_to_dict(ob, _today()), "notice": notice_to_dict(notice)}
        )
    response.status_code = 201
    return response
