"""Read and set the kind of workspace a database is (``workspace`` table, one row)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from cadastre.domain.workspace import register_refusal, training_reset_refusal
from cadastre.errors import ConfigurationError

#: Tables whose rows make a database a register in use.
REGISTER_TABLES = ("licences", "holders", "users")


def workspace_kind(session: Session) -> str | None:
    """'register', 'training', or None when unmarked (or migrated before the marking)."""
    if session.scalar(text("SELECT to_regclass('public.workspace')")) is None:
        return None
    return session.scalar(text("SELECT kind FROM public.workspace"))


def holds_register_data(session: Session) -> bool:
    """True when any licence, holder or user is stored."""
    for table in REGISTER_TABLES:
        if session.scalar(text("SELECT to_regclass(:t)"), {"t": f"public.{table}"}) is None:
            continue
        if session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM public.{table})")):
            return True
    return False


def where(session: Session) -> str:
    """The database as the server names it (not as the URL spells it)."""
    return "database " + session.scalar(
        text(
            "SELECT format('%I on %s', current_database(), coalesce(host(inet_server_addr()), "
            "'local socket'))"
        )
    )


def mark(session: Session, kind: str) -> None:
    """Mark an unmarked database as ``kind`` (a marked one keeps its mark)."""
    session.execute(
        text("INSERT INTO public.workspace (kind) VALUES (:k) ON CONFLICT (id) DO NOTHING"),
        {"k": kind},
    )


def claim_for_training(session: Session) -> None:
    """Refuse a register (marked, or unmarked but holding data); else mark it 'training'."""
    kind = workspace_kind(session)
    refusal = training_reset_refusal(
        kind, kind is None and holds_register_data(session), where(session)
    )
    if refusal:
        raise ConfigurationError(refusal)
    if session.scalar(text("SELECT to_regclass('public.workspace')")) is not None:
        mark(session, "training")


def claim_for_register(session: Session) -> None:
    """Refuse a training workspace; else mark the database 'register'."""
    refusal = register_refusal(workspace_kind(session), where(session))
    if refusal:
        raise ConfigurationError(refusal)
    if session.scalar(text("SELECT to_regclass('public.workspace')")) is not None:
        mark(session, "register")


def check_training_database(url: str) -> None:
    """Raise ConfigurationError when the database at ``url`` is (or looks like) the register."""
    from cadastre.db import get_engine

    with Session(get_engine(url)) as session:
        kind = workspace_kind(session)
        refusal = training_reset_refusal(
            kind, kind is None and holds_register_data(session), where(session)
        )
    if refusal:
        raise ConfigurationError(refusal.replace("Refused", "The training workspace is off"))


def check_register_database(url: str) -> None:
    """Raise ConfigurationError when the database at ``url`` is a training workspace."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    # Its own unpooled engine: the server's workers must not inherit an open connection.
    engine = create_engine(url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            refusal = register_refusal(workspace_kind(session), where(session))
    finally:
        engine.dispose()
    if refusal:
        raise ConfigurationError(refusal)
