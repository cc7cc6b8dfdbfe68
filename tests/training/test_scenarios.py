"""Every scenario loads, builds through the services, and its tasks can be done and are checked."""

import pytest
from sqlalchemy import func, select

from cadastre.models import Licence, User
from cadastre.training.checker import check_trainee, progress
from cadastre.training.reset import load_state
from cadastre.training.scenarios import load_all, scenario_names
from tests.training.walkthrough import WALKTHROUGHS


def test_at_least_six_scenarios_each_with_briefing_accounts_and_tasks(profile):
    scenarios = load_all(profile)
    assert len(scenarios) >= 6
    for s in scenarios:
        assert s.title and s.briefing and s.tasks and s.trainees
        assert any(not a.trainee for a in s.accounts), f"{s.name} has no trainer"
    assert set(WALKTHROUGHS) == set(scenario_names())


@pytest.mark.parametrize("name", scenario_names())
def test_tasks_can_be_completed_and_are_marked_done(name, reset_to, training_session, profile):
    scenario, state = reset_to(name)
    session = training_session
    assert load_state(session).scenario == name
    n_trainees = len(scenario.trainees)
    assert session.scalar(select(func.count()).select_from(User)) == len(scenario.accounts)
    expected_licences = sum(n_trainees if spec.per_trainee else 1 for spec in scenario.licences)
    assert session.scalar(select(func.count()).select_from(Licence)) == expected_licences

    before = progress(session, profile, scenario, state)
    assert all(not r.done for results in before.values() for r in results), before

    first, second = scenario.trainees[0].username, scenario.trainees[1].username
    WALKTHROUGHS[name](session, profile, scenario, state, first)
    session.commit()
    done = check_trainee(session, profile, scenario, state, first)
    assert [r.task for r in done] == [t.key for t in scenario.tasks]
    assert all(r.done for r in done), done
    # another trainee's progress is their own: nothing done yet
    assert not any(r.done for r in check_trainee(session, profile, scenario, state, second))
    # and the second trainee can do the same tasks on their own copies
    WALKTHROUGHS[name](session, profile, scenario, state, second)
    session.commit()
    assert all(r.done for r in check_trainee(session, profile, scenario, state, second))
