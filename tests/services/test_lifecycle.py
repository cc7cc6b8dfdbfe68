"""Every lifecycle transition, allowed and forbidden, with its history; renewals, transfers,
partial relinquishment, expiry and stale versions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from geoalchemy2.shape import to_shape
from licence_support import (
    KONO,
    geojson,
    grant_near_expiry,
    grant_settled,
    lapsed_notice,
    make_holder,
    rect,
    square_ha,
    walk_to,
)
from sqlalchemy import select

from cadastre.domain.lifecycle import NOTICE_ACTIONS, TRANSITIONS, allowed_actions
from cadastre.errors import Conflict, PreconditionFailed, ValidationError
from cadastre.models import LicenceEvent
from cadastre.services.licences import (
    expire_due,
    get_licence,
    licence_history,
    perform_action,
    register_application,
)

#: How to reach each status from a fresh application.
PATHS = {
    "application": [],
    "approved": ["approve"],
    "granted": ["grant"],
    "refused": ["refuse"],
    "withdrawn": ["withdraw"],
    "suspended": ["grant", "suspend"],
    "revoked": ["grant", "revoke"],
    "relinquished": ["grant", "relinquish"],
    "expired": ["grant", "expire"],
}
#: Where each allowed (status, action) leads.
EXPECTED = {
    ("application", "grant"): "granted",
    ("application", "approve"): "approved",
    ("approved", "grant"): "granted",
    ("approved", "finalise"): "granted",
    ("approved", "refuse"): "refused",
    ("approved", "withdraw"): "withdrawn",
    ("application", "refuse"): "refused",
    ("application", "withdraw"): "withdrawn",
    ("granted", "renew"): "granted",
    ("granted", "suspend"): "suspended",
    ("granted", "revoke"): "revoked",
    ("granted", "relinquish"): "relinquished",
    ("granted", "expire"): "expired",
    ("suspended", "reinstate"): "granted",
    ("suspended", "revoke"): "revoked",
    ("suspended", "relinquish"): "relinquished",
    ("suspended", "expire"): "expired",
}
ACTIONS = list(TRANSITIONS)


@pytest.fixture
def plain(profile):
    """The profile without staged procedures: every application is decided at once, so the
    lifecycle's own rules are seen without the procedure's gate (tested below and in
    tests/procedure)."""
    from dataclasses import replace

    return replace(profile, procedures={})


@pytest.fixture
def holders(empty_register):
    return {
        "company": make_holder(empty_register, "company", "First Co Ltd"),
        "other": make_holder(empty_register, "company", "Second Co Ltd"),
        "person": make_holder(empty_register, "individual", "Musu Sandi"),
    }


def new(session, profile, holder_id, licence_type="exploration", shape=None):
    return register_application(
        session,
        profile,
        holder_id=holder_id,
        licence_type=licence_type,
        commodities=["gold"],
        geometry=shape or rect(*KONO, 2000),
        actor="officer.test",
        district="Kono",
    )


def at_status(session, profile, holder_id, status):
    """A licence at ``status``; a granted one inside its renewal window, any suspension or
    revocation on a notice whose remedy period has run out."""
    lic = new(session, profile, holder_id)
    for action in PATHS[status]:
        if action == "grant":
            grant_near_expiry(session, profile, lic.id)
            continue
        if action in NOTICE_ACTIONS:
            lapsed_notice(session, profile, lic.id)
        perform_action(session, profile, lic.id, action, actor="sup", reason="on the way")
    assert lic.status == status
    return lic


def _params(action, holders):
    return {"holder_id": holders["other"]} if action == "transfer" else {}


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition(empty_register, plain, holders, status, action):
    session, profile = empty_register, plain
    lic = at_status(session, profile, holders["company"], status)
    if action in NOTICE_ACTIONS and status in ("granted", "suspended"):
        lapsed_notice(session, profile, lic.id)
    before_events = len(licence_history(session, lic.id))
    version = lic.version
    allowed = status in TRANSITIONS[action].sources
    if not allowed:
        with pytest.raises(Conflict) as err:
            perform_action(
                session, profile, lic.id, action, actor="sup", **_params(action, holders)
            )
        assert err.value.extra["allowed_actions"] == allowed_actions(status)
        assert f"'{status}'" in err.value.detail
        assert len(licence_history(session, lic.id)) == before_events
        return
    perform_action(
        session, profile, lic.id, action, actor="sup", reason="because", **_params(action, holders)
    )
    target = EXPECTED.get((status, action), status)
    assert lic.status == target
    assert lic.version == version + 1
    events = licence_history(session, lic.id)
    assert len(events) == before_events + 1
    last = events[-1]
    assert (last.action, last.actor, last.reason) == (action, "sup", "because")
    assert last.before["status"] == status and last.after["status"] == target
    assert last.after["geometry"]["type"] == "MultiPolygon"


def test_grant_sets_the_term_and_renew_extends_it(empty_register, profile, holders):
    session = empty_register
    lic = new(session, profile, holders["company"])
    when = datetime(2026, 3, 1, 10, tzinfo=UTC)
    grant_settled(session, profile, lic.id, at=when)
    assert lic.granted_at == date(2026, 3, 1) and lic.expires_at == date(2029, 3, 1)
    with pytest.raises(Conflict) as err:  # the window opens 180 days before expiry
        perform_action(
            session, profile, lic.id, "renew", actor="sup", at=when + timedelta(days=900)
        )
    assert "from 2028-09-02 to 2029-03-01" in err.value.detail
    perform_action(session, profile, lic.id, "renew", actor="sup", at=when + timedelta(days=1000))
    assert lic.expires_at == date(2031, 3, 1) and lic.renewals == 1  # 2-year renewal term
    with pytest.raises(Conflict) as err:
        perform_action(
            session, profile, lic.id, "renew", actor="sup", at=when + timedelta(days=1700)
        )
    assert "renewed once" in err.value.detail


def test_renewal_over_the_renewal_area_limit_needs_a_reduced_area(empty_register, profile, holders):
    session = empty_register
    big = square_ha(*KONO, 15_000)  # an exploration licence may renew over at most 12,500 ha
    lic = new(session, profile, holders["company"], shape=big)
    grant_near_expiry(session, profile, lic.id)
    with pytest.raises(ValidationError) as err:
        perform_action(session, profile, lic.id, "renew", actor="sup")
    assert "at most 12,500 ha" in err.value.detail
    outside = rect(KONO[0] + 0.5, KONO[1], 5000)
    with pytest.raises(ValidationError) as err:
        perform_action(session, profile, lic.id, "renew", actor="sup", geometry=outside)
    assert "inside the current licence area" in err.value.detail
    kept = square_ha(*KONO, 10_000)
    perform_action(session, profile, lic.id, "renew", actor="sup", geometry=geojson(kept))
    assert lic.renewals == 1 and lic.area_ha == pytest.approx(10_000, rel=0.01)
    last = licence_history(session, lic.id)[-1]
    assert last.before["area_ha"] > 14_000 and last.after["area_ha"] < 10_100


def test_transfer_checks_the_new_holder(empty_register, profile, holders):
    session = empty_register
    lic = at_status(session, profile, holders["company"], "granted")
    with pytest.raises(ValidationError) as err:
        perform_action(
            session, profile, lic.id, "transfer", actor="sup", holder_id=holders["person"]
        )
    assert "only by a company" in err.value.detail
    with pytest.raises(ValidationError):
        perform_action(
            session, profile, lic.id, "transfer", actor="sup", holder_id=holders["company"]
        )
    with pytest.raises(ValidationError):
        perform_action(session, profile, lic.id, "transfer", actor="sup")
    with pytest.raises(ValidationError):
        perform_action(session, profile, lic.id, "transfer", actor="sup", holder_id=10**12)
    perform_action(session, profile, lic.id, "transfer", actor="sup", holder_id=holders["other"])
    assert lic.holder_id == holders["other"] and lic.status == "granted"
    last = licence_history(session, lic.id)[-1]
    assert last.before["holder_id"] == holders["company"]
    assert last.after["holder_id"] == holders["other"]


def test_partial_relinquishment_keeps_the_right_on_less_ground(empty_register, profile, holders):
    session = empty_register
    lic = at_status(session, profile, holders["company"], "granted")
    old_area = lic.area_ha
    minx, miny, maxx, maxy = to_shape(lic.geom).bounds
    from shapely.geometry import box

    kept = box(minx, miny, (minx + maxx) / 2, maxy)  # the western half
    perform_action(
        session, profile, lic.id, "relinquish", actor="sup", geometry=kept, reason="half"
    )
    assert lic.status == "granted"
    assert lic.area_ha == pytest.approx(old_area / 2, rel=0.001)
    assert (
        to_shape(lic.geom).equals(kept)
        or to_shape(lic.geom).symmetric_difference(kept).area < 1e-12
    )
    last = licence_history(session, lic.id)[-1]
    assert last.action == "relinquish" and last.reason == "half"
    assert last.before["geometry"] != last.after["geometry"]
    # the relinquished half is free again for others
    east = box((minx + maxx) / 2, miny, maxx, maxy)
    assert new(session, profile, holders["other"], shape=east).status == "application"
    # kept ground outside the old area, or all of it, is refused
    with pytest.raises(ValidationError) as err:
        perform_action(session, profile, lic.id, "relinquish", actor="sup", geometry=east)
    assert "inside the current licence area" in err.value.detail
    with pytest.raises(ValidationError) as err:
        perform_action(session, profile, lic.id, "relinquish", actor="sup", geometry=kept)
    assert "nothing would be relinquished" in err.value.detail


def test_due_licences_expire_with_a_system_event(empty_register, profile, holders):
    session = empty_register
    lic = new(session, profile, holders["person"], "artisanal", rect(*KONO, 80))
    long_ago = datetime.now(UTC) - timedelta(days=800)
    grant_settled(session, profile, lic.id, at=long_ago)
    assert lic.status == "granted"
    assert expire_due(session) == [lic.id]
    assert lic.status == "expired"
    last = licence_history(session, lic.id)[-1]
    assert (last.action, last.actor) == ("expire", "system")
    assert last.at.date() == lic.expires_at + timedelta(days=1)
    assert expire_due(session) == []


def test_an_action_on_an_overdue_licence_finds_it_expired(empty_register, profile, holders):
    session = empty_register
    lic = new(session, profile, holders["person"], "artisanal", rect(*KONO, 80))
    grant_settled(session, profile, lic.id, actor="sup", at=datetime.now(UTC) - timedelta(days=400))
    with pytest.raises(Conflict) as err:
        perform_action(session, profile, lic.id, "renew", actor="sup")
    assert "'expired'" in err.value.detail
    # (the expiry is rolled back with the failed action and found again by the next reader)


def test_stale_version_is_refused(empty_register, profile, holders):
    session = empty_register
    lic = walk_to(session, profile, new(session, profile, holders["company"]).id, before="decision")
    version = lic.version
    with pytest.raises(PreconditionFailed):
        perform_action(session, profile, lic.id, "grant", actor="sup", expected_version=7)
    perform_action(session, profile, lic.id, "grant", actor="sup", expected_version=version)
    assert lic.version == version + 1


def test_grant_refuses_an_application_overlapping_a_right_in_force(
    empty_register, profile, holders
):
    session = empty_register
    right = at_status(session, profile, holders["company"], "granted")
    legacy = register_application(
        session,
        profile,
        holder_id=holders["other"],
        licence_type="exploration",
        commodities=["gold"],
        geometry=rect(*KONO, 1000),
        actor="import",
        check_priority=False,
    )
    walk_to(session, profile, legacy.id, before="grant")  # the stage that grants it
    with pytest.raises(Conflict) as err:
        perform_action(session, profile, legacy.id, "grant", actor="sup")
    assert [c["id"] for c in err.value.extra["conflicts"]] == [right.id]
    assert get_licence(session, legacy.id).status == "approved"


def test_unknown_licence_and_unexpected_fields(empty_register, profile, holders):
    from cadastre.errors import NotFound

    with pytest.raises(NotFound):
        perform_action(empty_register, profile, 424242, "grant", actor="sup")
    lic = new(empty_register, profile, holders["company"])
    walk_to(empty_register, profile, lic.id, before="decision")
    before = [e.action for e in licence_history(empty_register, lic.id)]
    with pytest.raises(ValidationError) as err:
        perform_action(empty_register, profile, lic.id, "grant", actor="sup", holder_id=3)
    assert err.value.errors[0]["field"] == "holder_id"
    assert get_licence(empty_register, lic.id).status == "application"
    events = empty_register.scalars(select(LicenceEvent).where(LicenceEvent.licence_id == lic.id))
    assert [e.action for e in events] == before and "grant" not in before


def test_a_decision_is_taken_only_as_the_stage_the_file_waits_at(empty_register, profile, holders):
    session = empty_register
    lic = new(session, profile, holders["company"])
    first = profile.procedure("exploration").first.name
    assert lic.stage == first
    for action in ("grant", "approve"):
        with pytest.raises(Conflict) as err:
            perform_action(session, profile, lic.id, action, actor="sup")
        assert err.value.extra["current_stage"] == first and f"'{first}'" in err.value.detail
    assert [e.action for e in licence_history(session, lic.id)] == ["apply"]
    walk_to(session, profile, lic.id, before="decision")
    perform_action(session, profile, lic.id, "grant", actor="sup")  # the approval stage approves
    assert lic.status == "approved" and lic.stage is not None
    with pytest.raises(Conflict) as err:  # finalised only at its stage, after the fee is paid
        perform_action(session, profile, lic.id, "finalise", actor="sup")
    assert err.value.extra["current_stage"] == lic.stage
    assert walk_to(session, profile, lic.id).status == "granted"
    assert lic.stage is None and lic.decision_due is None


def test_a_refusal_only_at_a_stage_that_allows_one(empty_register, profile, holders):
    session = empty_register
    plot = new(session, profile, holders["person"], "artisanal", rect(*KONO, 80))
    refusable = [s.name for s in profile.procedure("artisanal").stages if s.refusal]
    assert plot.stage not in refusable
    with pytest.raises(Conflict) as err:
        perform_action(session, profile, plot.id, "refuse", actor="sup", reason="no")
    assert err.value.extra["refusal_stages"] == refusable
    walk_to(session, profile, plot.id, before=refusable[0])
    perform_action(session, profile, plot.id, "refuse", actor="sup", reason="no plot")
    assert plot.status == "refused" and plot.refusal_reason == "no plot"
