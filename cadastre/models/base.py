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



def chain_seq_column() -> Mapped[int]:
    """An event's place in the one history chain across all events tables (set by a trigger)."""
    return mapped_column(BigInteger, FetchedValue(), unique=True, nullable=False)


def chain_hash_column() -> Mapped[bytes]:
    """A SHA-256 link of the history chain, set by the insert trigger (migration 0008)."""
    return mapped_column(LargeBinary, FetchedValue(), nullable=False)
