"""Who may do what: roles ranked, each including the powers of those below it; and Finance
beside the ladder.

viewer < officer < supervisor < admin. ``finance`` records payments and reversals, and
otherwise reads what a viewer reads: the people who grant a licence do not also confirm the
money for it, and the people who take the money do not decide licences. Only ``finance``
records payments (not even an admin: the admin runs the system, not the till).
"""

from __future__ import annotations

#: What ``needed`` may be: one role, or several of which the caller must allow any one.
Needed = str | tuple[str, ...]

ROLES = ("viewer", "officer", "supervisor", "finance", "admin")
_LADDER = ("viewer", "officer", "supervisor", "admin")
_RANK = {role: i for i, role in enumerate(_LADDER)}
#: Roles beside the ladder: the rung whose powers each also has.
_BESIDE = {"finance": "viewer"}
#: Who reads the money reports (revenue, EITI, outstanding): Finance, and officers and above.
MONEY_REPORTS = ("officer", "finance")


def role_allows(role: str | None, needed: Needed) -> bool:
    """True when ``role`` may do what needs ``needed``: ``needed`` itself or a role above it
    on the ladder; ``finance`` only by Finance. A tuple: any one of its roles will do."""
    if role is None:
        return False
    if isinstance(needed, tuple):
        return any(role_allows(role, one) for one in needed)
    if needed in _BESIDE:
        return role == needed
    rung = _BESIDE.get(role, role)
    return _RANK.get(rung, -1) >= _RANK[needed]


def refusal(role: str, needed: Needed, doing: str = "do this") -> str | None:
    """Why ``role`` may not ``doing`` (it needs ``needed``), or None when it may."""
    if role_allows(role, needed):
        return None
    if isinstance(needed, tuple):
        ladder = [n for n in needed if n not in _BESIDE]
        beside = [f"'{n}'" for n in needed if n in _BESIDE]
        ways = [f"'{n}' or higher" for n in ladder] + beside
        return f"Your role '{role}' may not {doing}; it needs {' or '.join(ways)}."
    if needed in _BESIDE:
        return f"Your role '{role}' may not {doing}; only the '{needed}' role may."
    return f"Your role '{role}' may not {doing}; it needs '{needed}' or higher."
