"""Text that names someone on the record must read the same to every eye.

A holder's name or a username appears in history, certificates and exports. Control
characters (line breaks, tabs, escapes) and invisible format characters (zero-width
spaces, joiners, byte-order marks, bidirectional overrides that reorder what is shown)
would let two different values look identical, or one value look like another: a renamed
holder or an actor in history that cannot be told apart. They are refused, with their
Unicode names, so the officer sees what was pasted.
"""

from __future__ import annotations

import unicodedata

#: Unicode categories refused in names: controls (Cc), format characters (Cf: zero-width,
#: bidi overrides, BOM), line and paragraph separators (Zl, Zp), unassigned/private (Cn, Co).
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})


def hidden_characters(text: str) -> list[str]:
    """The characters of ``text`` that do not show as themselves, described (U+200B ZERO
    WIDTH SPACE), in order of first appearance; empty when the text is plain."""
    found: list[str] = []
    for char in text:
        if unicodedata.category(char) in HIDDEN_CATEGORIES:
            label = f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"
            if label not in found:
                found.append(label)
    return found


def hidden_characters_message(text: str) -> str | None:
    """What to say of a name holding hidden characters (None when it has none)."""
    found = hidden_characters(text)
    if not found:
        return None
    return f"contains characters that do not show ({', '.join(found[:3])}); type it plainly"
