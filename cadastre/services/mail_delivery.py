"""Deliver the outbox over SMTP: ``cadastre notices run``.

Each message goes through three short transactions, never one held open while talking to
the mail server:

1. **claim**: due rows (``queued``, or ``sending`` whose lease ran out) are locked with
   ``FOR UPDATE SKIP LOCKED``, marked ``sending`` with a lease (``next_attempt_at``), their
   attempt counted; committed. Two workers never claim the same row while a lease runs.
2. **send**: the message, with its stored Message-ID, is handed to the SMTP server.
3. **record**: as soon as the server accepted it, ``sent`` (its own commit, before the next
   message); on a failure, back to ``queued`` after an exponential backoff, or ``failed``
   after the last attempt or on a permanent (5xx) refusal.

The guarantee (README, "Notices by email"): a message is never lost (it leaves the table
only as ``sent`` or ``failed``), and it is handed to the SMTP server at least once. A
worker that dies after the server accepted a message but before step 3 committed leaves it
``sending``; once the lease runs out it is sent again, with the same Message-ID, so the
receiving side can recognise the repeat. That window, between the server's "250 OK" and a
one-row commit, is the only way a message reaches the server twice.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from cadastre.config import Settings
from cadastre.db import unit_of_work
from cadastre.errors import ConfigurationError
from cadastre.models import OutboxMessage

TLS_MODES = ("none", "starttls", "ssl")
#: Rows claimed at a time (each is sent and recorded before the next batch is claimed).
BATCH = 20
#: The longest wait between attempts, however many failed.
MAX_BACKOFF = timedelta(hours=12)
#: Seconds a connection or a command to the SMTP server may take.
SMTP_TIMEOUT = 30


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how mail is handed over (``CADASTRE_SMTP_*``)."""

    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    tls: str = "none"

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSettings:
        """The SMTP settings, or a ConfigurationError saying what to set."""
        if not settings.smtp_host or not settings.smtp_from:
            raise ConfigurationError(
                "No mail server: set CADASTRE_SMTP_HOST, CADASTRE_SMTP_PORT and "
                "CADASTRE_SMTP_FROM (messages wait in the outbox until then)."
            )
        tls = settings.smtp_tls.strip().lower() or "none"
        if tls not in TLS_MODES:
            raise ConfigurationError(
                f"CADASTRE_SMTP_TLS is {settings.smtp_tls!r}; use one of {', '.join(TLS_MODES)}."
            )
        if bool(settings.smtp_user) != bool(settings.smtp_password):
            raise ConfigurationError(
                "Set both CADASTRE_SMTP_USER and CADASTRE_SMTP_PASSWORD, or neither."
            )
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            user=settings.smtp_user,
            password=settings.smtp_password,
            tls=tls,
        )


@dataclass(frozen=True)
class Policy:
    """Leases and retries (``CADASTRE_OUTBOX_*``)."""

    lease_seconds: int = 300
    max_attempts: int = 8
    retry_seconds: int = 60

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        """The policy the settings give."""
        return cls(
            lease_seconds=max(1, settings.outbox_lease_seconds),
            max_attempts=max(1, settings.outbox_max_attempts),
            retry_seconds=max(0, settings.outbox_retry_seconds),
        )

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: doubling, capped."""
        return min(timedelta(seconds=self.retry_seconds * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


@dataclass(frozen=True)
class Claimed:
    """What a worker needs of a claimed row (read in the claim's transaction)."""

    id: int
    to_address: str
    to_name: str | None
    subject: str
    body: str
    message_id: str
    attempts: int
    created_at: datetime


@dataclass
class DeliveryReport:
    """What a run did."""

    sent: int = 0
    retried: int = 0
    #: (id, address, error) of each message given up in this run.
    failed: list[tuple[int, str, str]] = field(default_factory=list)
    #: Messages still waiting (queued or being sent) after the run, and failed in all.
    waiting: int = 0
    failed_total: int = 0

    def as_dict(self) -> dict:
        """The report as JSON."""
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": [{"id": i, "to": a, "error": e} for i, a, e in self.failed],
            "waiting": self.waiting,
            "failed_total": self.failed_total,
        }


def build_email(smtp: SmtpSettings, row: Claimed) -> EmailMessage:
    """The message as sent: the same headers on every attempt, the Message-ID above all."""
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = formataddr((row.to_name or "", row.to_address))
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(row.created_at.astimezone(UTC))
    msg["Message-ID"] = row.message_id
    msg["X-Cadastre-Outbox"] = str(row.id)
    msg.set_content(row.body)
    return msg


