"""Names on the record hold no characters that hide or reorder what is shown."""

from __future__ import annotations

import pytest

from cadastre.domain.text_rules import hidden_characters, hidden_characters_message


@pytest.mark.parametrize(
    "text, first",
    [
        ("z\u200b", "U+200B ZERO WIDTH SPACE"),
        ("Kono\u202eLtd", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Line one\nLine two", "U+000A control character"),
        ("\ufeffSewa", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("tab\there", "U+0009 control character"),
    ],
)
def test_hidden_characters_are_named(text, first):
    assert hidden_characters(text)[0] == first
    assert first in hidden_characters_message(text)


@pytest.mark.parametrize("text", ["Sewa Diamonds Ltd", "Société Minière de Kérouané", "Ọlá", ""])
def test_plain_names_in_any_script_pass(text):
    assert hidden_characters(text) == [] and hidden_characters_message(text) is None
