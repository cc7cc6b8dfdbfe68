"""Carry a licence through its life: grant, refuse, withdraw, renew, transfer, suspend,
reinstate, revoke, relinquish (whole or part) and expire, each with one history event.

The law's timing rules come from ``cadastre.domain.lifecycle``: a renewal only inside the
type's window; a suspension or revocation only on a notice (``services.notices``) whose
remedy period has run out unremedied. A grant records the type's depth and mechanisation.

Expiry is never stale: ``expire_due`` (``services.expiry``) ends the licences whose expiry
date has passed, with an event by ``system``, and readers and actions call it first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from geoalchemy2.shape import from_shape
from sqlalchemy.orm import Session

from cadastre.domain.eligibility import check_eligibility
from cadastre.domain.licence_rules import (
    check_inside_old,
    check_partial_relinquishment,
    check_renewal_area,
    check_renewal_count,
    first_expiry,
    renewal_expiry,
)
from cadastre.domain.lifecycle import (
    NOTICE_ACTIONS,
    check_reason,
    check_renewal_window,
    check_transition,
    licence_conditions,
)
from cadastre.errors import ValidationError
from cadastre.models import Licence
from cadastre.profile import Profile
from cadastre.queries.overlaps import right_conflicts
from cadastre.services.applications import check_holder_id, conflict_error, intake_geometry
from cadastre.services.charges_events import DECISIONS, raise_action_fees, waits_for_payment
from cadastre.services.consents import standing_consents
from cadastre.services.expiry import SYSTEM_ACTOR, expire_due, locked_licence
from cadastre.services.history import licence_shape, record_event, snapshot
from cadastre.services.holders import holder_facts
from cadastre.services.licence_json import assess_border
from cadastre.services.notices import close_lapsed, notice_for
from cadastre.services.outbox import queue_decision_message
from cadastre.services.procedure import advance, decision_gate

__all__ = ["ACTION_PARAMS", "SYSTEM_ACTOR", "expire_due", "perform_action"]

#: Parameters each action accepts beyond ``reason``.
ACTION_PARAMS: dict[str, tuple[str, ...]] = {
    "transfer": ("holder_id",),
    "renew": ("geometry",),
    "relinquish": ("geometry",),
}


def _check_params(action: str, params: dict[str, Any]) -> None:
    allowed = ACTION_PARAMS.get(action, ())
    unknown = sorted(k for k, v in params.items() if k not in allowed and v is not None)
    if unknown:
        hint = f"; '{action}' takes {', '.join(allowed)}" if allowed else ""
        raise ValidationError(
            f"Unexpected field{'s' if len(unknown) > 1 else ''} for '{action}': "
            f"{', '.join(unknown)}{hint}.",
            errors=[{"field": k, "message": f"is not used by '{action}'"} for k in unknown],
        )


def perform_action(
    session: Session,
    profile: Profile,
    licence_id: int,
    action: str,
    *,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
    role: str | None = None,
    **params: Any,
) -> Licence:
    """Apply a lifecycle action to a licence and record it (409 when the rules forbid it).

    On an application in a staged procedure a decision is taken only as the stage the file
    waits at, its requirements met (``services.procedure.decision_gate``); ``role`` is the
    deciding user's, recorded with the stage (the action's own role when not given).
    """
    when = at or datetime.now(UTC)
    licence = locked_licence(session, licence_id, expected_version, when)
    transition = check_transition(action, licence.status)
    gate = decision_gate(session, profile, licence, action)
    if gate is not None and gate[1].action != action:
        action = gate[1].action  # a grant asked for at the approval stage approves
        transition = check_transition(action, licence.status)
    _check_params(action, params)
    if reason is not None and not isinstance(reason, str):
        raise ValidationError(
            "The reason must be text.", errors=[{"field": "reason", "message": "must be text"}]
        )
    check_reason(transition, reason)
    before = snapshot(licence)
    target, recorded = transition.target, action
    if action in DECISIONS:
        target, reason = waits_for_payment(session, profile, licence, action, actor, when, reason)
        recorded = "approve" if target == "approved" else action
    old_holder = licence.holder_id
    reassess, reason = _apply(session, profile, licence, recorded, params, when, actor, reason)
    if target is not None:
        licence.status = target
    if gate is not None:
        procedure, stage = gate
        who = role or transition.role
        advance(session, procedure, licence, stage, actor=actor, role=who, at=when, note=reason)
    licence.version += 1
    session.flush()
    if reassess:
        assess_border(session, profile, licence)
    event = record_event(
        session, licence, recorded, actor=actor, before=before, reason=reason, at=when
    )
    session.flush()
    queue_decision_message(
        session, profile, licence, recorded, event_id=event.id, actor=actor, reason=reason, at=when
    )
    raise_action_fees(session, profile, licence, recorded, actor, when.date(), old_holder)
    return licence


def _apply(session, profile, licence, action, params, when, actor, reason):
    """The action's own work on a locked licence; (whether to reassess the border, reason)."""
    spec = profile.licence_type(licence.licence_type)
    reassess = False
    if action in ("grant", "finalise"):
        if spec.exclusive:
            geom = licence_shape(licence)
            conflicts = right_conflicts(session, profile, geom, exclude_id=licence.id)
            consented = standing_consents(session, licence.id)
            conflicts = [c for c in conflicts if c.id not in consented]
            if conflicts:
                raise conflict_error(
                    profile, conflicts, f"Licence {licence.code} cannot be granted: it"
                )
        licence.granted_at = when.date()
        licence.expires_at = first_expiry(spec, when.date())
        conditions = licence_conditions(spec)
        licence.max_depth_m = conditions.get("max_depth_m")
        licence.mechanised = conditions.get("mechanised")
    elif action == "refuse":
        licence.refusal_reason = reason.strip()
    elif action in NOTICE_ACTIONS:
        notice = notice_for(session, licence, action, when.date())
        reason = reason or (
            f"Notice {notice.id} not remedied by {notice.remedy_by.isoformat()}: {notice.breach}"
        )
    elif action == "reinstate":
        close_lapsed(session, licence, actor=actor, at=when)
    elif action == "renew":
        reassess = _renew(session, profile, licence, spec, params.get("geometry"), when)
    elif action == "transfer":
        _transfer(session, profile, licence, spec, params.get("holder_id"))
    elif action == "relinquish":
        reassess = _relinquish(session, profile, licence, params.get("geometry"))
    return reassess, reason


