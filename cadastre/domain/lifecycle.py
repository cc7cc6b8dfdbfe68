"""The life of a licence: which actions are lawful from which status, and where they lead.

application -> granted | refused | withdrawn
granted     -> granted (renew, transfer, partial relinquish) | suspended | revoked |
               relinquished | expired
suspended   -> granted (reinstate) | revoked | relinquished | expired
"""

from __future__ import annotations

from dataclasses import dataclass

from cadastre.errors import Conflict

#: Every status a licence (or application) can be in; the profile gives each a label and colour.
LICENCE_STATUSES = (
    "application",
    "granted",
    "refused",
    "withdrawn",
    "suspended",
    "revoked",
    "relinquished",
    "expired",
)


@dataclass(frozen=True)
class Transition:
    """An action, the statuses it may be taken from, the status it leads to, who may take it."""

    action: str
    sources: tuple[str, ...]
    target: str | None  # None: status unchanged (e.g. transfer) or decided by parameters
    role: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("grant", ("application",), "granted", "supervisor"),
        Transition("refuse", ("application",), "refused", "supervisor"),
        Transition("withdraw", ("application",), "withdrawn", "officer"),
        Transition("renew", ("granted",), "granted", "supervisor"),
        Transition("transfer", ("granted",), None, "supervisor"),
        Transition("suspend", ("granted",), "suspended", "supervisor"),
        Transition("reinstate", ("suspended",), "granted", "supervisor"),
        Transition("revoke", ("granted", "suspended"), "revoked", "supervisor"),
        # Whole relinquishment ends the right; a partial one keeps it granted on less ground.
        Transition("relinquish", ("granted", "suspended"), None, "supervisor"),
        Transition("expire", ("granted", "suspended"), "expired", "system"),
    )
}

ACTIONS = tuple(TRANSITIONS)
#: Statuses in which a licence still holds (or claims) its ground.
LIVE_STATUSES = ("application", "granted", "suspended")
#: Statuses of a right in force, which block exclusive applications.
RIGHT_STATUSES = ("granted", "suspended")


def allowed_actions(status: str) -> list[str]:
    """Actions lawful from ``status`` (the system-only expiry excluded)."""
    return [a for a, t in TRANSITIONS.items() if status in t.sources and t.role != "system"]


def check_transition(action: str, status: str) -> Transition:
    """The transition for ``action`` from ``status``; Conflict naming the lawful ones if not."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Conflict(
            f"'{action}' is not a licence action. Actions: {', '.join(ACTIONS)}.",
            extra={"allowed_actions": allowed_actions(status)},
        )
    if status not in transition.sources:
        allowed = allowed_actions(status)
        lawful = ", ".join(allowed) if allowed else "none (the licence has ended)"
        raise Conflict(
            f"A licence that is '{status}' cannot be {past_tense(action)}. "
            f"Allowed from '{status}': {lawful}.",
            extra={"allowed_actions": allowed, "current_status": status},
        )
    return transition


def past_tense(action: str) -> str:
    """'grant' -> 'granted', for messages."""
    irregular = {
        "withdraw": "withdrawn",
        "refuse": "refused",
        "relinquish": "relinquished",
        "expire": "expired",
        "revoke": "revoked",
        "renew": "renewed",
    }
    return irregular.get(action, action + "ed")
