"""A worker killed mid-run and started again: every message arrives, none is lost, and what
is delivered twice is exactly what the guarantee allows (README, "Notices by email").

These tests commit for real (the worker is another process): they start from an empty
outbox and empty it again after.

- Killed after claiming, before sending: the claimed rows are leased ("sending"); a run
  within the lease leaves them alone (no second worker sends them meanwhile), one after it
  sends each exactly once.
- Killed after the SMTP server accepted a message, before recording it sent: that one
  message is handed over again after the lease, with the same Message-ID, so the server
  saw it twice and a receiver that drops a repeated Message-ID shows it once. Every other
  message was handed over exactly once. No SMTP client can do better: the server's "250 OK"
  and our commit cannot be one atomic step.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from cadastre.db import session_factory, unit_of_work
from cadastre.models import OutboxMessage
from cadastre.services.outbox import queue_message

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CADASTRE = os.path.join(os.path.dirname(sys.executable), "cadastre")
#: Long enough that the restart within it surely starts before it runs out (a loaded machine
#: takes seconds to start the command); the tests then end it by moving the clock.
LEASE = 60


@pytest.fixture
def committed(database_url):
    """Real sessions on the test database, the outbox empty before and after."""
    sessions = session_factory(database_url)
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    yield sessions
    with unit_of_work(sessions) as session:
        session.execute(delete(OutboxMessage))


def _queue(sessions, n: int) -> list[int]:
    with unit_of_work(sessions) as session:
        return [
            queue_message(
                session, kind="licence_notice", to_address=f"holder{i}@example.org",
                subject=f"Notice {i}", body=f"Body {i}", dedupe_key=f"crash:{i}",
            )
            for i in range(n)
        ]  # fmt: skip


def _rows(sessions) -> dict[int, OutboxMessage]:
    with sessions() as session:
        return {r.id: r for r in session.scalars(select(OutboxMessage))}


def _crash(database_url, port, point):
    result = subprocess.run(
        [sys.executable, str(HERE / "crashing_worker.py"), database_url, str(port), point,
         str(LEASE)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == -signal.SIGKILL, result.stderr


def _restart(database_url, port):
    """The real command, as a timer runs it."""
    env = {
        **os.environ,
        "CADASTRE_DATABASE_URL": database_url,
        "CADASTRE_TRAINING_DATABASE_URL": "",
        "CADASTRE_SMTP_HOST": "127.0.0.1",
        "CADASTRE_SMTP_PORT": str(port),
        "CADASTRE_SMTP_FROM": "Mining Cadastre <cadastre@registry.example.org>",
        "CADASTRE_OUTBOX_LEASE_SECONDS": str(LEASE),
    }
    result = subprocess.run(
        [CADASTRE, "notices", "run"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _after_lease(sessions):
    """The lease runs out (as it would LEASE seconds later): the claim's expiry moves back."""
    with unit_of_work(sessions) as session:
        moved = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending")
            .values(next_attempt_at=func.now() - timedelta(seconds=1))
        ).rowcount
    assert moved == 3


def test_killed_after_claiming_every_message_is_sent_exactly_once(
    database_url, committed, smtp_server
):
    mailbox, port = smtp_server
    ids = _queue(committed, 3)
    _crash(database_url, port, "claimed")
    rows = _rows(committed)
    assert {r.status for r in rows.values()} == {"sending"} and mailbox.deliveries == []
    # within the lease a second worker leaves them alone
    assert "0 sent" in _restart(database_url, port)
    assert mailbox.deliveries == []
    _after_lease(committed)
    assert "3 sent" in _restart(database_url, port)
    rows = _rows(committed)
    assert {r.status for r in rows.values()} == {"sent"}
    assert all(r.attempts == 2 for r in rows.values())  # the lost claim counts as an attempt
    assert sorted(mailbox.message_ids()) == sorted(rows[i].message_id for i in ids)
    assert len(set(mailbox.message_ids())) == 3  # none twice


def test_killed_after_the_server_accepted_one_the_repeat_keeps_its_message_id(
    database_url, committed, smtp_server
):
    mailbox, port = smtp_server
    ids = _queue(committed, 3)
    _crash(database_url, port, "accepted")
    rows = _rows(committed)
    first = rows[ids[0]]
    # the server has the first message; the register could not record it
    assert mailbox.message_ids() == [first.message_id]
    assert {r.status for r in rows.values()} == {"sending"}
    assert "0 sent" in _restart(database_url, port)
    assert len(mailbox.deliveries) == 1
    _after_lease(committed)
    assert "3 sent" in _restart(database_url, port)
    rows = _rows(committed)
    assert {r.status for r in rows.values()} == {"sent"}
    delivered = mailbox.message_ids()
    # the first message reached the server twice, the same Message-ID both times ...
    assert delivered.count(first.message_id) == 2
    # ... every other message once ...
    assert all(delivered.count(rows[i].message_id) == 1 for i in ids[1:])
    assert len(delivered) == 4
    # ... so a receiver that drops a repeated Message-ID holds each message exactly once
    inbox = mailbox.inbox()
    assert sorted(inbox) == sorted(r.message_id for r in rows.values())
    assert [inbox[rows[i].message_id]["Subject"] for i in ids] == [
        "Notice 0",
        "Notice 1",
        "Notice 2",
    ]
    # and the two copies are the same message, byte for byte in what matters
    copies = [m for m in mailbox.deliveries if m["Message-ID"] == first.message_id]
    assert copies[0]["Date"] == copies[1]["Date"]
    assert copies[0].get_content() == copies[1].get_content()
