"""The worker hands due messages to a real SMTP server, records them sent, and retries a
failure with a growing wait until it gives up and reports it; nothing is lost or resent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select, update

from cadastre.app import create_app
from cadastre.db import unit_of_work
from cadastre.models import OutboxMessage
from cadastre.services.mail_delivery import deliver_due
from cadastre.services.outbox import queue_message
from tests.notices_outbox.conftest import FAST, SENDER, free_port


def _queue(sessions, n=1, to="holder@kono-gold.example.org", name="Kono Gold Ltd"):
    with unit_of_work(sessions) as session:
        return [
            queue_message(
                session, kind="licence_notice", to_address=to, to_name=name,
                subject=f"Notice {i} on licence EL/2026/0001", body=f"Body {i}: remedy by …",
                dedupe_key=f"test:{i}",
            )
            for i in range(n)
        ]  # fmt: skip


def _row(sessions, message_id) -> OutboxMessage:
    with sessions() as session:
        return session.get(OutboxMessage, message_id)


def _now(sessions):
    with sessions() as session:
        return session.scalar(select(func.clock_timestamp()))


def _make_due(sessions):
    with unit_of_work(sessions) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "queued")
            .values(next_attempt_at=func.now() - timedelta(seconds=1))
        )


def test_a_queued_message_is_delivered_with_its_headers_once(
    empty_register, sessions, smtp, mailbox
):
    [first, second] = _queue(sessions, 2)
    row = _row(sessions, first)
    report = deliver_due(sessions, smtp, FAST)
    assert (report.sent, report.retried, report.failed, report.waiting) == (2, 0, [], 0)
    assert len(mailbox.deliveries) == 2
    got = mailbox.deliveries[0]
    assert got["Message-ID"] == row.message_id
    assert got["From"] == SENDER and got["To"] == "Kono Gold Ltd <holder@kono-gold.example.org>"
    assert got["Subject"] == "Notice 0 on licence EL/2026/0001"
    assert got["X-Cadastre-Outbox"] == str(first)
    assert got.get_content().strip() == "Body 0: remedy by …"
    assert mailbox.envelopes[0] == ("cadastre@registry.example.org", [row.to_address])
    sent = _row(sessions, first)
    assert sent.status == "sent" and sent.sent_at is not None and sent.attempts == 1
    assert _row(sessions, second).status == "sent"
    # idempotent: a second run (a timer firing again) sends nothing
    again = deliver_due(sessions, smtp, FAST)
    assert (again.sent, again.retried, again.failed) == (0, 0, [])
    assert len(mailbox.deliveries) == 2


def test_a_server_that_is_down_is_retried_with_backoff_and_nothing_is_lost(
    empty_register, sessions, smtp, mailbox
):
    [message_id] = _queue(sessions)
    down = replace(smtp, port=free_port())  # nothing listens there
    before = _now(sessions)
    report = deliver_due(sessions, down, FAST)
    assert (report.sent, report.retried, report.failed, report.waiting) == (0, 1, [], 1)
    row = _row(sessions, message_id)
    assert row.status == "queued" and row.attempts == 1 and "Connection" in row.last_error
    wait = row.next_attempt_at - before
    assert timedelta(seconds=30) <= wait < timedelta(seconds=35)  # the first wait
    # not due yet: a run now does not try it again
    assert deliver_due(sessions, down, FAST).retried == 0
    assert _row(sessions, message_id).attempts == 1
    _make_due(sessions)
    before = _now(sessions)
    deliver_due(sessions, down, FAST)
    row = _row(sessions, message_id)
    assert row.attempts == 2 and row.status == "queued"
    assert timedelta(seconds=60) <= row.next_attempt_at - before < timedelta(seconds=65)  # doubled
    # the server is back: the message goes, once
    _make_due(sessions)
    report = deliver_due(sessions, smtp, FAST)
    assert report.sent == 1 and mailbox.message_ids() == [row.message_id]
    row = _row(sessions, message_id)
    assert row.status == "sent" and row.attempts == 3 and row.last_error is None


def test_a_temporary_refusal_is_retried_and_the_last_attempt_fails_and_is_reported(
    empty_register, sessions, smtp, mailbox
):
    [message_id] = _queue(sessions)
    mailbox.refuse_with = "451 4.3.0 Try again later"
    for attempt in (1, 2):
        report = deliver_due(sessions, smtp, FAST)
        assert report.retried == 1 and report.failed == []
        assert _row(sessions, message_id).attempts == attempt
        _make_due(sessions)
    report = deliver_due(sessions, smtp, FAST)  # the third of FAST.max_attempts
    assert report.retried == 0
    assert report.failed == [
        (message_id, "holder@kono-gold.example.org", "451 4.3.0 Try again later")
    ]
    assert report.failed_total == 1 and report.waiting == 0
    row = _row(sessions, message_id)
    assert row.status == "failed" and row.attempts == 3 and "451" in row.last_error
    assert mailbox.refused == 3 and mailbox.deliveries == []
    # a failed message is kept (never deleted), and a later run leaves it alone
    mailbox.refuse_with = None
    assert deliver_due(sessions, smtp, FAST).sent == 0


def test_a_permanent_refusal_fails_at_once(empty_register, sessions, smtp, mailbox):
    [message_id] = _queue(sessions)
    mailbox.refuse_with = "550 5.1.1 No such mailbox"
    report = deliver_due(sessions, smtp, FAST)
    assert [f[0] for f in report.failed] == [message_id]
    row = _row(sessions, message_id)
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error


def test_notices_run_reports_failures_and_exits_non_zero(
    settings, sessions, empty_register, smtp_server
):
    mailbox, port = smtp_server
    configured = replace(
        settings, smtp_host="127.0.0.1", smtp_port=port, smtp_from=SENDER,
        outbox_max_attempts=1,
    )  # fmt: skip
    app = create_app(configured)
    app.extensions["cadastre"].sessions = sessions
    [good] = _queue(sessions)
    with unit_of_work(sessions) as session:
        bad = queue_message(
            session, kind="digest", to_address="nobody@unknown.example.org", subject="S",
            body="B", dedupe_key="test:bad",
        )  # fmt: skip
    mailbox.unknown.add("nobody@unknown.example.org")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["notices", "run"])
    assert result.exit_code == 1, result.output
    assert "1 sent" in result.output and "1 failed" in result.output
    assert f"failed: message {bad} to nobody@unknown.example.org: 550" in result.output
    assert _row(sessions, good).status == "sent"
    result = runner.invoke(args=["notices", "run"])
    assert (
        result.exit_code == 0 and "0 sent" in result.output and "1 failed in all" in result.output
    )


def test_notices_run_without_a_mail_server_says_what_to_set(runner):
    result = runner.invoke(args=["notices", "run"])
    assert result.exit_code != 0
    assert "CADASTRE_SMTP_HOST" in str(result.exception or result.output)
