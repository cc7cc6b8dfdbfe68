"""``cadastre obligations run``: each licence in force gets each obligation period once; a
renewal carries the periods on to the new expiry; none come round after surrender or expiry."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from licence_support import lapsed_notice
from sqlalchemy import func, select

from cadastre.models import LicenceEvent, LicenceObligation
from cadastre.services.licences import perform_action
from cadastre.services.obligations import run_obligations
from tests.obligations.support import granted_on


def run(runner, day: date) -> dict:
    result = runner.invoke(args=["obligations", "run", "--as-of", day.isoformat(), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def rows(session, licence_id):
    return session.execute(
        select(LicenceObligation.key, LicenceObligation.due_on, LicenceObligation.status)
        .where(LicenceObligation.licence_id == licence_id)
        .order_by(LicenceObligation.due_on, LicenceObligation.key)
    ).all()


def test_a_leap_day_grant_and_a_second_run_adding_nothing(empty_register, profile, runner):
    session = empty_register
    lic = granted_on(session, profile, "large_scale", datetime(2024, 2, 29, 10, tzinfo=UTC))
    session.commit()
    events_before = session.scalar(select(func.count()).select_from(LicenceEvent))
    first = run(runner, date(2026, 12, 3))
    assert first["licences_checked"] == 1
    assert first["by_kind"] == {
        "annual_report": 3,  # 2024 (from the grant), 2025, 2026 (begun)
        "community_development_agreement": 1,
        "environmental_licence": 1,
        "production_return": 12,  # 2024-Q1 (from 29 Feb) to 2026-Q4
    }
    assert first["obligations_generated"] == 17
    got = {k: (d, s) for k, d, s in rows(session, lic.id)}
    assert got["environmental_licence"] == (date(2024, 8, 27), "open")  # 180 days
    assert got["community_development_agreement"] == (date(2025, 2, 28), "open")  # 365 days
    assert got["production_return:2024-Q1"][0] == date(2024, 4, 30)
    assert got["annual_report:2024"][0] == date(2025, 3, 31)
    assert "production_return:2027-Q1" not in got
    # overdue: open and past due on the as-of day (the 2026-Q3 return is due 30 Oct 2026;
    # Q4's is not due yet, nor the 2026 report)
    assert first["overdue"] == 17 - 2
    again = run(runner, date(2026, 12, 3))
    assert again["obligations_generated"] == 0 and again["licences_checked"] == 1
    assert len(rows(session, lic.id)) == 17
    later = run(runner, date(2027, 1, 1))
    assert later["by_kind"] == {"annual_report": 1, "production_return": 1}  # 2027, 2027-Q1
    # generating writes no history: nothing about the licence changed
    assert session.scalar(select(func.count()).select_from(LicenceEvent)) == events_before


def test_after_a_renewal_the_periods_go_on_to_the_new_expiry(empty_register, profile):
    session = empty_register
    lic = granted_on(session, profile, "exploration", datetime(2023, 6, 1, 9, tzinfo=UTC))
    assert lic.expires_at == date(2026, 6, 1)
    run_obligations(session, profile, date(2026, 4, 1))
    keys = [k for k, _, _ in rows(session, lic.id)]
    assert sorted(keys) == sorted(
        [f"work_programme:{y}" for y in (2023, 2024, 2025)]
        + [f"expenditure_report:{y}" for y in (2023, 2024, 2025)]
    )
    perform_action(session, profile, lic.id, "renew", actor="sup",
                   at=datetime(2026, 5, 1, 9, tzinfo=UTC))  # fmt: skip
    assert lic.expires_at == date(2028, 6, 1)
    result = run_obligations(session, profile, date(2030, 1, 1))
    assert result.by_kind == {"work_programme": 2, "expenditure_report": 2}  # 2026, 2027
    due = {k: d for k, d, _ in rows(session, lic.id)}
    assert due["work_programme:2027"] == date(2027, 7, 1)
    assert due["expenditure_report:2027"] == date(2028, 7, 30)  # the new term's last year
    assert "work_programme:2028" not in due  # begins on the new expiry: never


def test_none_come_round_after_surrender_or_on_licences_not_in_force(empty_register, profile):
    session = empty_register
    kept = granted_on(session, profile, "large_scale", datetime(2025, 1, 15, tzinfo=UTC), 0)
    gone = granted_on(session, profile, "large_scale", datetime(2025, 1, 15, tzinfo=UTC), 1)
    first = run_obligations(session, profile, date(2025, 6, 1))
    assert first.licences == 2 and first.generated == 2 * 5  # 2 quarters, 1 report, 2 once
    perform_action(session, profile, gone.id, "relinquish", actor="sup",
                   reason="Surrendered.", at=datetime(2025, 6, 2, tzinfo=UTC))  # fmt: skip
    assert gone.status == "relinquished"
    later = run_obligations(session, profile, date(2026, 12, 1))
    assert later.licences == 1
    assert len(rows(session, gone.id)) == 5  # what was owed stays owed; nothing new
    assert len(rows(session, kept.id)) == 5 + later.generated


def test_a_suspended_licence_still_owes(empty_register, profile):
    session = empty_register
    lic = granted_on(session, profile, "small_scale", datetime(2025, 3, 1, tzinfo=UTC))
    lapsed_notice(session, profile, lic.id)
    perform_action(session, profile, lic.id, "suspend", actor="sup", reason="No returns.")
    assert lic.status == "suspended"
    result = run_obligations(session, profile, date(2025, 12, 31))
    assert result.licences == 1
    assert result.by_kind == {"production_return": 4, "annual_report": 1}  # Q1 (from 1 March)-Q4


def test_a_bad_as_of_day_is_refused_by_the_command(runner):
    result = runner.invoke(args=["obligations", "run", "--as-of", "31/12/2026"])
    assert result.exit_code != 0
    assert "is not a date" in result.output
