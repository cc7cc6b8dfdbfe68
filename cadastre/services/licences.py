"""Register applications and carry licences through their life, history in the same transaction.

The one import point for the licence services; the work is split by idea:
``applications`` (intake, overlap and priority), ``lifecycle`` (actions and expiry),
``history`` (events, snapshots, codes) and ``licence_json`` (the API shape, border hooks).
The domain rules live in ``cadastre.domain``.
"""

from __future__ import annotations

from cadastre.domain.geometry import geodesic_area_ha
from cadastre.domain.licence_rules import add_years
from cadastre.services.applications import (
    check_availability,
    country_note,
    intake_geometry,
    register_application,
)
from cadastre.services.history import (
    event_to_dict,
    get_licence,
    licence_history,
    next_code,
    record_event,
    snapshot,
)
from cadastre.services.licence_json import (
    assess_border,
    border_dict,
    etag,
    licence_to_dict,
    risk_dict,
)
from cadastre.services.lifecycle import expire_due, perform_action

__all__ = [
    "add_years",
    "assess_border",
    "border_dict",
    "check_availability",
    "country_note",
    "etag",
    "event_to_dict",
    "expire_due",
    "geodesic_area_ha",
    "get_licence",
    "intake_geometry",
    "licence_history",
    "licence_to_dict",
    "next_code",
    "perform_action",
    "record_event",
    "register_application",
    "risk_dict",
    "snapshot",
]
