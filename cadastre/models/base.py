"""Declarative base with a naming convention, so Alembic and the models name constraints alike."""

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, FetchedValue, LargeBinary, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model."""

    metadata = MetaData(naming_convention=NAMING)


def created_at_column() -> Mapped[datetime]:
    """A creation timestamp set by the database."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class ChainLink:
    """Mixin of the events tables: each event is a link of the one tamper-evident history
    chain, its columns set by the database's insert trigger (migration 0008)."""

    #: The event's place in the chain across all events tables.
    chain_seq: Mapped[int] = mapped_column(BigInteger, FetchedValue(), unique=True, nullable=False)
    #: The SHA-256 link before this event, and this event's own.
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary, FetchedValue(), nullable=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary, FetchedValue(), nullable=False)
