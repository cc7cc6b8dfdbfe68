"""The sign-in throttle's memory: failed sign-ins in PostgreSQL, so every worker counts them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cadastre.domain.sign_in import Lock, Throttle, lock_ends
from cadastre.models import SignInFailure

#: The first key of the per-account advisory locks (the second is the account's hash).
ACCOUNT_LOCK_SPACE = 14_001


def throttle_of(settings) -> Throttle:
    """The throttle the settings describe."""
    return Throttle(
        settings.sign_in_account_limit,
        settings.sign_in_address_limit,
        timedelta(minutes=settings.sign_in_window_minutes),
    )


def sign_in_lock(session: Session, throttle: Throttle, account: str, address: str) -> Lock | None:
    """The lock on this account or address now, if any (checked before any password work).

    Holds the account's advisory lock until the transaction ends, so the check and the
    ``record_failure`` after it are one step for parallel guesses on any thread or worker.
    """
    session.execute(select(func.pg_advisory_xact_lock(ACCOUNT_LOCK_SPACE, func.hashtext(account))))
    now = session.scalar(select(func.clock_timestamp()))  # failed_at's clock, to the moment
    since = now - throttle.window
    for scope, column, key, limit in (
        ("account", SignInFailure.account, account, throttle.account_limit),
        ("address", SignInFailure.address, address, throttle.address_limit),
    ):
        times = list(
            session.scalars(
                select(SignInFailure.failed_at)
                .where(column == key, SignInFailure.failed_at > since)
                .order_by(SignInFailure.failed_at.desc())
                .limit(max(limit, 1))
            )
        )
        until = lock_ends(times, limit, throttle.window)
        if until is not None:
            return Lock(scope, until, now)
    return None


def record_failure(session: Session, throttle: Throttle, account: str, address: str) -> None:
    """Remember a failed sign-in, forgetting this account's and address's expired ones."""
    cutoff = func.clock_timestamp() - throttle.window  # the clock failed_at is stamped with
    session.execute(
        delete(SignInFailure).where(
            (SignInFailure.account == account) | (SignInFailure.address == address),
            SignInFailure.failed_at < cutoff,
        )
    )
    session.add(SignInFailure(account=account, address=address[:64]))
    session.flush()


def clear_failures(session: Session, account: str) -> None:
    """A successful sign-in forgets the account's failures (the address's stay counted)."""
    session.execute(delete(SignInFailure).where(SignInFailure.account == account))

