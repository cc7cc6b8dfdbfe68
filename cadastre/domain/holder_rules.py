"""Who may change what of a holder: identity changes of a holder of live licences.

A holder's name and registration number say who holds the licences. Changing them while the
holder holds a right (granted, suspended) or a pending application hands that right, or the
application's first-come-first-served priority over its ground, to someone else: in effect a
transfer, which is a supervisor's decision. So it is one, with a reason on the record.
Pending applications count because their priority is what an outsider would buy; an officer
who mistyped a new holder's name can still correct it before the first application.
"""

from __future__ import annotations

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
