"""Who may do what: roles ranked, each including the powers of those below it; and Finance
beside the ladder.

viewer < officer < supervisor < admin. ``finance`` records payments and reversals, and
otherwise reads what a viewer reads: the people who grant a licence do not also confirm the
money for it, and the people who take the money do not decide licences. Only ``finance``
records payments (not even an admin: the admin runs the system, not the till).
"""

from __future__ import annotations

ROLES = ("viewer", "officer", "supervisor", "finance", "admin")
_LADDER = ("viewer", "officer", "supervisor", "admin")
_RANK = {role: i for i, role in enumerate(_LADDER)}
#: Roles beside the ladder: the rung whose powers each also has.
_BESIDE = {"finance": "viewer"}


def role_allows(role: str | None, needed: str) -> bool:
    """True when ``role`` may do what needs ``needed``: ``needed`` itself or a role above it
    on the ladder; ``finance`` only by Finance."""
    if role is None:
        return False
    if needed in _BESIDE:
        return role == needed
    rung = _BESIDE.get(role, role)
    return _RANK.get(rung, -1) >= _RANK[needed]


def refusal(role: str, needed: str, doing: str = "do this") -> str | None:
    """Why ``role`` may not ``doing`` (it needs ``needed``), or None when it may."""
    if role_allows(role, needed):
        return None
    if needed in _BESIDE:
        return f"Your role '{role}' may not {doing}; only the '{needed}' role may."
    return f"Your role '{role}' may not {doing}; it needs '{needed}' or higher."
