"""The border-risk rules as plain functions (no database)."""

from __future__ import annotations

import pytest

from cadastre.domain.border_risk import (
    RiskRules,
    assess_values,
    format_distance,
    km_text,
    risk_level,
    tier_for,
)

RULES = RiskRules(
    tiers=(("high", 5.0), ("elevated", 10.0), ("watch", 25.0)),
    levels=("none", "watch", "elevated", "high"),
    raise_commodities=("diamond", "gold"),
    raise_licence_types=("artisanal", "small_scale"),
    poi_km=15.0,
    raise_type_words=("artisanal", "small-scale"),
)


@pytest.mark.parametrize(
    "km,tier",
    [(0, "high"), (4.9, "high"), (5.0, "high"), (5.0001, "elevated"), (10.0, "elevated"),
     (10.1, "watch"), (25.0, "watch"), (25.1, "none"), (400, "none"), (None, None)],
)
def test_tiers_are_inclusive_upper_bounds(km, tier):
    assert tier_for(km, RULES.tiers) == tier


def test_profile_gives_the_default_rules(profile):
    assert RiskRules.from_profile(profile) == RULES
    assert RULES.bands() == [("high", 0.0, 5.0), ("elevated", 5.0, 10.0), ("watch", 10.0, 25.0)]


@pytest.mark.parametrize(
    "tier,raised,level",
    [("watch", False, "watch"), ("watch", True, "elevated"), ("elevated", True, "high"),
     ("high", True, "high"), ("none", True, "none"), (None, True, None)],
)
def test_level_is_raised_one_step_and_capped(tier, raised, level):
    assert risk_level(tier, raised, RULES) == level


def _assess(km, licence_type="exploration", commodities=("iron_ore",), poi_km=None):
    return assess_values(
        distance_km=km, border="Sierra Leone–Liberia", poi_km=poi_km,
        poi_name="Koidu diamond market", poi_kind="trading_hub",
        commodities=list(commodities), licence_type=licence_type, rules=RULES,
    )


def test_reasons_in_words():
    result = _assess(12.34, "small_scale", ["gold", "diamond"], poi_km=8.44)
    assert result.tier == "watch" and result.level == "elevated"
    assert result.reasons == [
        "12.3 km from the Sierra Leone–Liberia border",
        "gold licence",
        "diamond licence",
        "small-scale licence",
        "8.4 km from Koidu diamond market (trading hub)",
    ]


def test_no_raising_rule_no_raise():
    result = _assess(7.0)
    assert (result.tier, result.level) == ("elevated", "elevated")
    assert result.reasons == ["7.0 km from the Sierra Leone–Liberia border"]


def test_beyond_every_tier_commodities_do_not_raise_but_a_hub_is_named():
    result = _assess(40.0, "artisanal", ["diamond"], poi_km=3.0)
    assert (result.tier, result.level) == ("none", "none")
    assert result.reasons == ["3.0 km from Koidu diamond market (trading hub)"]
    assert _assess(40.0, poi_km=15.1).reasons == []


def test_straddling_is_said_so():
    assert _assess(0.0).reasons == ["straddles the Sierra Leone–Liberia border"]


def test_format_distance():
    expected = "3.2 km (± 2 km, Natural Earth 1:10m)"
    assert format_distance(3.2, 2.0, "Natural Earth 1:10m") == expected
    assert format_distance(12.06, 0.5, "NMA 2025") == "12.1 km (± 0.5 km, NMA 2025)"
    assert format_distance(None, 2.0, "x") == "not assessed"


@pytest.mark.parametrize("km,text", [(3.25, "3.3"), (3.15, "3.2"), (0.04, "0.0"), (99.95, "100.0")])
def test_rounding_matches_postgresql_numeric_rounding(session, km, text):
    from sqlalchemy import text as sql

    assert km_text(km) == text
    assert session.execute(sql("SELECT round(CAST(:k AS float8)::numeric, 1)::text"),
                           {"k": km}).scalar_one() == text
