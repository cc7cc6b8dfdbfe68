"""A receipt answers the show-cause notice issued for the obligation: the notice is marked
remedied, with its own history event, in the receipt's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from licence_support import upload_document

from cadastre.services.obligations import run_obligations
from tests.obligations.support import granted_on

TODAY = datetime.now(UTC).date()


@pytest.fixture
def mine(empty_register, profile, auth):
    session = empty_register
    auth("viewer")
    lic = granted_on(session, profile, "large_scale", datetime.now(UTC) - timedelta(days=400))
    run_obligations(session, profile, TODAY)
    session.commit()
    return lic.id


def _api(client, auth, path, body=None, role="supervisor"):
    return client.post(f"/api/licences{path}", json=body, headers=auth(role))


def _notices(client, auth, licence_id):
    r = client.get(f"/api/licences/{licence_id}/notices", headers=auth("viewer"))
    return {n["id"]: n for n in r.get_json()["notices"]}


def test_receiving_remedies_the_show_cause_notice(client, auth, mine):
    obligations = client.get(f"/api/licences/{mine}/obligations", headers=auth("viewer"))
    ob = next(o for o in obligations.get_json()["obligations"]
              if o["kind"] == "environmental_licence")  # fmt: skip
    assert ob["overdue"]
    r = _api(client, auth, f"/{mine}/obligations/{ob['id']}/show-cause")
    assert r.status_code == 201, r.get_json()
    notice_id = r.get_json()["notice"]["id"]
    # a refused receipt (the wrong kind of document) leaves the notice as it was
    wrong = upload_document(client, auth, mine, "annual_report").get_json()["id"]
    refused = _api(client, auth, f"/{mine}/obligations/{ob['id']}/receive",
                   {"document_id": wrong}, role="officer")  # fmt: skip
    assert refused.status_code == 422
    assert _notices(client, auth, mine)[notice_id]["remedied"] is False

    right = upload_document(client, auth, mine, "environmental_licence").get_json()["id"]
    done = _api(client, auth, f"/{mine}/obligations/{ob['id']}/receive",
                {"document_id": right}, role="officer")  # fmt: skip
    assert done.status_code == 200, done.get_json()
    notice = _notices(client, auth, mine)[notice_id]
    assert notice["remedied"] is True and notice["remedied_by"] == "test-officer"
    assert f"obligation {ob['id']}" in notice["remedy_note"]
    assert f"document {right}" in notice["remedy_note"]
    events = client.get(f"/api/licences/{mine}/history", headers=auth("viewer")).get_json()
    last_two = [e["action"] for e in events["events"][-2:]]
    assert last_two == ["obligation_received", "notice_remedied"]
    assert f"Notice {notice_id} remedied." in events["events"][-1]["reason"]


def test_receiving_without_a_notice_remedies_nothing(client, auth, mine):
    obligations = client.get(f"/api/licences/{mine}/obligations", headers=auth("viewer"))
    items = obligations.get_json()["obligations"]
    env = next(o for o in items if o["kind"] == "environmental_licence")
    other = next(o for o in items if o["kind"] == "production_return" and o["overdue"])
    # a notice on the licence for another obligation stays unremedied
    r = _api(client, auth, f"/{mine}/obligations/{other['id']}/show-cause")
    notice_id = r.get_json()["notice"]["id"]
    doc = upload_document(client, auth, mine, "environmental_licence").get_json()["id"]
    done = _api(client, auth, f"/{mine}/obligations/{env['id']}/receive",
                {"document_id": doc}, role="officer")  # fmt: skip
    assert done.status_code == 200
    assert _notices(client, auth, mine)[notice_id]["remedied"] is False
    events = client.get(f"/api/licences/{mine}/history", headers=auth("viewer")).get_json()
    assert events["events"][-1]["action"] == "obligation_received"
