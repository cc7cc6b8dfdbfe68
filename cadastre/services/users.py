"""Users, passwords (argon2) and API tokens (stored as SHA-256 of a random secret)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cadastre.domain.holder_rules import email_problem
from cadastre.domain.roles import ROLES
from cadastre.domain.text_rules import hidden_characters_message
from cadastre.errors import Conflict, NotFound, ValidationError
from cadastre.models import ApiToken, User

_hasher = PasswordHasher()
MIN_PASSWORD = 8


def hash_token(token: str) -> str:
    """The stored form of a bearer token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"The password must have at least {MIN_PASSWORD} characters.",
            errors=[{"field": "password", "message": f"at least {MIN_PASSWORD} characters"}],
        )


def set_email(session: Session, user: User, email: str | None) -> None:
    """Set (or, with None or "", clear) where a user's notices and digest go."""
    address = (email or "").strip()
    problem = email_problem(address) if address else None
    if problem:
        raise ValidationError(
            f"The email {address!r} {problem}.", errors=[{"field": "email", "message": problem}]
        )
    user.email = address or None


def add_user(
    session: Session,
    username: str,
    role: str,
    *,
    password: str | None = None,
    email: str | None = None,
) -> tuple[User, str]:
    """Create a user and issue a fresh API token; an existing username is a Conflict."""
    username = (username or "").strip()
    hidden = hidden_characters_message(username)
    if hidden:
        raise ValidationError(
            f"The username {hidden}.", errors=[{"field": "username", "message": hidden}]
        )
    if not username or len(username) > 80 or any(c.isspace() for c in username):
        raise ValidationError(
            "The username must be 1 to 80 characters without spaces.",
            errors=[{"field": "username", "message": "1 to 80 characters, no spaces"}],
        )
    if role not in ROLES:
        raise ValidationError(
            f"'{role}' is not a role; roles are {', '.join(ROLES)}.",
            errors=[{"field": "role", "message": f"one of {', '.join(ROLES)}"}],
        )
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        # Never silently change someone's password or role by "adding" them again.
        raise Conflict(
            f"There is already a user named {username}; choose another name.",
            errors=[{"field": "username", "message": "already taken"}],
        )
    user = User(username=username, role=role, active=True, session_epoch=0)
    set_email(session, user, email)
    session.add(user)
    if password is not None:
        _check_password(password)
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user, issue_token(session, user)


def set_password(session: Session, user: User, password: str) -> None:
    """Reset a user's web password, ending their sessions and revoking their API tokens."""
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    revoke_tokens(session, user)


def end_sessions(session: Session, user: User) -> None:
    """Refuse every session the user signed in before now (their epoch moves on)."""
    user.session_epoch = (user.session_epoch or 0) + 1
    session.flush()


def revoke_tokens(session: Session, user: User) -> int:
    """Revoke all the user's API tokens and end their sessions; returns how many tokens."""
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    ).rowcount
    end_sessions(session, user)
    return revoked


def set_active(session: Session, user: User, active: bool) -> None:
    """Deactivate (ending sessions and revoking tokens) or reactivate a user."""
    user.active = active
    if not active:
        revoke_tokens(session, user)
    session.flush()


def user_named(session: Session, username: str) -> User:
    """The user with this username, or NotFound."""
    user = session.scalars(select(User).where(User.username == (username or "").strip())).first()
    if user is None:
        raise NotFound(f"There is no user named {username}.")
    return user


def issue_token(session: Session, user: User) -> str:
    """A new random API token for the user; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    session.flush()
    return token


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, or None."""
    user = session.scalars(select(User).where(User.username == (username or "").strip())).first()
    if user is None or not user.active or not user.password_hash:
        _hasher.hash("timing-equaliser")  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not token:
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    row.last_used_at = datetime.now(UTC)
    return row.user


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return user