def claim(
    sessions: sessionmaker[Session], policy: Policy, *, due_by: datetime, limit: int = BATCH
) -> list[Claimed]:
    """Claim up to ``limit`` messages due by ``due_by`` (committed before anything is sent)."""
    with unit_of_work(sessions) as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status.in_(("queued", "sending")),
                    OutboxMessage.next_attempt_at <= due_by,
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        now = session.scalar(select(func.clock_timestamp()))
        claimed = []
        for row in rows:
            row.status = "sending"
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=policy.lease_seconds)
            claimed.append(
                Claimed(row.id, row.to_address, row.to_name, row.subject, row.body,
                        row.message_id, row.attempts, row.created_at)
            )  # fmt: skip
        return claimed


def _record_sent(sessions: sessionmaker[Session], row: Claimed) -> None:
    with unit_of_work(sessions) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
            .values(status="sent", sent_at=func.clock_timestamp(), last_error=None)
        )


def _record_failure(
    sessions: sessionmaker[Session], policy: Policy, row: Claimed, error: str, permanent: bool
) -> bool:
    """Back to the queue after the backoff, or failed; True when it failed for good."""
    give_up = permanent or row.attempts >= policy.max_attempts
    with unit_of_work(sessions) as session:
        values: dict = {"last_error": error[:2000]}
        if give_up:
            values["status"] = "failed"
        else:
            values["status"] = "queued"
            values["next_attempt_at"] = func.clock_timestamp() + policy.backoff(row.attempts)
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
            .values(**values)
        )
    return give_up


def _permanent(exc: Exception) -> bool:
    """A 5xx answer: the server refuses for good (an unknown mailbox, a rejected message)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return (
        isinstance(code, int)
        and code >= 500
        and not isinstance(exc, smtplib.SMTPServerDisconnected)
    )


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{addr}: {code} {msg.decode(errors='replace')}"
            for addr, (code, msg) in exc.recipients.items()
        )
    code = getattr(exc, "smtp_code", None)
    if code is not None:
        text = exc.smtp_error
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        return f"{code} {text}"
    return f"{type(exc).__name__}: {exc}"


class _Connection:
    """One SMTP connection for a run, opened when first needed and after a failure."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self.client: smtplib.SMTP | None = None

    def send(self, msg: EmailMessage, to_address: str) -> None:
        if self.client is None:
            self.client = self._open()
        self.client.send_message(msg, from_addr=self._envelope_from(), to_addrs=[to_address])

    def _envelope_from(self) -> str:
        from email.utils import parseaddr

        return parseaddr(self.smtp.sender)[1] or self.smtp.sender

    def _open(self) -> smtplib.SMTP:
        s = self.smtp
        if s.tls == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(s.host, s.port, timeout=SMTP_TIMEOUT)
            if s.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
        if s.user:
            client.login(s.user, s.password)
        return client

    def drop(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (smtplib.SMTPException, OSError):
                self.client.close()
            self.client = None


def deliver_due(
    sessions: sessionmaker[Session],
    smtp: SmtpSettings,
    policy: Policy,
    *,
    on_claimed: Callable[[list[Claimed]], None] | None = None,
    on_accepted: Callable[[Claimed], None] | None = None,
) -> DeliveryReport:
    """Send every message due when the run starts; safe to run again at any time.

    ``on_claimed`` and ``on_accepted`` are called after a batch is claimed and after the
    server accepted a message (before it is recorded sent): the seams where a worker may die.
    """
    report = DeliveryReport()
    with unit_of_work(sessions) as session:
        started = session.scalar(select(func.clock_timestamp()))
    connection = _Connection(smtp)
    try:
        while batch := claim(sessions, policy, due_by=started):
            if on_claimed:
                on_claimed(batch)
            for row in batch:
                try:
                    connection.send(build_email(smtp, row), row.to_address)
                except (smtplib.SMTPException, OSError) as exc:
                    connection.drop()
                    error = _describe(exc)
                    if _record_failure(sessions, policy, row, error, _permanent(exc)):
                        report.failed.append((row.id, row.to_address, error))
                    else:
                        report.retried += 1
                    continue
                if on_accepted:
                    on_accepted(row)
                _record_sent(sessions, row)
                report.sent += 1
    finally:
        connection.drop()
    with unit_of_work(sessions) as session:
        counts = dict(
            session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
    report.waiting = counts.get("queued", 0) + counts.get("sending", 0)
    report.failed_total = counts.get("failed", 0)
    return report
