"""The one rule deciding what of a holder each role sees."""

from cadastre.domain.holder_privacy import holder_projection, registration_searchable_kinds

PERSON = {
    "id": 7,
    "name": "Fatmata Kamara",
    "kind": "individual",
    "registration_number": "NIN-1990-0001",
    "nationality": "Sierra Leone",
    "address": "Kenema",
    "phone": "+232 76 1",
    "email": "f@example.org",
    "licence_count": 2,
}
COMPANY = {**PERSON, "name": "Sewa Diamonds Ltd", "kind": "company", "registration_number": "SL-1"}


def test_anonymous_and_viewers_see_no_personal_data_of_an_individual():
    for role in (None, "viewer"):
        assert holder_projection(PERSON, role) == {
            "id": 7,
            "name": "Fatmata Kamara",
            "kind": "individual",
            "licence_count": 2,
        }


def test_an_organisations_registration_number_is_public_but_not_its_contacts():
    seen = holder_projection(COMPANY, None)
    assert seen["registration_number"] == "SL-1" and seen["nationality"] == "Sierra Leone"
    assert not {"address", "phone", "email"} & set(seen)
    assert holder_projection({**COMPANY, "kind": "cooperative"}, "viewer")["registration_number"]


def test_officers_and_above_see_everything():
    for role in ("officer", "supervisor", "admin"):
        assert holder_projection(PERSON, role) == PERSON


def test_search_by_number_follows_what_reading_shows():
    assert registration_searchable_kinds(None) == ("company", "cooperative")
    assert registration_searchable_kinds("viewer") == ("company", "cooperative")
    assert registration_searchable_kinds("officer") is None


def test_an_unknown_role_sees_the_public_projection():
    assert "registration_number" not in holder_projection(PERSON, "intruder")
