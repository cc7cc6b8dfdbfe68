"""Text messages: the interface a provider plugs into. None is built in.

A deployment that has an SMS gateway writes a class with ``send(to, text)`` and passes it
where texts are sent (``send_text``); the tests use a double. Texts are short and plain:
the email or the letter carries the full notice.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from cadastre.errors import ValidationError

#: One SMS segment of GSM-7 text; longer texts are cut with an ellipsis.
MAX_TEXT = 160
_PHONE = re.compile(r"\+?[0-9]{7,15}")


@runtime_checkable
class SmsSender(Protocol):
    """Something that sends a text message to a phone number (raises on failure)."""

    def send(self, to: str, text: str) -> None:
        """Send ``text`` to ``to`` (a number in international form, ``+232…``)."""


def phone_number(raw: str) -> str:
    """A phone number as a gateway takes it: digits with an optional leading +."""
    number = re.sub(r"[\s().-]", "", raw or "")
    if not _PHONE.fullmatch(number):
        raise ValidationError(
            f"{raw!r} is not a phone number a text can be sent to.",
            errors=[{"field": "phone", "message": "is not a phone number"}],
        )
    return number


def send_text(sender: SmsSender, to: str, text: str) -> str:
    """Send one short text through ``sender``; returns the text as sent."""
    plain = " ".join(text.split())
    if len(plain) > MAX_TEXT:
        plain = plain[: MAX_TEXT - 1] + "…"
    sender.send(phone_number(to), plain)
    return plain
