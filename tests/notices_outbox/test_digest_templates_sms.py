"""The daily digest's content, the templates checked at load, and the SMS interface."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from licence_support import KONO, make_holder, rect
from sqlalchemy import select

from cadastre.domain.message_templates import DEFAULT_TEMPLATES, load_templates
from cadastre.errors import ConfigurationError, ValidationError
from cadastre.models import OutboxMessage
from cadastre.services.applications import register_application
from cadastre.services.digest import queue_digests
from cadastre.services.sms import SmsSender, send_text
from cadastre.services.users import add_user

TODAY = datetime.now(UTC).date()


def _file(session, profile, holder, n, days_ago):
    return register_application(
        session, profile, holder_id=holder, licence_type="exploration", commodities=["gold"],
        geometry=rect(KONO[0] + 0.03 * n, KONO[1], 1000), actor="clerk", district="Kono",
        received_at=datetime.now(UTC) - timedelta(days=days_ago),
    )  # fmt: skip


def _digests(session):
    return {
        m.to_address: m
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest"))
    }


def test_the_digest_lists_each_officers_files_and_overdue_decisions_once_a_day(
    empty_register, profile
):
    session = empty_register
    first = profile.procedure("exploration").stages[0]
    assert "officer" in first.roles  # the files below wait for an officer
    holder = make_holder(session, "company", "Digest Mining Ltd")
    fresh = _file(session, profile, holder, 1, days_ago=1)
    late = _file(session, profile, holder, 2, days_ago=400)
    assert late.decision_due < TODAY <= fresh.decision_due
    officer, _ = add_user(session, "officer.digest", "officer", email="kamara@example.org")
    add_user(session, "super.digest", "supervisor", email="koroma@example.org")
    add_user(session, "viewer.digest", "viewer", email="viewer@example.org")
    add_user(session, "officer.nomail", "officer")
    quiet, _ = add_user(session, "officer.away", "officer", email="away@example.org")
    quiet.active = False
    session.flush()

    report = queue_digests(session, profile, TODAY)
    assert report.queued == ["officer.digest", "super.digest"]
    digests = _digests(session)
    assert set(digests) == {"kamara@example.org", "koroma@example.org"}
    mail = digests["kamara@example.org"]
    assert mail.user_id == officer.id and mail.dedupe_key == f"digest:{officer.id}:{TODAY}"
    assert mail.subject == f"Cadastre: 2 files waiting for you, 1 overdue ({TODAY})"
    waiting, overdue = mail.body.split("Decisions past their due day")
    # due first: the late file heads the list, with how late it is
    days_late = (TODAY - late.decision_due).days
    assert waiting.index(late.code) < waiting.index(fresh.code)
    assert f"{late.code} Digest Mining Ltd: {first.label} (decision due " in waiting
    assert f"{late.decision_due.isoformat()}, {days_late} days late)" in waiting
    assert late.code in overdue and fresh.code not in overdue
    assert "(1):" in overdue

    # once a day: a second run queues nothing; the next day queues again
    again = queue_digests(session, profile, TODAY)
    assert again.queued == [] and again.already == ["officer.digest", "super.digest"]
    assert len(session.scalars(select(OutboxMessage)).all()) == 2
    assert len(queue_digests(session, profile, TODAY + timedelta(days=1)).queued) == 2


def test_an_officer_with_nothing_waiting_gets_no_digest(empty_register, profile):
    add_user(empty_register, "officer.idle", "officer", email="idle@example.org")
    report = queue_digests(empty_register, profile, TODAY)
    assert report.queued == [] and report.nothing == ["officer.idle"]
    assert _digests(empty_register) == {}


def _with(kind, **parts):
    return {**DEFAULT_TEMPLATES, kind: {**DEFAULT_TEMPLATES[kind], **parts}}


def test_a_template_with_an_unknown_placeholder_is_refused_at_load():
    with pytest.raises(ConfigurationError) as err:
        load_templates(_with("licence_notice", body="Dear {holder}, pay by {due_date}."))
    assert "'licence_notice'" in err.value.detail and "{due_date}" in err.value.detail
    assert "{remedy_by}" in err.value.detail  # what it may use instead
    with pytest.raises(ConfigurationError) as err:
        load_templates(_with("digest", subject="{officer.name}"))
    assert "'digest'" in err.value.detail and "{officer.name}" in err.value.detail
    with pytest.raises(ConfigurationError) as err:
        load_templates(_with("licence_granted", subject="Licence {code"))
    assert "'licence_granted'" in err.value.detail and "malformed" in err.value.detail
    with pytest.raises(ConfigurationError) as err:
        load_templates({k: v for k, v in DEFAULT_TEMPLATES.items() if k != "digest"})
    assert "digest" in err.value.detail
    assert set(load_templates(DEFAULT_TEMPLATES)) == set(DEFAULT_TEMPLATES)


def test_a_value_with_braces_is_text_not_a_placeholder():
    templates = load_templates(DEFAULT_TEMPLATES)
    values = dict.fromkeys(
        ["holder", "licence", "code", "licence_type", "reason", "actor", "date"], "{holder}"
    )
    subject, body = templates["licence_refused"].render({**values, "code": "EL/1"})
    assert subject == "Application EL/1 refused" and "Reason: {holder}" in body


class RecordingSender:
    """The test double: keeps what it was asked to send."""

    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.sent.append((to, text))


def test_texts_go_through_any_sender_with_send():
    sender = RecordingSender()
    assert isinstance(sender, SmsSender)
    text = send_text(sender, "+232 76 123-456", "Notice on licence EL/2026/0001:\n remedy by " * 9)
    assert sender.sent == [("+23276123456", text)]
    assert len(text) == 160 and text.endswith("…") and "\n" not in text
    with pytest.raises(ValidationError) as err:
        send_text(sender, "call the office", "x")
    assert err.value.errors[0]["field"] == "phone" and len(sender.sent) == 1


def test_the_digest_lists_overdue_obligations_for_every_officer(empty_register, profile):
    from cadastre.models import LicenceObligation
    from cadastre.queries.obligations_overdue import overdue_count
    from cadastre.services.obligations import run_obligations, show_cause
    from tests.obligations.support import granted_on

    session = empty_register
    lic = granted_on(session, profile, "large_scale", datetime.now(UTC) - timedelta(days=400))
    run_obligations(session, profile, TODAY)
    overdue = list(
        session.scalars(
            select(LicenceObligation)
            .where(LicenceObligation.status == "open", LicenceObligation.due_on < TODAY)
            .order_by(LicenceObligation.due_on, LicenceObligation.id)
        )
    )
    assert len(overdue) == overdue_count(session, TODAY) > 0
    _, notice = show_cause(session, profile, lic.id, overdue[0].id, actor="sup")
    officer, _ = add_user(session, "officer.obl", "officer", email="sesay@example.org")
    add_user(session, "admin.obl", "admin", email="bangura@example.org")
    add_user(session, "viewer.obl", "viewer", email="conteh@example.org")
    # nothing waits at a stage: the overdue obligations alone make the digest
    report = queue_digests(session, profile, TODAY)
    assert report.queued == ["admin.obl", "officer.obl"]
    digests = _digests(session)
    assert set(digests) == {"sesay@example.org", "bangura@example.org"}
    body = digests["sesay@example.org"].body
    part = body.split("Holders' obligations overdue")[1]
    assert part.startswith(f" ({len(overdue)}):")
    lines = [line for line in part.splitlines() if line.startswith("- ")]
    assert len(lines) == min(len(overdue), 25)
    first_ob = overdue[0]
    days = (TODAY - first_ob.due_on).days
    assert lines[0] == (
        f"- {lic.code} Obligations Test Holder 0: {first_ob.label} (due "
        f"{first_ob.due_on.isoformat()}, {days} days overdue; notice {notice.id})"
    )
    for ob, line in zip(overdue, lines, strict=False):
        assert ob.label in line and ob.due_on.isoformat() in line
    assert "Decisions past their due day (0):\n- none" in body