def _new_ground(profile: Profile, licence: Licence, geometry: Any, what: str):
    """A reduced area inside the licence's current one, with its area in hectares."""
    geom = intake_geometry(geometry, profile)
    return geom, check_inside_old(geom, licence_shape(licence), what=what)


def _renew(session, profile, licence, spec, geometry, when) -> bool:
    check_renewal_count(spec, licence.renewals)
    check_renewal_window(spec, licence.expires_at, when.date())
    new_geom, new_ha = None, None
    if geometry is not None:
        new_geom, new_ha = _new_ground(profile, licence, geometry, "renewed area")
    check_renewal_area(spec, licence.area_ha, new_ha)
    licence.expires_at = renewal_expiry(spec, licence.expires_at, when.date())
    licence.renewals += 1
    if new_geom is None:
        return False
    licence.geom = from_shape(new_geom, srid=4326)
    licence.area_ha = new_ha
    return True


def _transfer(session, profile, licence, spec, holder_id) -> None:
    if holder_id is None:
        raise ValidationError(
            "Name the new holder: 'holder_id' is required to transfer a licence.",
            errors=[{"field": "holder_id", "message": "is required for a transfer"}],
        )
    holder = check_holder_id(session, holder_id)
    if holder.id == licence.holder_id:
        raise ValidationError(
            f"{holder.name} already holds licence {licence.code}.",
            errors=[{"field": "holder_id", "message": "is the current holder"}],
        )
    check_eligibility(profile, spec, holder_facts(holder))
    licence.holder_id = holder.id


def _relinquish(session, profile, licence, geometry) -> bool:
    if geometry is None:
        licence.status = "relinquished"
        return False
    kept, kept_ha = _new_ground(profile, licence, geometry, "kept area")
    check_partial_relinquishment(kept_ha, licence.area_ha)
    licence.geom = from_shape(kept, srid=4326)
    licence.area_ha = kept_ha
    return True
