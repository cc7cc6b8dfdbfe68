"""Which kind of workspace a database is: the register or a training workspace.

A database says what it is itself, so a command that could wipe it (``cadastre training
reset``) checks the database it reached, not the spelling of the URL that reached it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base, created_at_column

WORKSPACE_KINDS = ("register", "training")


class Workspace(Base):
    """The one row naming this database's kind (``cadastre.services.workspace`` reads it)."""

    __tablename__ = "workspace"
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint(f"kind IN {WORKSPACE_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, server_default=text("1"))
    kind: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()
