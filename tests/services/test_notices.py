"""Notices before suspension or revocation, and the conditions a grant records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from licence_support import KONO, grant_settled, lapsed_notice, make_holder, rect

from cadastre.errors import Conflict, ValidationError
from cadastre.services.licences import licence_history, perform_action, register_application
from cadastre.services.notices import issue_notice, licence_notices, mark_remedied


def _granted(session, profile, licence_type="exploration", kind="company", side=2000):
    holder = make_holder(session, kind, f"{licence_type} holder")
    lic = register_application(
        session,
        profile,
        holder_id=holder,
        licence_type=licence_type,
        commodities=["gold"],
        geometry=rect(*KONO, side),
        actor="officer.test",
        district="Kono",
    )
    grant_settled(session, profile, lic.id, actor="sup")
    return lic


def test_a_notice_is_recorded_with_its_remedy_period_and_a_history_event(empty_register, profile):
    session = empty_register
    lic = _granted(session, profile)
    version = lic.version
    notice = issue_notice(session, profile, lic.id, actor="sup", breach="No annual report.")
    days = profile.notices.remedy_days
    assert notice.remedy_days == days and notice.remedy_source == profile.notices.source
    assert notice.remedy_by == notice.issued_at.date() + timedelta(days=days)
    assert notice.cause == profile.notices.default_cause
    assert lic.version == version + 1
    last = licence_history(session, lic.id)[-1]
    assert last.action == "notice" and "No annual report." in last.reason
    assert notice.remedy_by.isoformat() in last.reason


def test_suspension_waits_for_the_remedy_period(empty_register, profile):
    session = empty_register
    lic = _granted(session, profile)
    with pytest.raises(Conflict) as err:
        perform_action(session, profile, lic.id, "suspend", actor="sup")
    assert "without notice" in err.value.detail
    notice = issue_notice(session, profile, lic.id, actor="sup", breach="Mining beyond 10 m.")
    for action in ("suspend", "revoke"):
        with pytest.raises(Conflict) as err:
            perform_action(session, profile, lic.id, action, actor="sup")
        assert f"until {notice.remedy_by.isoformat()}" in err.value.detail
    later = datetime.now(UTC) + timedelta(days=profile.notices.remedy_days + 1)
    perform_action(session, profile, lic.id, "suspend", actor="sup", at=later)
    assert lic.status == "suspended"
    last = licence_history(session, lic.id)[-1]
    assert last.reason.startswith(f"Notice {notice.id} not remedied")


def test_a_remedied_notice_allows_no_suspension(empty_register, profile):
    session = empty_register
    lic = _granted(session, profile)
    notice = lapsed_notice(session, profile, lic.id)
    mark_remedied(session, lic.id, notice.id, actor="sup", note="Report received.")
    assert licence_history(session, lic.id)[-1].action == "notice_remedied"
    with pytest.raises(Conflict) as err:
        perform_action(session, profile, lic.id, "suspend", actor="sup")
    assert "has been remedied" in err.value.detail
    with pytest.raises(Conflict):
        mark_remedied(session, lic.id, notice.id, actor="sup")


def test_reinstatement_closes_the_notice_it_answers(empty_register, profile):
    session = empty_register
    lic = _granted(session, profile)
    lapsed_notice(session, profile, lic.id)
    perform_action(session, profile, lic.id, "suspend", actor="sup")
    perform_action(session, profile, lic.id, "reinstate", actor="sup")
    assert all(n.remedied_at is not None for n in licence_notices(session, lic.id))
    with pytest.raises(Conflict):
        perform_action(session, profile, lic.id, "suspend", actor="sup")


def test_notices_need_a_licence_in_force_and_a_breach(empty_register, profile):
    session = empty_register
    holder = make_holder(session, "company", "Applicant Ltd")
    app = register_application(
        session,
        profile,
        holder_id=holder,
        licence_type="exploration",
        commodities=["gold"],
        geometry=rect(*KONO, 2000),
        actor="officer.test",
    )
    with pytest.raises(Conflict):
        issue_notice(session, profile, app.id, actor="sup", breach="Anything.")
    grant_settled(session, profile, app.id)
    with pytest.raises(ValidationError) as err:
        issue_notice(session, profile, app.id, actor="sup", breach="  ")
    assert err.value.errors[0]["field"] == "breach"


@pytest.mark.parametrize(
    "licence_type,kind,side,depth,mechanised",
    [
        ("artisanal", "individual", 80, 10, False),
        ("small_scale", "cooperative", 800, 20, True),
        ("exploration", "company", 2000, None, None),
    ],
)
def test_a_grant_records_depth_and_mechanisation(
    empty_register, profile, licence_type, kind, side, depth, mechanised
):
    lic = _granted(empty_register, profile, licence_type, kind, side)
    assert (lic.max_depth_m, lic.mechanised) == (depth, mechanised)
