"""Who may change what of a holder: identity changes of a holder of live licences.

A holder's name and registration number say who holds the licences. Changing them while the
holder holds a right (granted, suspended) or a pending application hands that right, or the
application's first-come-first-served priority over its ground, to someone else: in effect a
transfer, which is a supervisor's decision. So it is one, with a reason on the record.
Pending applications count because their priority is what an outsider would buy; an officer
who mistyped a new holder's name can still correct it before the first application.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from cadastre.domain.lifecycle import LIVE_STATUSES
from cadastre.domain.roles import role_allows
from cadastre.errors import Forbidden, ValidationError

#: The fields that say who the holder is.
IDENTITY_FIELDS = ("name", "registration_number")
SUPERVISOR = "supervisor"


def bound_codes(licences: Iterable[tuple[str, str]]) -> list[str]:
    """The codes, among (code, status) pairs, of licences in force or applied for."""
    return sorted(code for code, status in licences if status in LIVE_STATUSES)


def identity_changes(changes: Mapping[str, tuple[object, object]]) -> list[str]:
    """Which identity fields a change (field -> (before, after)) alters."""
    return [f for f in IDENTITY_FIELDS if f in changes and changes[f][0] != changes[f][1]]


def check_holder_change(
    role: str | None,
    changes: Mapping[str, tuple[object, object]],
    live_codes: list[str],
    reason: str | None,
) -> None:
    """Refuse an identity change of a holder of live licences unless a supervisor gives a
    reason (Forbidden for a lower role, ValidationError naming ``reason`` when it is missing)."""
    fields = identity_changes(changes)
    if not fields or not live_codes:
        return
    what = " and ".join(f.replace("_", " ") for f in fields)
    held = ", ".join(live_codes[:10]) + (" …" if len(live_codes) > 10 else "")
    if not role_allows(role, SUPERVISOR):
        raise Forbidden(
            f"Changing the {what} of a holder of licences in force or applied for ({held}) "
            "hands them to someone else, like a transfer: it needs a supervisor."
        )
    if not (reason or "").strip():
        raise ValidationError(
            f"Changing the {what} of a holder of licences in force or applied for ({held}) "
            "needs a reason on the record.",
            errors=[{"field": "reason", "message": "is required for this change"}],
        )


def name_key(name: str | None) -> str:
    """A name as duplicates are compared: case ignored, runs of spaces as one, ends trimmed."""
    return " ".join((name or "").split()).lower()


def registration_key(number: str | None) -> str:
    """A registration number as duplicates are compared: case and every space ignored."""
    return "".join((number or "").split()).lower()


def duplicate_reasons(new: Mapping[str, object], existing: Mapping[str, object]) -> list[str]:
    """Why ``existing`` is likely the holder ``new`` describes (empty: it is not).

    The same name, ignoring case and spacing, or the same registration number, ignoring case
    and spacing: a second record of one holder splits its licences and its history in two, so
    registering one is a deliberate act ("register anyway"), never silent.
    """
    reasons = []
    new_name = name_key(_text(new, "name"))
    if new_name and new_name == name_key(_text(existing, "name")):
        reasons.append("same name")
    new_number = registration_key(_text(new, "registration_number"))
    if new_number and new_number == registration_key(_text(existing, "registration_number")):
        reasons.append("same registration number")
    return reasons


def _text(record: Mapping[str, object], key: str) -> str:
    value = record.get(key)
    return value if isinstance(value, str) else ""


#: An address as mail servers take it: local part, one @, a domain of dotted labels.
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def email_problem(address: str) -> str | None:
    """Why ``address`` is not an email address (None when it is one).

    Plain addresses only (``name@example.org``): no display name, no comments, no spaces or
    line breaks (which would let text into a message's headers), a domain with a dot.
    """
    if len(address) > 200:
        return "is longer than 200 characters"
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return "is not an email address (name@example.org)"
    if len(local) > 64 or not _LOCAL.fullmatch(local) or ".." in local:
        return f"is not an email address: {local!r} cannot be the part before the @"
    if local.startswith(".") or local.endswith("."):
        return f"is not an email address: {local!r} cannot be the part before the @"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return f"is not an email address: {domain!r} is not a mail domain"
    return None
