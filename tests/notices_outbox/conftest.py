"""A real SMTP server in-process (aiosmtpd) that keeps what it accepted, and can refuse."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from cadastre.services.mail_delivery import Policy, SmtpSettings

SENDER = "Mining Cadastre <cadastre@registry.example.org>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Mailbox:
    """What the server accepted, in order: each delivery, repeats included."""

    deliveries: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    #: The answer to DATA: None accepts; "451 ..." refuses for now, "550 ..." for good.
    refuse_with: str | None = None
    #: Recipients refused for good ("550 No such mailbox"), whatever ``refuse_with`` says.
    unknown: set[str] = field(default_factory=set)
    refused: int = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        if self.unknown & set(envelope.rcpt_tos):
            self.refused += 1
            return "550 5.1.1 No such mailbox"
        if self.refuse_with:
            self.refused += 1
            return self.refuse_with
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.deliveries.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.deliveries]

    def inbox(self) -> dict[str, EmailMessage]:
        """The mailbox as a receiver that drops a repeated Message-ID shows it."""
        seen: dict[str, EmailMessage] = {}
        for m in self.deliveries:
            seen.setdefault(m["Message-ID"], m)
        return seen


@pytest.fixture
def smtp_server():
    """A listening SMTP server on 127.0.0.1; yields (mailbox, port)."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=smtp_server[1], sender=SENDER)


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return smtp_server[0]


#: No waiting in tests: a failed message is due again at once (its backoff is still
#: recorded as attempts and next_attempt_at, which the tests read).
FAST = Policy(lease_seconds=60, max_attempts=3, retry_seconds=30)


@pytest.fixture
def auth(empty_register):
    """``auth(role)`` -> bearer headers for a user of that role."""
    from licence_support import make_token

    tokens: dict[str, str] = {}

    def headers(role: str) -> dict[str, str]:
        if role not in tokens:
            tokens[role] = make_token(empty_register, role)
        return {"Authorization": f"Bearer {tokens[role]}"}

    return headers
