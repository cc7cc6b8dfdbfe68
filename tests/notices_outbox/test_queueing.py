"""Messages are written in the transaction of the event that causes them: a notice, a grant,
a refusal; rolled back with it; never queued twice; only to an address that is one."""

from __future__ import annotations

import pytest
from licence_support import KONO, grant_settled, make_holder, rect, walk_to
from sqlalchemy import func, select

from cadastre.db import unit_of_work
from cadastre.errors import ValidationError
from cadastre.models import LicenceNotice, OutboxMessage
from cadastre.services.applications import register_application
from cadastre.services.lifecycle import perform_action
from cadastre.services.notices import issue_notice
from cadastre.services.outbox import queue_message
from cadastre.services.users import add_user, set_email

ADDRESS = "licensing@kono-gold.example.org"


def _application(session, profile, email=ADDRESS, side=2000, shift=0.0):
    holder = make_holder(session, "company", f"Kono Gold {shift}", email=email)
    return register_application(
        session, profile, holder_id=holder, licence_type="exploration", commodities=["gold"],
        geometry=rect(KONO[0] + shift, KONO[1], side), actor="officer.test", district="Kono",
    )  # fmt: skip


def _messages(session, **where):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    for key, value in where.items():
        query = query.where(getattr(OutboxMessage, key) == value)
    return list(session.scalars(query))


def test_a_grant_and_a_notice_each_queue_one_message_to_the_holder(empty_register, profile):
    session = empty_register
    lic = _application(session, profile)
    assert _messages(session) == []
    grant_settled(session, profile, lic.id, actor="sup")
    [granted] = _messages(session, kind="licence_granted")
    assert granted.to_address == ADDRESS and granted.holder_id == lic.holder_id
    assert granted.licence_id == lic.id and granted.status == "queued"
    assert lic.code in granted.subject and lic.expires_at.isoformat() in granted.body
    notice = issue_notice(session, profile, lic.id, actor="sup", breach="No annual report filed.")
    [message] = _messages(session, kind="licence_notice")
    assert message.dedupe_key == f"notice:{notice.id}"
    assert message.to_address == ADDRESS and message.to_name == "Kono Gold 0.0"
    assert "No annual report filed." in message.body
    assert notice.remedy_by.isoformat() in message.subject
    assert profile.notices.default_cause in message.body
    assert message.message_id.startswith("<outbox.") and message.message_id.endswith(">")
    assert len(_messages(session)) == 2


def test_a_refusal_queues_its_reason(empty_register, profile):
    session = empty_register
    lic = _application(session, profile)
    procedure = profile.procedure("exploration")
    refusable = next(s for s in procedure.stages if s.refusal)
    walk_to(session, profile, lic.id, before=refusable.name)
    perform_action(session, profile, lic.id, "refuse", actor="sup", reason="Area not surveyed.")
    [message] = _messages(session, kind="licence_refused")
    assert "Area not surveyed." in message.body and lic.code in message.subject
    assert message.dedupe_key.startswith("licence-event:")


def test_a_holder_without_an_address_gets_the_letter_only(empty_register, profile):
    session = empty_register
    lic = _application(session, profile, email=None)
    grant_settled(session, profile, lic.id, actor="sup")
    issue_notice(session, profile, lic.id, actor="sup", breach="No report.")
    assert _messages(session) == []
    assert session.scalar(select(func.count()).select_from(LicenceNotice)) == 1


def test_the_message_is_rolled_back_with_its_notice(empty_register, profile, sessions):
    with unit_of_work(sessions) as session:
        lic = _application(session, profile)
        grant_settled(session, profile, lic.id, actor="sup")
    with pytest.raises(RuntimeError), unit_of_work(sessions) as session:
        issue_notice(session, profile, lic.id, actor="sup", breach="No report.")
        assert len(_messages(session, kind="licence_notice")) == 1  # written, not committed
        raise RuntimeError("the request failed after the notice")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LicenceNotice)) == 0
        assert _messages(session, kind="licence_notice") == []
        assert len(_messages(session, kind="licence_granted")) == 1  # its own transaction


def test_the_same_event_is_never_queued_twice(empty_register):
    session = empty_register
    first = queue_message(
        session, kind="digest", to_address="a@example.org", subject="S", body="B", dedupe_key="k1"
    )
    again = queue_message(
        session, kind="digest", to_address="b@example.org", subject="S2", body="B2",
        dedupe_key="k1",
    )  # fmt: skip
    assert isinstance(first, int) and again is None
    [row] = _messages(session)
    assert row.to_address == "a@example.org" and row.subject == "S"


@pytest.mark.parametrize(
    "address", ["not an address", "a@localhost", "a@example.org\nBcc: x@example.org", "@x.org"]
)
def test_an_address_that_is_not_one_is_refused_naming_the_field(empty_register, address):
    with pytest.raises(ValidationError) as err:
        queue_message(
            empty_register, kind="digest", to_address=address, subject="S", body="B",
            dedupe_key="bad",
        )  # fmt: skip
    assert err.value.errors[0]["field"] == "to_address"
    user, _ = add_user(empty_register, "clerk.mail", "officer")
    with pytest.raises(ValidationError) as err:
        set_email(empty_register, user, address)
    assert err.value.errors[0]["field"] == "email"
    with pytest.raises(ValidationError) as err:
        make_holder(empty_register, "company", "Bad Address Ltd", email=address)
    assert [e["field"] for e in err.value.errors] == ["email"]


def test_the_holder_api_refuses_a_bad_address_with_422(client, empty_register, auth):
    body = {"name": "Mail Test Ltd", "kind": "company", "email": "no-at-sign.example.org"}
    r = client.post("/api/holders", json=body, headers=auth("officer"))
    assert r.status_code == 422, r.get_json()
    problem = r.get_json()
    assert r.mimetype == "application/problem+json"
    assert any(e["field"] == "email" for e in problem["errors"])
    body["email"] = "accounts@mail-test.example.org"
    r = client.post("/api/holders", json=body, headers=auth("officer"))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["email"] == "accounts@mail-test.example.org"


def test_the_holder_form_keeps_a_bad_address_and_says_what_is_wrong(
    client, session, profile, empty_register
):
    from tests.page_support import login, seed_register, token

    seed_register(session, profile)
    login(client, "officer")
    html = client.get("/holders/new").get_data(as_text=True)
    data = {"csrf_token": token(html), "kind": "company", "name": "Form Mail Ltd"}
    r = client.post("/holders/new", data={**data, "email": "accounts at formmail"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "is not an email address" in page and 'value="accounts at formmail"' in page
    r = client.post("/holders/new", data={**data, "email": "accounts@formmail.example.org"})
    assert r.status_code == 302
