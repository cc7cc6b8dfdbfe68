"""Who may hold each licence type, and consent to overlap: the pure rules."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from cadastre.domain.application_rules import Application, check_application
from cadastre.domain.eligibility import (
    Consent,
    HolderFacts,
    Overlapped,
    check_eligibility,
    consent_fault,
    eligibility_fault,
    normalise_nationality,
)
from cadastre.errors import ValidationError


def test_nationality_is_kept_as_its_iso_code(profile):
    assert normalise_nationality("Sierra Leone", profile) == "SLE"
    assert normalise_nationality(" sierra leonean ", profile) == "SLE"
    assert normalise_nationality("sle") == "SLE"
    assert normalise_nationality("French") == "FRA"
    assert normalise_nationality("Côte d'Ivoire", profile) == "CIV"
    assert normalise_nationality("") is None and normalise_nationality(None) is None
    with pytest.raises(ValidationError) as exc:
        normalise_nationality("Atlantis of the sea")
    assert exc.value.errors[0]["field"] == "nationality"


def test_artisanal_is_for_citizens_and_cooperatives_of_citizens(profile):
    spec = profile.licence_type("artisanal")
    assert eligibility_fault(profile, spec, HolderFacts("individual", "Sahr", "SLE")) is None
    assert eligibility_fault(profile, spec, HolderFacts("cooperative", "Coop", None, True)) is None
    fault = eligibility_fault(profile, spec, HolderFacts("individual", "Jean Dupont", "FRA"))
    assert fault == (
        "An artisanal licence may be held only by a citizen of Sierra Leone or a cooperative "
        "of citizens; Jean Dupont is a national of France."
    )
    company = eligibility_fault(profile, spec, HolderFacts("company", "Koidu Ltd"))
    assert company.endswith("Koidu Ltd is a company.")
    coop = eligibility_fault(profile, spec, HolderFacts("cooperative", "Mixed", None, False))
    assert "Mixed is a cooperative whose members are not all citizens." in coop
    unknown = eligibility_fault(profile, spec, HolderFacts("individual", "Musu"))
    assert "Musu's nationality is not recorded" in unknown
    # a legacy title: a fact not recorded is no fault, a contradicting one is
    assert (
        eligibility_fault(profile, spec, HolderFacts("individual", "Musu"), require_recorded=False)
        is None
    )
    assert eligibility_fault(
        profile, spec, HolderFacts("individual", "J", "FRA"), require_recorded=False
    )


def test_large_scale_is_for_companies_and_local_ownership_when_the_profile_sets_it(profile):
    spec = profile.licence_type("large_scale")
    with pytest.raises(ValidationError) as exc:
        check_eligibility(profile, spec, HolderFacts("individual", "Sahr", "SLE"))
    assert "may be held only by a company; Sahr is an individual." in exc.value.detail
    small = dataclasses.replace(profile.licence_type("small_scale"), min_local_ownership_pct=25)
    ok = HolderFacts("company", "Local Ltd", local_ownership_pct=30)
    low = HolderFacts("company", "Far Ltd", local_ownership_pct=10)
    assert eligibility_fault(profile, small, ok) is None
    assert eligibility_fault(profile, small, low).endswith("Far Ltd is 10% owned by citizens.")
    assert "at least 25% owned by citizens" in eligibility_fault(profile, small, low)


def test_the_one_application_check_applies_eligibility(profile):
    decision = check_application(
        profile,
        Application(
            licence_type="artisanal",
            commodities=["diamond"],
            holder_kind="individual",
            holder_name="Jean Dupont",
            holder_nationality="FRA",
        ),
    )
    assert [e["field"] for e in decision.errors] == ["holder_id"]
    assert "national of France" in decision.errors[0]["message"]


def test_consent_lifts_an_overlap_only_with_a_non_artisanal_right_by_its_holder(profile):
    artisanal = profile.licence_type("artisanal")
    consent = Consent(licence_id=7, given_by=3, given_on=date(2026, 1, 5), document="C-1")
    exploration = Overlapped(7, "EL/2026/0001", "exploration", holder_id=3)
    assert consent_fault(profile, artisanal, consent, exploration) is None
    other_giver = Overlapped(7, "EL/2026/0001", "exploration", holder_id=4)
    assert "must be given by its holder" in consent_fault(profile, artisanal, consent, other_giver)
    plot = Overlapped(7, "AML/2026/0001", "artisanal", holder_id=3)
    assert "may not overlap, even with consent" in consent_fault(profile, artisanal, consent, plot)
    assert "does not overlap" in consent_fault(profile, artisanal, consent, None)
    large = profile.licence_type("large_scale")
    assert "even with its holder's consent" in consent_fault(profile, large, consent, exploration)
