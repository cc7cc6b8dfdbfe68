"""``POST /api/licences/<id>/default-notice``: a supervisor gives notice of orders left
unpaid past their due date and the profile's grace period.

The notice is a licence notice like any other (read at ``/api/licences/<id>/notices``,
printed from the licence page); suspension or revocation may follow through the lifecycle,
never by itself. 409 says from which day a notice becomes possible when none is yet.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import request

from cadastre.api.blueprint import bp
from cadastre.api.common import check_id, created
from cadastre.auth import API
from cadastre.db import unit_of_work
from cadastre.services.defaults import issue_default_notice
from cadastre.services.notices import notice_to_dict
from cadastre.services.statements import order_to_dict
from cadastre.state import registry


@bp.post("/licences/<int:licence_id>/default-notice")
def default_notice_view(licence_id: int):
    """Issue a default notice on the licence's overdue orders (supervisor): 201."""
    actor = API.check("supervisor", "issue default notices")
    check_id(licence_id, "licence")
    reg = registry()
    now = datetime.now(UTC)
    with unit_of_work(reg.sessions) as session:
        notice, orders = issue_default_notice(
            session, reg.profile, licence_id, actor=actor.username, today=now.date(), at=now
        )
        body = {
            **notice_to_dict(notice),
            "orders": [order_to_dict(o, now.date()) for o in orders],
            "grace_days": reg.profile.fees.grace_days,
            "grace_source": reg.profile.fees.grace_source,
            "letter": f"{request.script_root}/licences/{licence_id}/notices/{notice.id}",
        }
    return created(body, f"/api/licences/{licence_id}/notices/{body['id']}")
