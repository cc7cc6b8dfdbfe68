"""Licence rules and the application rules, as pure functions: values in, errors out."""

from __future__ import annotations

from datetime import date

import pytest
from shapely.geometry import box

from cadastre.domain.application_rules import Application, check_application, refuse
from cadastre.domain.licence_rules import (
    add_years,
    check_commodities,
    check_holder_kind,
    check_inside_old,
    check_licence_type,
    check_partial_relinquishment,
    check_renewal_area,
    check_renewal_count,
    first_expiry,
    renewal_expiry,
    type_words,
)
from cadastre.errors import Conflict, ValidationError, field_error
from cadastre.profile import load_profile


@pytest.fixture(scope="module")
def profile():
    return load_profile("fixtures/profiles/sierra-leone.yaml")


def _fields(exc: ValidationError) -> list[str]:
    return [e["field"] for e in exc.errors]


def test_field_error_names_the_field_and_says_the_message():
    exc = field_error("district", "Too long.")
    assert exc.detail == "Too long." and exc.errors == [
        {"field": "district", "message": "Too long."}
    ]
    assert field_error("file", "no sheet", detail="a.xlsx: no sheet").detail == "a.xlsx: no sheet"


def test_licence_type_must_be_one_of_the_profile(profile):
    assert check_licence_type(profile, "exploration").code_prefix == "EL"
    for bad in ("gravel", None, 5):
        with pytest.raises(ValidationError) as caught:
            check_licence_type(profile, bad)
        assert _fields(caught.value) == ["licence_type"]
        assert "is not a licence type here" in caught.value.detail


def test_commodities_are_known_deduplicated_and_sorted(profile):
    assert check_commodities(profile, ["gold", "diamond", "gold"]) == ["diamond", "gold"]
    with pytest.raises(ValidationError, match="as a list"):
        check_commodities(profile, "gold")
    with pytest.raises(ValidationError, match="at least one commodity"):
        check_commodities(profile, [])
    with pytest.raises(ValidationError, match=r"Unknown commodities 'tin', 'oil'"):
        check_commodities(profile, ["gold", "tin", "oil"])


def test_holder_kind_must_be_allowed_for_the_type(profile):
    spec = profile.licence_type("exploration")
    check_holder_kind(spec, "company", "Sewa Ltd")
    with pytest.raises(ValidationError) as caught:
        check_holder_kind(spec, "individual", "Musu Conteh")
    assert caught.value.detail == (
        "An exploration licence may be held only by a company; Musu Conteh is an individual."
    )
    assert _fields(caught.value) == ["holder_id"]


def test_terms_expiry_and_leap_days(profile):
    spec = profile.licence_type("exploration")
    assert type_words(profile, "small_scale") == "small-scale"
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert first_expiry(spec, date(2020, 5, 1)) == date(2023, 5, 1)
    assert renewal_expiry(spec, date(2023, 5, 1), date(2030, 1, 1)) == date(2025, 5, 1)
    assert renewal_expiry(spec, None, date(2030, 1, 1)) == date(2032, 1, 1)


def test_renewals_are_counted_and_the_area_limited(profile):
    spec = profile.licence_type("exploration")  # renewed once, at most 12,500 ha
    check_renewal_count(spec, 0)
    with pytest.raises(Conflict, match="may be renewed once; this one has been renewed 1 time"):
        check_renewal_count(spec, 1)
    check_renewal_area(spec, 12_000, None)
    with pytest.raises(ValidationError, match="the current area is 17,000 ha"):
        check_renewal_area(spec, 17_000, None)
    check_renewal_area(spec, 17_000, 12_000)
    with pytest.raises(
        ValidationError, match=r"the renewed area is 13,000 ha \(130.0 km²\)\. Reduce it further"
    ):
        check_renewal_area(spec, 17_000, 13_000)


def test_a_kept_area_lies_inside_and_gives_something_up():
    old = box(-11.0, 8.0, -10.99, 8.01)
    kept = box(-11.0, 8.0, -10.995, 8.01)
    area = check_inside_old(kept, old)
    assert area > 0
    with pytest.raises(ValidationError, match="must lie inside the current licence area"):
        check_inside_old(box(-11.0, 8.0, -10.98, 8.01), old)
    check_partial_relinquishment(area, 2 * area)
    with pytest.raises(ValidationError, match="nothing would be relinquished"):
        check_partial_relinquishment(2 * area, 2 * area)
    with pytest.raises(ValidationError, match="The kept area is empty"):
        check_partial_relinquishment(0, 2 * area)


def test_check_application_returns_every_error_at_once_in_field_order(profile):
    decision = check_application(
        profile,
        Application(
            licence_type="exploration",
            commodities=["oil"],
            holder_kind="individual",
            holder_name="Musu Conteh",
            district=7,
            area_ha=20_000,
        ),
    )
    assert [e["field"] for e in decision.errors] == [
        "commodities",
        "holder_id",
        "district",
        "geometry",
    ]
    assert decision.refused and decision.spec.name == "exploration"
    with pytest.raises(ValidationError, match="The application has 4 problems"):
        decision.raise_if_refused()


def test_check_application_lets_a_lawful_one_through_and_waits_on_what_it_lacks(profile):
    decision = check_application(
        profile,
        Application(licence_type="small_scale", commodities=["gold", "diamond"], area_ha=150),
    )
    assert decision.errors == [] and decision.commodities == ["diamond", "gold"]
    refuse(decision.errors)  # nothing to refuse
    # an unknown type: the kind and the area wait for a type to judge them by
    unknown = check_application(
        profile, Application(licence_type="gravel", commodities=["gold"], holder_kind="x")
    )
    assert [e["field"] for e in unknown.errors] == ["licence_type"]


def test_check_application_judges_a_titles_dates_against_the_as_of_day(profile):
    app = Application(
        licence_type="small_scale",
        commodities=["gold"],
        received_at=date(2031, 1, 1),
        granted_at=date(2020, 6, 1),
        expires_at=date(2020, 6, 1),
    )
    decision = check_application(profile, app, as_of=date(2030, 1, 1))
    assert decision.messages() == [
        "The application date 2031-01-01 is after the as-of date 2030-01-01.",
        "The expiry date 2020-06-01 is not after the grant date 2020-06-01.",
    ]
    assert check_application(profile, app).errors == []  # no as-of day: dates not judged
