"""Mail to holders from ``cadastre obligations run``: a reminder of each open obligation
falling due within ``obligations.remind_days``, a warning once it is overdue, each once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from cadastre.models import Holder, LicenceObligation, OutboxMessage
from cadastre.services.obligation_mail import queue_obligation_mail
from cadastre.services.obligations import run_obligations, waive_obligation
from tests.obligations.support import granted_on

LEAP_GRANT = datetime(2024, 2, 29, 10, tzinfo=UTC)


def _mail(session, kind=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(session.scalars(stmt))


def _open(session, licence_id):
    return list(
        session.scalars(
            select(LicenceObligation)
            .where(LicenceObligation.licence_id == licence_id, LicenceObligation.status == "open")
            .order_by(LicenceObligation.due_on)
        )
    )


def _with_email(session, lic, address):
    session.get(Holder, lic.holder_id).email = address
    session.flush()


def test_overdue_warnings_then_reminders_each_once(empty_register, profile):
    session = empty_register
    assert profile.obligations.remind_days == 30
    lic = granted_on(session, profile, "large_scale", LEAP_GRANT)
    _with_email(session, lic, "owner@example.org")
    quiet = granted_on(session, profile, "large_scale", LEAP_GRANT, slot=1)  # no address
    bad = granted_on(session, profile, "large_scale", LEAP_GRANT, slot=2)
    _with_email(session, bad, "not an address")
    day = date(2026, 12, 3)
    run_obligations(session, profile, day)
    waived = _open(session, lic.id)[0]
    waive_obligation(session, lic.id, waived.id, actor="sup", reason="Seen on file.")
    overdue = [o for o in _open(session, lic.id) if o.due_on < day]
    assert len(overdue) == 14  # 15 overdue (see test_obligations_run), less the waived one

    first = queue_obligation_mail(session, profile, day)
    assert (first.overdue, first.reminders) == (14, 0)  # nothing falls due by 2 January
    assert first.bad_addresses == 15  # the bad address's 15 overdue obligations
    sent = _mail(session, "obligation_overdue")
    assert sorted(m.dedupe_key for m in sent) == sorted(
        f"obligation:{o.id}:overdue" for o in overdue
    )
    assert {m.to_address for m in sent} == {"owner@example.org"}
    assert {m.licence_id for m in sent} == {lic.id}
    oldest = next(m for m in sent if m.dedupe_key == f"obligation:{overdue[0].id}:overdue")
    days = (day - overdue[0].due_on).days
    assert oldest.subject == (
        f"Licence {lic.code}: {overdue[0].label} overdue (due {overdue[0].due_on.isoformat()})"
    )
    assert f"{days} days overdue" in oldest.body
    assert oldest.body.startswith("To Obligations Test Holder 0,")
    assert overdue[0].document_kind.replace("_", " ") in oldest.body
    assert not any(waived.label in m.body and f"obligation:{waived.id}:" in m.dedupe_key
                   for m in sent)  # fmt: skip
    assert quiet.id not in {m.licence_id for m in _mail(session)}

    # again the same day, or the next: nothing new
    assert queue_obligation_mail(session, profile, day).overdue == 0
    assert len(_mail(session)) == 14

    # the Q4 2026 return (due 30 January 2027) comes within the month: one reminder
    later = date(2027, 1, 1)
    run_obligations(session, profile, later)
    q4 = next(o for o in _open(session, lic.id) if o.key == "production_return:2026-Q4")
    assert q4.due_on == date(2027, 1, 30)
    second = queue_obligation_mail(session, profile, later)
    assert (second.overdue, second.reminders) == (0, 1)
    reminder = _mail(session, "obligation_reminder")[0]
    assert reminder.dedupe_key == f"obligation:{q4.id}:reminder"
    assert reminder.subject == f"Licence {lic.code}: {q4.label} due on 2027-01-30"
    assert "in 29 days" in reminder.body and "2026-10-01 to 2026-12-31" in reminder.body
    assert queue_obligation_mail(session, profile, later + timedelta(days=5)).reminders == 0

    # once past its day the same obligation is overdue: its warning follows, once
    past = date(2027, 1, 31)
    third = queue_obligation_mail(session, profile, past)
    assert (third.overdue, third.reminders) == (1, 0)
    assert _mail(session, "obligation_overdue")[-1].dedupe_key == f"obligation:{q4.id}:overdue"
    assert queue_obligation_mail(session, profile, past).overdue == 0


def test_a_received_or_waived_obligation_is_not_mailed(empty_register, profile):
    session = empty_register
    lic = granted_on(session, profile, "large_scale", LEAP_GRANT)
    _with_email(session, lic, "owner@example.org")
    day = date(2026, 12, 3)
    run_obligations(session, profile, day)
    for ob in _open(session, lic.id):
        waive_obligation(session, lic.id, ob.id, actor="sup", reason="Covered.")
    got = queue_obligation_mail(session, profile, day)
    assert (got.overdue, got.reminders) == (0, 0) and _mail(session) == []


def test_the_command_reports_the_mail_it_queued(empty_register, profile, runner):
    session = empty_register
    lic = granted_on(session, profile, "large_scale", LEAP_GRANT)
    _with_email(session, lic, "owner@example.org")
    session.commit()
    args = ["obligations", "run", "--as-of", "2026-12-03", "--json"]
    first = json.loads(runner.invoke(args=args).output.strip().splitlines()[-1])
    assert first["overdue_queued"] == first["overdue"] == 15
    assert first["reminders_queued"] == 0
    again = json.loads(runner.invoke(args=args).output.strip().splitlines()[-1])
    assert again["overdue_queued"] == 0
    words = runner.invoke(args=["obligations", "run", "--as-of", "2026-12-03"]).output
    assert "mail queued: 0 reminders, 0 overdue warnings" in words
