"""A licence as the API shows it, and the one place that calls the border assessment.

``cadastre.services.border`` measures a licence against the land borders (``assess``) and
shapes its ``border``/``risk`` JSON; the services reach it through ``assess_border`` here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cadastre.domain.geometry import to_geojson
from cadastre.domain.lifecycle import allowed_actions
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.services import border
from cadastre.services.border import border_dict, risk_dict
from cadastre.services.history import licence_shape

__all__ = ["assess_border", "border_dict", "etag", "licence_to_dict", "risk_dict"]


def assess_border(session: Session, profile: Profile, licence: Licence) -> None:
    """Measure the licence against the land borders, in the current transaction."""
    session.flush()
    border.assess(session, profile, licence)  # sets the licence's border and risk columns
    session.flush()


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def licence_to_dict(licence: Licence, *, geometry: bool = True) -> dict[str, Any]:
    """The public JSON form of a licence (holder by id and name, no contact details)."""
    holder = licence.holder
    body: dict[str, Any] = {
        "id": licence.id,
        "code": licence.code,
        "application_number": licence.application_number,
        "licence_type": licence.licence_type,
        "status": licence.status,
        "holder_id": licence.holder_id,
        "holder": {"id": holder.id, "name": holder.name, "kind": holder.kind} if holder else None,
        "commodities": list(licence.commodities or []),
        "area_ha": round(licence.area_ha, 4) if licence.area_ha is not None else None,
        "received_at": _iso(licence.received_at),
        "granted_at": _iso(licence.granted_at),
        "expires_at": _iso(licence.expires_at),
        "renewals": licence.renewals,
        "district": licence.district,
        "notes": list(licence.notes or []),
        "refusal_reason": licence.refusal_reason,
        "conditions": conditions_dict(licence),
        "version": licence.version,
        "allowed_actions": allowed_actions(licence.status),
        # the stage of its procedure the application waits at (GET .../procedure for all)
        "stage": licence.stage,
        "decision_due": _iso(licence.decision_due),
        "border": border_dict(licence),
        "risk": risk_dict(licence),
    }
    if geometry:
        body["geometry"] = to_geojson(licence_shape(licence))
    return body


def conditions_dict(licence: Licence) -> dict[str, Any]:
    """The working conditions recorded at grant (null where the licence type sets none)."""
    return {"max_depth_m": licence.max_depth_m, "mechanised": licence.mechanised}


def etag(licence: Licence) -> str:
    """The strong entity tag of a licence's current version, quotes included."""
    return f'"{licence.id}-v{licence.version}"'
