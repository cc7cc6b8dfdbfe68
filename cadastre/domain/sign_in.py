"""The sign-in throttle's rules: when a lock ends and how the sign-in page says so (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Throttle:
    """How many failed sign-ins an account and an address may have within the window."""

    account_limit: int = 5
    address_limit: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Lock:
    """Sign-ins refused for an account or an address until ``until``."""

    scope: str  # "account" or "address"
    until: datetime
    now: datetime

    @property
    def minutes_left(self) -> int:
        """Whole minutes until the lock ends, at least 1."""
        return max(1, math.ceil((self.until - self.now).total_seconds() / 60))

    @property
    def seconds_left(self) -> int:
        """Whole seconds until the lock ends (for Retry-After), at least 1."""
        return max(1, math.ceil((self.until - self.now).total_seconds()))

    def message(self) -> str:
        """What the sign-in page says."""
        n = self.minutes_left
        who = "this account" if self.scope == "account" else "this network address"
        return (
            f"Too many failed sign-ins for {who}; try again in {n} minute{'s' if n != 1 else ''}."
        )


def lock_ends(failures_newest_first: list[datetime], limit: int, window: timedelta):
    """When a lock from these failures (within the window) ends, or None if not locked.

    Locked while ``limit`` or more failures are younger than the window; the lock ends when
    the ``limit``-th newest ages out, so throttled attempts (not recorded) never extend it.
    """
    if limit <= 0 or len(failures_newest_first) < limit:
        return None
    return failures_newest_first[limit - 1] + window


def account_key(username: str | None) -> str:
    """The throttle's name for an account: the username as typed, trimmed, lower-cased."""
    return (username or "").strip().lower()[:80]
