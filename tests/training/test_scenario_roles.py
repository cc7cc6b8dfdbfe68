"""Training follows the law's roles: trainees are district officers where they record
applications, a supervisor (the trainer) grants them, and the sheet speaks plain words."""

import pytest
import yaml

from cadastre.errors import ConfigurationError
from cadastre.training.checker import check_trainee
from cadastre.training.scenarios import SCENARIO_DIR, load_all, load_scenario
from tests.training.walkthrough import _apply


def _variant(tmp_path, change) -> str:
    data = yaml.safe_load((SCENARIO_DIR / "artisanal-eight-steps.yaml").read_text())
    change(data)
    (tmp_path / "variant.yaml").write_text(yaml.safe_dump(data))
    return "variant"


def _approval(data) -> dict:
    return next(t for t in data["tasks"] if t["key"] == "approval")["check"]


def test_trainees_recording_applications_are_officers_and_do_not_grant(profile):
    scenario = load_scenario("artisanal-eight-steps", profile)
    assert {t.role for t in scenario.trainees} == {"officer"}
    approval = scenario.task("approval").check
    assert approval["stage"] == "approval" and approval["by_role"] == "supervisor"
    assert "by_role" not in scenario.task("finalise").check  # the officer finalises
    for s in load_all(profile):  # every shipped scenario passes the role rules
        assert s.trainees


def test_a_trainee_granting_their_own_application_is_refused(profile, tmp_path):
    def supervisors_grant_their_own(data):
        for a in data["accounts"]:
            if a.get("trainee", True):
                a["role"] = "supervisor"
        del _approval(data)["by_role"]

    name = _variant(tmp_path, supervisors_grant_their_own)
    with pytest.raises(ConfigurationError, match="application they recorded themselves"):
        load_scenario(name, profile, tmp_path)


def test_an_action_beyond_the_trainees_role_is_refused(profile, tmp_path):
    name = _variant(tmp_path, lambda data: _approval(data).pop("by_role"))
    with pytest.raises(
        ConfigurationError, match="is 'officer' and may not complete the stage 'approval'"
    ):
        load_scenario(name, profile, tmp_path)


def test_of_task_must_name_an_earlier_task(profile, tmp_path):
    name = _variant(tmp_path, lambda data: _approval(data).update(of_task="nowhere"))
    with pytest.raises(ConfigurationError, match="no earlier task 'nowhere'"):
        load_scenario(name, profile, tmp_path)


def test_details_name_tasks_by_number_and_title_in_plain_english(
    reset_to, training_session, profile
):
    scenario, state = reset_to("artisanal-eight-steps")
    results = {
        r.task: r for r in check_trainee(training_session, profile, scenario, state, "trainee1")
    }
    assert results["approval"].detail == (
        "Do task 2 (Record the application from the warden's corners) first."
    )
    lic = _apply(
        training_session,
        profile,
        state,
        "trainee1",
        "conteh",
        "artisanal",
        scenario.area("allocated-plot", "trainee1"),
        district="Kono",
    )
    training_session.flush()
    results = {
        r.task: r for r in check_trainee(training_session, profile, scenario, state, "trainee1")
    }
    assert results["approval"].detail == (
        f"{lic.code}: stage 6 (Approved by the Regional Manager) not yet completed; "
        "a supervisor (the trainer) completes it. The file waits at stage 1 (Plot chosen with "
        "the Chiefdom Mining Allocation Committee)."
    )
    training_session.rollback()
