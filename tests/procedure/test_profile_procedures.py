"""The profile's ``procedures`` section: the Sierra Leone one reads as the agency's stages, and
every fault stops the load with the file and the key at fault named."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from cadastre.errors import ConfigurationError
from cadastre.profile import load_profile

NMA_STAGES = ["lodged", "gps_validation", "board_recommendation", "decision", "fee_paid", "issue"]


@pytest.fixture(scope="module")
def profile_data(settings) -> dict:
    with open(settings.profile, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture
def load_with(profile_data, tmp_path):
    """``load_with(change)``: the profile after ``change(data)``, loaded from a file."""

    def load(change):
        data = copy.deepcopy(profile_data)
        # YAML anchors share one dict among the NMA types: give each its own
        data["procedures"] = {k: copy.deepcopy(v) for k, v in data["procedures"].items()}
        change(data)
        path = tmp_path / "changed.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path, load_profile(path)

    return load


def fault(load_with, change) -> str:
    with pytest.raises(ConfigurationError) as info:
        load_with(change)
    return str(info.value)


def test_the_sierra_leone_procedures(profile):
    artisanal = profile.procedure("artisanal")
    assert [s.name for s in artisanal.stages] == [
        "plot_allocation", "survey", "surface_rent_agreement", "file_check", "verification",
        "approval", "order_to_pay", "finalisation",
    ]  # fmt: skip
    assert artisanal.stage("approval").action == "approve"
    assert artisanal.stage("approval").roles == ("supervisor",)
    assert artisanal.stage("finalisation").payment == "before_grant"
    assert artisanal.clock.until == "approval"
    for licence_type in ("reconnaissance", "exploration", "small_scale", "large_scale"):
        nma = profile.procedure(licence_type)
        assert nma.licence_type == licence_type
        assert [s.name for s in nma.stages] == NMA_STAGES
        assert nma.stage("lodged").documents == ("application_form",)
        assert nma.stage("lodged").payment == "application_fee"
        assert nma.stage("board_recommendation").documents == ("board_minutes",)
        assert nma.stage("fee_paid").roles == ("finance",)
        assert nma.stage("issue").action == "finalise" and not nma.stage("issue").refusal
        assert nma.clock.days == 90 and nma.clock.until == "decision"


def test_no_procedures_section_means_no_staged_type(load_with):
    _, profile = load_with(lambda d: d.pop("procedures"))
    assert profile.procedures == {} and profile.procedure("exploration") is None


def _stage(data, i, licence_type="exploration"):
    return data["procedures"][licence_type]["stages"][i]


CASES = {
    "unknown licence type": (
        lambda d: d["procedures"].__setitem__("quarry", d["procedures"]["artisanal"]),
        "procedures.quarry",
        "is not a licence type",
    ),
    "unknown role": (
        lambda d: _stage(d, 1).__setitem__("roles", ["officer", "mines_warden"]),
        "procedures.exploration.stages[1].roles",
        "'mines_warden' is not a role",
    ),
    "no role": (
        lambda d: _stage(d, 1).__setitem__("roles", []),
        "procedures.exploration.stages[1].roles",
        "at least one role",
    ),
    "unknown document kind": (
        lambda d: _stage(d, 2)["requires"].__setitem__("documents", ["minutes_of_board"]),
        "procedures.exploration.stages[2].requires.documents",
        "'minutes_of_board' is not a document kind",
    ),
    "unknown field": (
        lambda d: _stage(d, 1).__setitem__("requires", {"fields": ["chiefdom"]}),
        "procedures.exploration.stages[1].requires.fields",
        "'chiefdom' is not a field",
    ),
    "bad payment": (
        lambda d: _stage(d, 4)["requires"].__setitem__("payment", "everything"),
        "procedures.exploration.stages[4].requires.payment",
        "'everything' is not one of",
    ),
    "unknown requirement": (
        lambda d: _stage(d, 4)["requires"].__setitem__("fees", True),
        "procedures.exploration.stages[4].requires.fees",
        "is not a requirement",
    ),
    "duplicate stage name": (
        lambda d: _stage(d, 2).__setitem__("name", "lodged"),
        "procedures.exploration.stages[2].name",
        "'lodged' names two stages",
    ),
    "stage name not lower-case": (
        lambda d: _stage(d, 2).__setitem__("name", "Board Recommendation"),
        "procedures.exploration.stages[2].name",
        "use lower-case letters",
    ),
    "last stage neither grant nor finalise": (
        lambda d: _stage(d, 5).pop("action"),
        "procedures.exploration.stages[5].action",
        "the last stage must grant or finalise",
    ),
    "unknown action": (
        lambda d: _stage(d, 3).__setitem__("action", "decide"),
        "procedures.exploration.stages[3].action",
        "'decide' is not one of",
    ),
    "bad clock count": (
        lambda d: d["procedures"]["exploration"]["clock"].__setitem__("count", "working"),
        "procedures.exploration.clock.count",
        "'working' is not one of calendar, business",
    ),
    "clock of no days": (
        lambda d: d["procedures"]["exploration"]["clock"].__setitem__("days", 0),
        "procedures.exploration.clock.days",
        "at least 1",
    ),
    "until naming no stage": (
        lambda d: d["procedures"]["exploration"]["clock"].__setitem__("until", "minister"),
        "procedures.exploration.clock.until",
        "'minister' is not a stage of this procedure",
    ),
    "unknown stage key": (
        lambda d: _stage(d, 0).__setitem__("deadline_days", 14),
        "procedures.exploration.stages[0].deadline_days",
        "is not a stage key",
    ),
    "no stages": (
        lambda d: d["procedures"]["exploration"].__setitem__("stages", []),
        "procedures.exploration.stages",
        "at least one stage",
    ),
    "a holiday that is no date": (
        lambda d: d["procedures"]["holidays"].append("Christmas"),
        "procedures.holidays",
        "'Christmas' is not a date",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_fault_names_the_file_and_the_key(load_with, tmp_path, case):
    change, key, problem = CASES[case]
    message = fault(load_with, change)
    assert message.startswith(f"Profile {tmp_path / 'changed.yaml'}: key '{key}': "), message
    assert problem in message
    assert re.search(r"\n|Traceback", message) is None


def test_one_type_changed_leaves_the_others(load_with):
    def business(data):
        data["procedures"]["exploration"]["clock"].update(count="business", days=30)

    _, profile = load_with(business)
    assert profile.procedure("exploration").clock.count == "business"
    assert profile.procedure("small_scale").clock.count == "calendar"
