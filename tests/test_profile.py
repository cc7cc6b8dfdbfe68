"""The jurisdiction profile loads, and a malformed one stops start-up naming file, key, problem."""

import pytest
import yaml

from cadastre.app import create_app
from cadastre.config import Settings
from cadastre.errors import ConfigurationError
from cadastre.profile import load_profile

PROFILE = "fixtures/profiles/sierra-leone.yaml"


def test_sierra_leone_profile_encodes_the_2022_act():
    p = load_profile(PROFILE)
    assert p.licence_type("exploration").max_area_ha == 17500
    assert p.licence_type("small_scale").max_area_ha == 200
    assert p.licence_type("artisanal").max_area_ha == 1
    assert p.licence_type("large_scale").term_years == 25
    assert p.licence_type("reconnaissance").exclusive is False
    assert [t.max_km for t in p.tiers] == [5, 10, 25]
    assert set(p.neighbours) == {"GIN", "LBR"}


def _write(tmp_path, mutate):
    with open(PROFILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


@pytest.mark.parametrize(
    "mutate,key,problem",
    [
        (
            lambda d: d["licence_types"]["exploration"].pop("max_area_ha"),
            "licence_types.exploration.max_area_ha",
            "missing",
        ),
        (
            lambda d: d["licence_types"]["small_scale"].__setitem__("max_area_ha", "lots"),
            "licence_types.small_scale.max_area_ha",
            "number",
        ),
        (
            lambda d: d["border_risk"].__setitem__(
                "tiers", [{"name": "watch", "max_km": 25}, {"name": "high", "max_km": 5}]
            ),
            "border_risk.tiers",
            "nearest",
        ),
        (lambda d: d.__setitem__("neighbours", ["MLI"]), "neighbours", "MLI"),
    ],
)
def test_malformed_profile_names_file_key_and_problem(tmp_path, mutate, key, problem):
    path = _write(tmp_path, mutate)
    with pytest.raises(ConfigurationError) as err:
        load_profile(path)
    message = err.value.detail
    assert path in message and f"'{key}'" in message and problem in message


def test_app_refuses_to_start_with_a_malformed_profile(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("jurisdiction: [unclosed")
    with pytest.raises(ConfigurationError, match="broken.yaml"):
        create_app(Settings(profile=str(path)))
