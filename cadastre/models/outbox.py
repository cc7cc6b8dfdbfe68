"""The outbox: messages written in the transaction of the event that causes them, then
delivered by ``cadastre notices run`` (``cadastre.services.mail_delivery``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from cadastre.models.base import Base, created_at_column

OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMessage(Base):
    """One email to a holder or an officer, and how its delivery went.

    ``queued``: waiting for ``next_attempt_at``; ``sending``: claimed by a worker whose lease
    runs to ``next_attempt_at`` (a row still ``sending`` after it is claimed again: the
    worker died); ``sent``: the SMTP server accepted it at ``sent_at``; ``failed``: given up
    after the last attempt (``last_error`` says why). ``dedupe_key`` names the event that
    caused it, so the same message is never queued twice; ``message_id`` is its stable
    Message-ID header, the same on every attempt, so a receiver can drop a repeat.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES!r}", name="status"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("(status = 'sent') = (sent_at IS NOT NULL)", name="sent_when"),
        Index(
            "ix_outbox_messages_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('queued', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the message is about (a template's name: ``licence_notice``, ``digest``, ...).
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(200))
    to_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licences.id"), index=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=text("now()")
    )
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()
