"""Who may do what: roles ranked, each including the powers of those below it."""

from __future__ import annotations

ROLES = ("viewer", "officer", "supervisor", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}


def role_allows(role: str | None, needed: str) -> bool:
    """True when ``role`` is ``needed`` or above it (viewer < officer < supervisor < admin)."""
    if role is None:
        return False
    return _RANK.get(role, -1) >= _RANK[needed]


def refusal(role: str, needed: str, doing: str = "do this") -> str | None:
    """Why ``role`` may not ``doing`` (it needs ``needed``), or None when it may."""
    if role_allows(role, needed):
        return None
    return f"Your role '{role}' may not {doing}; it needs '{needed}' or higher."
