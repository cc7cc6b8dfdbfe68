"""The life of a licence: which actions are lawful from which status, and where they lead.

application -> granted | approved | refused | withdrawn
approved    -> granted (once the order to pay is paid) | refused | withdrawn
granted     -> granted (renew, transfer, partial relinquish) | suspended | revoked |
               relinquished | expired
suspended   -> granted (reinstate) | revoked | relinquished | expired

Two of the law's timing rules live here too: a renewal only inside the window the profile
sets for the type, and suspension or revocation only on a notice whose remedy period has
run out unremedied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from cadastre.errors import Conflict, ValidationError

if TYPE_CHECKING:  # the profile reads LICENCE_STATUSES from here
    from cadastre.profile import LicenceType

#: Every status a licence (or application) can be in; the profile gives each a label and colour.
LICENCE_STATUSES = (
    "application",
    "approved",
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
    #: The decision must say why (a refusal is on record with its reason).
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # A type whose grant waits for payment stops at 'approved' (services.lifecycle);
        # the Cadastre Clerk finalises it once Finance has recorded the receipt.
        Transition("approve", ("application",), "approved", "supervisor"),
        Transition("grant", ("application", "approved"), "granted", "supervisor"),
        Transition("finalise", ("approved",), "granted", "officer"),
        Transition(
            "refuse", ("application", "approved"), "refused", "supervisor", needs_reason=True
        ),
        Transition("withdraw", ("application", "approved"), "withdrawn", "officer"),
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
LIVE_STATUSES = ("application", "approved", "granted", "suspended")
#: Statuses of an application still waiting for its decision or its payment.
PENDING_STATUSES = ("application", "approved")
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


def check_reason(transition: Transition, reason: str | None) -> None:
    """Refuse an action that must say why when no reason is given (422 on ``reason``)."""
    if transition.needs_reason and not (reason or "").strip():
        raise ValidationError(
            f"Give the reason the application is {past_tense(transition.action)}: "
            "it is kept on record and told to the applicant.",
            errors=[{"field": "reason", "message": "Give a reason."}],
        )


def past_tense(action: str) -> str:
    """'grant' -> 'granted', for messages."""
    irregular = {
        "withdraw": "withdrawn",
        "refuse": "refused",
        "relinquish": "relinquished",
        "expire": "expired",
        "revoke": "revoked",
        "renew": "renewed",
        "approve": "approved",
        "finalise": "finalised",
    }
    return irregular.get(action, action + "ed")


#: Actions that need a notice whose remedy period has run out unremedied.
NOTICE_ACTIONS = ("suspend", "revoke")


def renewal_window(spec: LicenceType, expires_at: date | None) -> tuple[date, date] | None:
    """The first and last day on which a licence expiring on ``expires_at`` may be renewed
    (None: the type sets no window, or the licence has no expiry date)."""
    if spec.renewal_opens_days is None or expires_at is None:
        return None
    return (
        expires_at - timedelta(days=spec.renewal_opens_days),
        expires_at - timedelta(days=spec.renewal_closes_days),
    )


def check_renewal_window(spec: LicenceType, expires_at: date | None, today: date) -> None:
    """Refuse a renewal outside the type's window (409 saying the window's dates)."""
    window = renewal_window(spec, expires_at)
    if window is None or window[0] <= today <= window[1]:
        return
    opens, closes = window
    label = spec.name.replace("_", "-")
    label = ("an " if label[:1] in "aeiou" else "a ") + label
    until = (
        "up to its expiry date"
        if spec.renewal_closes_days == 0
        else f"until {spec.renewal_closes_days} days before it"
    )
    when = "has not opened yet" if today < opens else "has closed"
    raise Conflict(
        f"This licence expires on {expires_at.isoformat()}; {label} licence may be renewed "
        f"from {spec.renewal_opens_days} days before its expiry {until}, that is from "
        f"{opens.isoformat()} to {closes.isoformat()}. On {today.isoformat()} the window "
        f"{when}.",
        extra={
            "renewal_window": {"opens": opens.isoformat(), "closes": closes.isoformat()},
            "expires_at": expires_at.isoformat(),
        },
    )


@dataclass(frozen=True)
class NoticeTerms:
    """What the rule needs of a notice: its number, when it was issued, its remedy period."""

    id: int
    issued_on: date
    remedy_days: int
    remedied: bool = False

    @property
    def remedy_by(self) -> date:
        """The last day on which the holder may remedy the breach."""
        return remedy_deadline(self.issued_on, self.remedy_days)


def remedy_deadline(issued_on: date, remedy_days: int) -> date:
    """The last day of a remedy period of ``remedy_days`` days from ``issued_on``."""
    return issued_on + timedelta(days=remedy_days)


def check_notice_ran_out(action: str, notices: Iterable[NoticeTerms], today: date) -> NoticeTerms:
    """The notice a suspension or revocation rests on: unremedied, its remedy period over.

    Conflict (409) when there is none, saying what is missing and from when the action is
    possible.
    """
    notices = sorted(notices, key=lambda n: (n.issued_on, n.id))
    open_ = [n for n in notices if not n.remedied]
    lapsed = [n for n in open_ if n.remedy_by < today]
    if lapsed:
        return lapsed[0]
    verb = past_tense(action)
    extra: dict[str, Any] = {"notices": [n.id for n in notices]}
    if open_:
        first = min(open_, key=lambda n: n.remedy_by)
        from_day = first.remedy_by + timedelta(days=1)
        extra["possible_from"] = from_day.isoformat()
        detail = (
            f"The licence cannot be {verb} yet: notice {first.id} of "
            f"{first.issued_on.isoformat()} gives the holder until "
            f"{first.remedy_by.isoformat()} to remedy the breach ({first.remedy_days} days). "
            f"If it is not remedied, the licence may be {verb} from {from_day.isoformat()}."
        )
    elif notices:
        detail = (
            f"The licence cannot be {verb}: every notice issued on it has been remedied. "
            "Issue a new notice for a new breach and let its remedy period run out first."
        )
    else:
        detail = (
            f"The licence cannot be {verb} without notice: issue a notice of the breach with "
            "its remedy period first; the licence may be "
            f"{verb} once that period has run out unremedied."
        )
    raise Conflict(detail, extra=extra)


def licence_conditions(spec: LicenceType) -> dict[str, Any]:
    """The working conditions a grant records on the licence (depth, mechanisation)."""
    conditions: dict[str, Any] = {}
    if spec.max_depth_m is not None:
        conditions["max_depth_m"] = spec.max_depth_m
    if spec.mechanised is not None:
        conditions["mechanised"] = spec.mechanised
    return conditions
