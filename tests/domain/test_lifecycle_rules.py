"""The law's timing rules, pure: the renewal window and the notice before suspension."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cadastre.domain.lifecycle import (
    NoticeTerms,
    check_notice_ran_out,
    check_renewal_window,
    licence_conditions,
    renewal_window,
)
from cadastre.errors import Conflict
from cadastre.profile import load_profile

PROFILE = load_profile("fixtures/profiles/sierra-leone.yaml")
EXPLORATION = PROFILE.licence_type("exploration")  # window: 180 days before expiry to expiry
EXPIRES = date(2030, 3, 1)


def test_the_window_runs_from_opens_to_closes_days_before_expiry():
    assert renewal_window(EXPLORATION, EXPIRES) == (date(2029, 9, 2), date(2030, 3, 1))
    shifted = replace(EXPLORATION, renewal_opens_days=90, renewal_closes_days=30)
    assert renewal_window(shifted, EXPIRES) == (date(2029, 12, 1), date(2030, 1, 30))


@pytest.mark.parametrize("today", [date(2029, 9, 2), date(2029, 12, 25), date(2030, 3, 1)])
def test_a_renewal_inside_the_window_passes(today):
    check_renewal_window(EXPLORATION, EXPIRES, today)


@pytest.mark.parametrize(
    "today,words",
    [(date(2027, 3, 1), "has not opened yet"), (date(2029, 9, 1), "has not opened yet")],
)
def test_a_renewal_before_the_window_is_refused_with_its_dates(today, words):
    with pytest.raises(Conflict) as err:
        check_renewal_window(EXPLORATION, EXPIRES, today)
    assert "from 2029-09-02 to 2030-03-01" in err.value.detail and words in err.value.detail
    assert err.value.extra["renewal_window"] == {"opens": "2029-09-02", "closes": "2030-03-01"}


def test_a_renewal_after_a_window_that_closes_early_is_refused():
    early = replace(EXPLORATION, renewal_opens_days=90, renewal_closes_days=30)
    with pytest.raises(Conflict) as err:
        check_renewal_window(early, EXPIRES, date(2030, 2, 1))
    assert "has closed" in err.value.detail and "2030-01-30" in err.value.detail


def test_a_type_without_a_window_renews_at_any_time():
    free = replace(EXPLORATION, renewal_opens_days=None)
    assert renewal_window(free, EXPIRES) is None
    check_renewal_window(free, EXPIRES, date(2027, 3, 1))


def test_every_licence_type_of_the_profile_sets_a_window():
    for spec in PROFILE.licence_types.values():
        assert spec.renewal_opens_days and spec.renewal_opens_days >= spec.renewal_closes_days


def _notice(id_, issued, days=30, remedied=False):
    return NoticeTerms(id=id_, issued_on=issued, remedy_days=days, remedied=remedied)


def test_no_suspension_without_a_notice():
    with pytest.raises(Conflict) as err:
        check_notice_ran_out("suspend", [], date(2027, 1, 1))
    assert "without notice" in err.value.detail


def test_no_suspension_while_the_remedy_period_runs():
    notice = _notice(7, date(2027, 1, 1))
    assert notice.remedy_by == date(2027, 1, 31)
    for today in (date(2027, 1, 1), date(2027, 1, 31)):
        with pytest.raises(Conflict) as err:
            check_notice_ran_out("revoke", [notice], today)
        assert "until 2027-01-31" in err.value.detail
        assert err.value.extra["possible_from"] == "2027-02-01"


def test_suspension_rests_on_the_oldest_notice_run_out_unremedied():
    first, second = _notice(1, date(2027, 1, 1)), _notice(2, date(2027, 1, 10))
    assert check_notice_ran_out("suspend", [second, first], date(2027, 2, 1)) == first
    assert check_notice_ran_out("suspend", [second, first], date(2027, 2, 10)) == first


def test_a_remedied_notice_allows_no_suspension():
    remedied = _notice(3, date(2027, 1, 1), remedied=True)
    with pytest.raises(Conflict) as err:
        check_notice_ran_out("suspend", [remedied], date(2028, 1, 1))
    assert "remedied" in err.value.detail


def test_grant_conditions_follow_the_profile():
    assert licence_conditions(PROFILE.licence_type("artisanal")) == {
        "max_depth_m": 10,
        "mechanised": False,
    }
    assert licence_conditions(PROFILE.licence_type("small_scale")) == {
        "max_depth_m": 20,
        "mechanised": True,
    }
    assert licence_conditions(PROFILE.licence_type("large_scale")) == {}
