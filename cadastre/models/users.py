"""Users with roles, their API tokens (stored hashed), failed sign-ins and the app's secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cadastre.domain.roles import ROLES
from cadastre.models.base import Base, created_at_column


class User(Base):
    """Someone who signs in to the web pages or calls the API."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    #: argon2 hash; None means the user may only use API tokens.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Stored in the session at sign-in; bumped by sign-out, password reset, deactivation and
    #: token revocation, so every session signed in before then is refused.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    #: Where notices and the daily digest go (None: no mail).
    email: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    """A bearer token, kept only as its SHA-256 (tokens are random, so no salt is needed)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When the token was revoked (kept, not deleted, so its use stays auditable).
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")


class SignInFailure(Base):
    """A failed password sign-in, kept for the throttle window (all workers read them)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_account_failed_at", "account", "failed_at"),
        Index("ix_sign_in_failures_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    #: The username as typed, lower-cased (unknown names are throttled too).
    account: Mapped[str] = mapped_column(String(80))
    #: The client's address as the server saw it.
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("clock_timestamp()")
    )


class AppSecret(Base):
    """A secret generated once and shared by every worker and restart (e.g. the cookie key)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
