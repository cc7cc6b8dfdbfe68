"""The training workspace's own bookkeeping, in a schema of its own (``training``).

Which scenario the training register holds, on which day, and what its keys became; and
trainees' written answers. A reset empties the register (``public``) and rewrites these.
The tables exist in every database the migrations reach; only a training database fills them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base

SCHEMA = "training"


class ScenarioState(Base):
    """The one row saying which scenario is loaded (``TrainingState`` reads it)."""

    __tablename__ = "state"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"), {"schema": SCHEMA})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    scenario: Mapped[str] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    #: Scenario keys to the ids they became: {"licences": {key: {trainee: id}}, "holders": ...}.
    keys: Mapped[dict] = mapped_column(JSONB)
    reset_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )


class TrainingAnswer(Base):
    """A trainee's written answer to a scenario task (the checker marks it)."""

    __tablename__ = "answers"
    __table_args__ = {"schema": SCHEMA}

    username: Mapped[str] = mapped_column(Text, primary_key=True)
    scenario: Mapped[str] = mapped_column(Text, primary_key=True)
    task: Mapped[str] = mapped_column(Text, primary_key=True)
    answer: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
