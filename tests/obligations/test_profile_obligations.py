"""The profile's ``obligations`` section: Sierra Leone's reads as the issue asks, and every
fault stops the load with the file and the key at fault named."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from cadastre.domain.documents import DOCUMENT_KINDS
from cadastre.errors import ConfigurationError
from cadastre.profile import load_profile

PROFILE = Path(__file__).parents[2] / "fixtures" / "profiles" / "sierra-leone.yaml"


@pytest.fixture(scope="module")
def profile_data() -> dict:
    return yaml.safe_load(PROFILE.read_text(encoding="utf-8"))


@pytest.fixture
def load_with(profile_data, tmp_path):
    """``load_with(change)``: the profile after ``change(data)``, loaded from a file."""

    def load(change):
        data = copy.deepcopy(profile_data)
        change(data)
        path = tmp_path / "changed.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path, load_profile(path)

    return load


def fault(load_with, change) -> str:
    with pytest.raises(ConfigurationError) as caught:
        load_with(change)
    message = str(caught.value)
    assert "changed.yaml" in message  # the file is named
    return message


def test_sierra_leone_obligations_by_type():
    rules = load_profile(PROFILE).obligations
    by_type = {t: {o.name: o for o in rules.of_type(t)} for t in rules.types}
    assert set(by_type["exploration"]) == {"work_programme", "expenditure_report"}
    assert set(by_type["small_scale"]) == {"production_return", "annual_report"}
    assert set(by_type["large_scale"]) == {
        "production_return", "annual_report", "environmental_licence",
        "community_development_agreement",
    }  # fmt: skip
    assert rules.of_type("artisanal") == () and rules.of_type("reconnaissance") == ()
    large = by_type["large_scale"]
    assert large["production_return"].every == "quarterly"
    assert large["environmental_licence"].every == "once"
    assert large["community_development_agreement"].every == "once"
    assert by_type["exploration"]["work_programme"].every == "annual"
    for rules_of_type in by_type.values():
        for o in rules_of_type.values():
            assert o.document in DOCUMENT_KINDS
            assert o.source  # a source or a marked guess, for every one
    assert str(rules.since) == "2023-05-12"


def _first(data, licence_type="exploration"):
    return data["obligations"][licence_type][0]


@pytest.mark.parametrize(
    "change, key, words",
    [
        (lambda d: _first(d).pop("due"), "obligations.exploration[0].due", "due rule"),
        (lambda d: _first(d).update(due=None), "obligations.exploration[0].due", "due rule"),
        (lambda d: _first(d).update(due={}), "obligations.exploration[0].due", "needs a due"),
        (
            lambda d: d["obligations"].update(dredging=[]),
            "obligations.dredging",
            "not a licence type",
        ),
        (
            lambda d: _first(d).update(document="tax_return"),
            "obligations.exploration[0].document",
            "'tax_return' is not a document kind",
        ),
        (
            lambda d: _first(d).update(every="monthly"),
            "obligations.exploration[0].every",
            "'monthly' is not one of once, annual, quarterly",
        ),
        (
            lambda d: _first(d).update(due={"days_after": 30, "of": "grant"}),
            "obligations.exploration[0].due.of",
            "'grant' is not one of",
        ),
        (
            lambda d: _first(d).update(due={"days_after": 30, "of": "period_end", "month": 3}),
            "obligations.exploration[0].due",
            "mixes two due rules",
        ),
        (
            lambda d: _first(d).update(due={"month": 3, "day": 31}),
            "obligations.exploration[0].due",
            "calendar years",
        ),
        (
            lambda d: d["obligations"]["small_scale"][1].update(due={"month": 2, "day": 30}),
            "obligations.small_scale[1].due.day",
            "month 2 has no day 30",
        ),
        (
            lambda d: _first(d).update(due={"after_grant_days": 30}),
            "obligations.exploration[0].due.after_grant_days",
            "for obligations due once",
        ),
        (
            lambda d: _first(d).update(due={"days_after": -5, "of": "period_end"}),
            "obligations.exploration[0].due.days_after",
            "must not be negative",
        ),
        (
            lambda d: _first(d).update(name="Work Programme"),
            "obligations.exploration[0].name",
            "lower-case",
        ),
        (
            lambda d: _first(d).update(colour="red"),
            "obligations.exploration[0].colour",
            "not an obligation key",
        ),
        (
            lambda d: d["obligations"]["exploration"].append(_first(d)),
            "obligations.exploration[2].name",
            "names two obligations",
        ),
        (
            lambda d: d["obligations"].update(exploration={"name": "x"}),
            "obligations.exploration",
            "must be a list",
        ),
        (lambda d: d["obligations"].update(since="soon"), "obligations.since", "not a date"),
    ],
)
def test_a_bad_obligation_stops_the_load_naming_file_and_key(load_with, change, key, words):
    message = fault(load_with, change)
    assert f"key '{key}'" in message, message
    assert words in message, message


def test_a_profile_without_obligations_owes_nothing(load_with):
    _, profile = load_with(lambda d: d.pop("obligations"))
    assert profile.obligations.types == ()


def test_the_reminder_period_is_read_and_checked(load_with):
    rules = load_profile(PROFILE).obligations
    assert rules.remind_days == 30 and rules.remind_source.startswith("guess")
    _, changed = load_with(lambda d: d["obligations"].update(remind_days=14))
    assert changed.obligations.remind_days == 14
    _, absent = load_with(lambda d: d["obligations"].pop("remind_days"))
    assert absent.obligations.remind_days == 30  # the default
    for bad, words in (
        (-1, "must not be negative"),
        (400, "must be 0 to 366"),
        ("soon", "remind_days"),
    ):
        message = fault(load_with, lambda d, v=bad: d["obligations"].update(remind_days=v))
        assert "obligations.remind_days" in message and words in message, message
