"""Who may do what: roles ranked, each including the powers of those below it."""

from __future__ import annotations

ROLES = ("viewer", "officer", "supervisor", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}


def role_allows(role: str | None, needed: str) -> bool:
    """True when ``role`` is ``needed`` or above it (viewer < officer < supervisor < admin)."""
    if role is None:
        return False
    return _RANK.get(role, -1) >= _RANK[needed]
