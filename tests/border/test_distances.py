"""Reported border distances against an independent pyproj computation, and the tiers."""

from __future__ import annotations

import pytest

from cadastre.services.border import assess, border_dict, recompute_all, risk_dict
from tests.border.geodesy import min_distance_m, place_square, square

NAMES = {"LBR": "Sierra Leone–Liberia", "GIN": "Sierra Leone–Guinea"}
#: Where along each border the test licences start (away from the tripoint and the coast).
FRACTIONS = {"LBR": 0.45, "GIN": 0.55}
EXPECTED_TIER = {
    4.9: "high",
    5.1: "elevated",
    9.9: "elevated",
    10.1: "watch",
    24.9: "watch",
    25.1: "none",
}


@pytest.mark.parametrize("iso", ["LBR", "GIN"])
@pytest.mark.parametrize("km", [4.9, 5.1, 9.9, 10.1, 24.9, 25.1])
def test_distance_and_tier_on_both_sides_of_each_threshold(
    empty_register, profile, borders, sierra_leone, add_licence, iso, km
):
    polygon, expected_km = place_square(borders(iso), sierra_leone, FRACTIONS[iso], km)
    licence = add_licence(polygon)
    assess(empty_register, profile, licence)
    assert licence.border_distance_km == pytest.approx(expected_km, abs=0.05)
    assert licence.nearest_border == NAMES[iso]
    assert licence.border_tier == EXPECTED_TIER[km]
    assert licence.boundary_source == "Natural Earth 1:10m world-atlas 2.0.2"
    assert licence.uncertainty_km == 2.0
    assert licence.assessed_at is not None


def test_distances_along_each_border_match_pyproj(
    empty_register, profile, borders, sierra_leone, add_licence
):
    """Many places, many distances: every one within 50 m of the densified geodesic minimum."""
    checked = 0
    for iso in ("LBR", "GIN"):
        line = borders(iso)
        for fraction in (0.15, 0.35, 0.65, 0.85):
            for km in (0.4, 7.5, 18.0):
                try:
                    polygon, _ = place_square(line, sierra_leone, fraction, km, side_m=300)
                except AssertionError:
                    continue  # the inland normal left the country here: nothing to measure
                licence = add_licence(polygon)
                assess(empty_register, profile, licence)
                nearest = min(
                    (min_distance_m(polygon, borders(other)) / 1000, NAMES[other])
                    for other in ("LBR", "GIN")
                )
                assert licence.border_distance_km == pytest.approx(nearest[0], abs=0.05)
                assert licence.nearest_border == nearest[1]
                checked += 1
    assert checked >= 18


def test_coastal_licence_far_from_any_land_border_is_not_flagged(
    empty_register, profile, add_licence
):
    licence = add_licence(
        square(-13.17, 8.42, 2000), licence_type="artisanal", commodities=["diamond"]
    )  # near Freetown; raising rules would apply
    assess(empty_register, profile, licence)
    assert licence.border_distance_km > 50  # the Great Scarcies (Guinea) is ~68 km away
    assert licence.border_tier == "none"
    assert licence.risk_level == "none"
    assert licence.risk_reasons == []


def test_a_licence_straddling_the_border_is_at_zero(empty_register, profile, borders, add_licence):
    point = borders("LBR").geoms[0].interpolate(0.5, normalized=True)
    licence = add_licence(square(point.x, point.y, 1500))
    assess(empty_register, profile, licence)
    assert licence.border_distance_km == 0
    assert licence.border_tier == "high"
    assert licence.risk_reasons[0] == "straddles the Sierra Leone–Liberia border"
    assert border_dict(licence)["display"] == (
        "0.0 km (± 2 km, Natural Earth 1:10m world-atlas 2.0.2)"
    )


def test_json_shapes(empty_register, profile, borders, sierra_leone, add_licence):
    polygon, km = place_square(borders("LBR"), sierra_leone, 0.45, 3.2)
    licence = add_licence(polygon, licence_type="artisanal", commodities=["diamond"])
    assess(empty_register, profile, licence)
    border = border_dict(licence)
    assert set(border) == {
        "distance_km",
        "tier",
        "nearest_border",
        "boundary_source",
        "uncertainty_km",
        "display",
    }
    assert border["display"] == "3.2 km (± 2 km, Natural Earth 1:10m world-atlas 2.0.2)"
    risk = risk_dict(licence)
    # high tier, raised but capped at the top level
    assert risk["level"] == "high"
    assert risk["reasons"][:3] == [
        "3.2 km from the Sierra Leone–Liberia border",
        "diamond licence",
        "artisanal licence",
    ]


def test_recompute_agrees_with_assess(empty_register, profile, borders, sierra_leone, add_licence):
    """The SQL statement of the rules gives exactly what the Python rules gave."""
    cases = [
        ("LBR", 0.3, 2.0, "artisanal", ["diamond", "gold"]),
        ("LBR", 0.6, 7.0, "exploration", ["iron_ore"]),
        ("GIN", 0.4, 12.0, "small_scale", ["gold"]),
        ("GIN", 0.7, 30.0, "large_scale", ["diamond"]),
        ("GIN", 0.2, 8.0, "exploration", ["rutile", "diamond"]),
    ]
    licences = []
    for iso, fraction, km, kind, commodities in cases:
        polygon, _ = place_square(borders(iso), sierra_leone, fraction, km)
        licence = add_licence(polygon, licence_type=kind, commodities=commodities)
        assess(empty_register, profile, licence)
        licences.append(licence)
    before = [
        (
            lic.border_distance_km,
            lic.border_tier,
            lic.risk_level,
            list(lic.risk_reasons),
            lic.poi_distance_km,
            lic.nearest_poi,
        )
        for lic in licences
    ]
    summary = recompute_all(empty_register, profile)
    assert summary.changed == 0 and summary.events == 0
    for lic, was in zip(licences, before, strict=True):
        empty_register.refresh(lic)
        assert (
            lic.border_distance_km,
            lic.border_tier,
            lic.risk_level,
            list(lic.risk_reasons),
            lic.poi_distance_km,
            lic.nearest_poi,
        ) == was


def test_an_application_is_assessed_when_registered(
    empty_register, profile, borders, sierra_leone, holder_id
):
    """The registry calls ``assess`` in the registration's transaction."""
    from cadastre.services.holders import create_holder
    from cadastre.services.licences import register_application

    polygon, km = place_square(borders("GIN"), sierra_leone, 0.5, 8.0, side_m=90)
    miners = {"name": "Moa Diggers Cooperative", "kind": "cooperative", "citizen_members": True}
    holder_id = create_holder(empty_register, miners).id  # artisanal: citizens (the Act)
    licence = register_application(
        empty_register,
        profile,
        holder_id=holder_id,
        licence_type="artisanal",
        commodities=["gold"],
        geometry=polygon,
        actor="test",
    )
    assert licence.border_distance_km == pytest.approx(km, abs=0.05)
    assert (licence.border_tier, licence.risk_level) == ("elevated", "high")
    assert licence.risk_reasons[:3] == [
        f"{km:.1f} km from the Sierra Leone–Guinea border",
        "gold licence",
        "artisanal licence",
    ]
