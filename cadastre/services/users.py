"""Users, passwords (argon2) and API tokens (stored as SHA-256 of a random secret)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from cadastre.domain.roles import ROLES
from cadastre.errors import NotFound, ValidationError
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


def add_user(
    session: Session, username: str, role: str, *, password: str | None = None
) -> tuple[User, str]:
    """Create a user (or change an existing user's role) and issue a fresh API token."""
    username = (username or "").strip()
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
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, role=role, active=True)
        session.add(user)
    else:
        user.role = role
    if password is not None:
        _check_password(password)
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user, issue_token(session, user)


def set_password(session: Session, user: User, password: str) -> None:
    """Set (or reset) a user's web password."""
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    session.flush()


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
    if row is None or not row.user.active:
        return None
    row.last_used_at = datetime.now(UTC)
    return row.user


def get_user(session: Session, user_id: int) -> User:
    """The user with this id, or NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user with id {user_id}.")
    return user
