"""The one rule for "is this new holder likely one already registered"."""

from __future__ import annotations

import pytest

from cadastre.domain.holder_rules import duplicate_reasons, name_key, registration_key

KONO = {"name": "Kono Diamond Works Ltd", "registration_number": "CAC-0042"}


@pytest.mark.parametrize(
    ("new", "reasons"),
    [
        ({"name": "kono  diamond works LTD "}, ["same name"]),
        ({"name": "Kono Diamond Works"}, []),
        ({"name": "Other Ltd", "registration_number": "cac-0042"}, ["same registration number"]),
        ({"name": "Other Ltd", "registration_number": " CAC -0042"}, ["same registration number"]),
        ({"name": "Other Ltd", "registration_number": "CAC-0043"}, []),
        (
            {"name": "KONO DIAMOND WORKS LTD", "registration_number": "CAC-0042"},
            ["same name", "same registration number"],
        ),
        ({"name": "", "registration_number": None}, []),
    ],
)
def test_duplicate_reasons(new, reasons):
    assert duplicate_reasons(new, KONO) == reasons


def test_no_number_never_matches_no_number():
    assert duplicate_reasons({"name": "A"}, {"name": "B", "registration_number": None}) == []


def test_keys_ignore_case_and_spacing_only():
    assert name_key("  Moa\tRiver  Miners ") == "moa river miners"
    assert registration_key("ab 12 c") == "ab12c"
    assert name_key(None) == registration_key(None) == ""
