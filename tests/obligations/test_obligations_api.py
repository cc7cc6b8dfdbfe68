"""Obligations over the API: the list (overdue flagged), a receipt with its document, a waiver
with its reason, a show-cause notice for an overdue one; every bad input a 4xx."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from licence_support import upload_document

from cadastre.services.obligations import run_obligations
from tests.obligations.support import granted_on

TODAY = datetime.now(UTC).date()


@pytest.fixture
def mine(empty_register, profile, auth):
    """A large-scale licence granted 400 days ago, its obligations generated up to today."""
    session = empty_register
    auth("viewer")  # users first, then the licence: all in the test's transaction
    lic = granted_on(session, profile, "large_scale", datetime.now(UTC) - timedelta(days=400))
    run_obligations(session, profile, TODAY)
    session.commit()
    return lic.id


def listed(client, auth, licence_id, role="viewer"):
    r = client.get(f"/api/licences/{licence_id}/obligations", headers=auth(role))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def first(body, kind, *, overdue=True):
    return next(o for o in body["obligations"] if o["kind"] == kind and o["overdue"] is overdue)


def post(client, auth, licence_id, oid, what, body=None, role="supervisor", **kw):
    return client.post(f"/api/licences/{licence_id}/obligations/{oid}/{what}", json=body,
                       headers=auth(role), **kw)  # fmt: skip


def history(client, auth, licence_id):
    r = client.get(f"/api/licences/{licence_id}/history", headers=auth("viewer"))
    return r.get_json()["events"]


def test_the_list_flags_what_is_overdue(client, auth, mine):
    body = listed(client, auth, mine)
    assert body["as_of"] == TODAY.isoformat()
    items = body["obligations"]
    assert [o["due_on"] for o in items] == sorted(o["due_on"] for o in items)
    for o in items:
        assert o["overdue"] == (o["status"] == "open" and o["due_on"] < TODAY.isoformat())
        assert o["days_overdue"] == ((TODAY - date.fromisoformat(o["due_on"])).days
                                     if o["overdue"] else 0)  # fmt: skip
    assert body["overdue"] == sum(o["overdue"] for o in items) > 0
    assert any(not o["overdue"] for o in items)  # the quarter under way is not due yet
    env = next(o for o in items if o["kind"] == "environmental_licence")
    assert env["document_kind"] == "environmental_licence" and env["period_start"] is None
    assert client.get(f"/api/licences/{mine}/obligations").status_code == 401
    assert client.get("/api/licences/99999999/obligations", headers=auth("viewer")).status_code \
        == 404  # fmt: skip


def test_receipt_takes_a_document_of_its_kind_on_the_licence_file(client, auth, mine, profile,
                                                                   empty_register):  # fmt: skip
    before = listed(client, auth, mine)
    ob = first(before, "production_return")
    wrong = upload_document(client, auth, mine, "annual_report").get_json()["id"]
    right = upload_document(client, auth, mine, "production_return").get_json()["id"]
    other = granted_on(empty_register, profile, "small_scale",
                       datetime.now(UTC) - timedelta(days=30), slot=3)  # fmt: skip
    empty_register.commit()
    elsewhere = upload_document(client, auth, other.id, "production_return").get_json()["id"]
    for body, words in [
        ({}, "is required"),
        ({"document_id": None}, "whole number"),
        ({"document_id": str(right)}, "whole number"),
        ({"document_id": 12.0}, "whole number"),
        ({"document_id": True}, "whole number"),
        ({"document_id": wrong}, "is a annual report"),
        ({"document_id": elsewhere}, f"has no document {elsewhere}"),
        ({"document_id": 2**31}, "has no document"),
        ({"document_id": -1}, "has no document"),
        ({"document_id": right, "note": "x"}, "not a field"),
    ]:
        r = post(client, auth, mine, ob["id"], "receive", body, role="officer")
        assert r.status_code == 422, (body, r.get_json())
        problem = r.get_json()
        assert problem["errors"][0]["field"] in ("document_id", "note"), problem
        assert words in (problem["detail"] + problem["errors"][0]["message"]), (body, problem)
    assert post(client, auth, mine, ob["id"], "receive", {"document_id": right},
                role="viewer").status_code == 403  # fmt: skip
    r = post(client, auth, mine, ob["id"], "receive", {"document_id": right}, role="officer")
    assert r.status_code == 200, r.get_json()
    got = r.get_json()
    assert got["status"] == "received" and got["document_id"] == right
    assert got["overdue"] is False and got["resolved_by"] == "test-officer"
    again = post(client, auth, mine, ob["id"], "receive", {"document_id": right}, role="officer")
    assert again.status_code == 409 and again.get_json()["status"] == "received"
    event = history(client, auth, mine)[-1]
    assert event["action"] == "obligation_received"
    assert ob["label"] in event["reason"] and f"document {right}" in event["reason"]
    assert listed(client, auth, mine)["overdue"] == before["overdue"] - 1


def test_a_superseded_document_does_not_satisfy(client, auth, mine):
    import io

    from cadastre.services.procedure_walk import placeholder_pdf

    ob = first(listed(client, auth, mine), "annual_report")
    old = upload_document(client, auth, mine, "annual_report").get_json()["id"]
    data = {"kind": "annual_report", "title": "Annual report (corrected)", "supersedes": str(old),
            "file": (io.BytesIO(placeholder_pdf("corrected")), "report.pdf")}  # fmt: skip
    new = client.post(f"/api/licences/{mine}/documents", data=data, headers=auth("officer"),
                      content_type="multipart/form-data").get_json()["id"]  # fmt: skip
    r = post(client, auth, mine, ob["id"], "receive", {"document_id": old}, role="officer")
    assert r.status_code == 422 and f"superseded by document {new}" in r.get_json()["detail"]
    r = post(client, auth, mine, ob["id"], "receive", {"document_id": new}, role="officer")
    assert r.status_code == 200


def test_a_waiver_needs_a_supervisor_and_a_reason(client, auth, mine):
    ob = first(listed(client, auth, mine), "community_development_agreement")
    assert post(client, auth, mine, ob["id"], "waive", {"reason": "x"},
                role="officer").status_code == 403  # fmt: skip
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": None}, {"reason": 5},
                 {"reason": "x" * 2001}):  # fmt: skip
        r = post(client, auth, mine, ob["id"], "waive", body)
        assert r.status_code == 422, (body, r.get_json())
        assert r.get_json()["errors"][0]["field"] == "reason"
    reason = "The community agreement is covered by the 2019 agreement on file with the NMA."
    r = post(client, auth, mine, ob["id"], "waive", {"reason": reason})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "waived" and r.get_json()["waiver_reason"] == reason
    assert post(client, auth, mine, ob["id"], "waive", {"reason": reason}).status_code == 409
    event = history(client, auth, mine)[-1]
    assert event["action"] == "obligation_waived" and reason in event["reason"]


def test_show_cause_for_an_overdue_obligation_only(client, auth, mine):
    body = listed(client, auth, mine)
    pending = first(body, "production_return", overdue=False)
    r = post(client, auth, mine, pending["id"], "show-cause")
    assert r.status_code == 409 and "only once it is overdue" in r.get_json()["detail"]
    ob = first(body, "environmental_licence")
    assert post(client, auth, mine, ob["id"], "show-cause", role="officer").status_code == 403
    r = post(client, auth, mine, ob["id"], "show-cause")
    assert r.status_code == 201, r.get_json()
    notice = r.get_json()["notice"]
    assert ob["label"] in notice["breach"] and ob["due_on"] in notice["breach"]
    assert f"{ob['days_overdue']} days overdue" in notice["breach"]
    assert r.get_json()["obligation"]["notice_id"] == notice["id"]
    notices = client.get(f"/api/licences/{mine}/notices", headers=auth("viewer")).get_json()
    assert [n["id"] for n in notices["notices"]] == [notice["id"]]
    event = history(client, auth, mine)[-1]
    assert event["action"] == "notice" and ob["label"] in event["reason"]
    twice = post(client, auth, mine, ob["id"], "show-cause")
    assert twice.status_code == 409 and twice.get_json()["notice_id"] == notice["id"]
    # once that notice is remedied, another may follow if the obligation is still open
    done = client.post(f"/api/licences/{mine}/notices/{notice['id']}/remedied",
                       headers=auth("supervisor"))  # fmt: skip
    assert done.status_code == 200
    assert post(client, auth, mine, ob["id"], "show-cause").status_code == 201
    waived = post(client, auth, mine, ob["id"], "waive", {"reason": "EPA licence seen."})
    assert waived.status_code == 200
    closed = post(client, auth, mine, ob["id"], "show-cause")
    assert closed.status_code == 409 and closed.get_json()["status"] == "waived"


def test_unknown_ids_and_odd_bodies_are_4xx(client, auth, mine):
    ob = first(listed(client, auth, mine), "production_return")
    for oid in (0, 99999999, 2**40):
        for what, role, body in (("receive", "officer", {"document_id": 1}),
                                 ("waive", "supervisor", {"reason": "x"}),
                                 ("show-cause", "supervisor", None)):  # fmt: skip
            r = post(client, auth, mine, oid, what, body, role=role)
            assert r.status_code == 404, (oid, what, r.get_json())
    r = post(client, auth, 99999999, ob["id"], "waive", {"reason": "x"})
    assert r.status_code == 404
    r = client.post(f"/api/licences/{mine}/obligations/{ob['id']}/waive", data="reason=x",
                    headers={**auth("supervisor"), "Content-Type": "text/plain"})  # fmt: skip
    assert r.status_code == 415
    r = client.post(f"/api/licences/{mine}/obligations/{ob['id']}/waive", data="{",
                    headers={**auth("supervisor"), "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 400
    r = post(client, auth, mine, ob["id"], "show-cause", {"cause": 3})
    assert r.status_code == 422
    r = post(client, auth, mine, ob["id"], "waive", ["reason"])
    assert r.status_code == 422
    assert listed(client, auth, mine)["open"] == len(listed(client, auth, mine)["obligations"])
