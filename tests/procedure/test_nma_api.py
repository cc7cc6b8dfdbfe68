"""The NMA's six stages over the API (exploration): each by its role, in order, with what it
requires; the decision approves and raises the first annual charge, only Finance confirms the
fee and only once it is paid, the issue grants. A refusal of any kind stores nothing."""

from __future__ import annotations

import pytest

from tests.procedure.flow import (
    NMA_STAGES,
    apply,
    charges,
    licence,
    pay,
    stage,
    state,
    stored,
    upload,
    view,
    walk_to,
)


def refused(client, auth, session, lid, name, role, status, *words, **body):
    """POST the stage, expect ``status`` with each of ``words`` in the detail, and nothing
    changed: the procedure view, the licence's version and status, its stage rows and events."""
    before = state(client, auth, session, lid)
    r = stage(client, auth, lid, name, role, **body)
    assert r.status_code == status, r.get_json()
    assert r.mimetype == "application/problem+json"
    for word in words:
        assert word in r.get_json()["detail"], r.get_json()["detail"]
    assert state(client, auth, session, lid) == before
    return r.get_json()


def test_six_stages_each_by_its_role(client, auth, company, empty_register):
    session = empty_register
    lid = apply(client, auth, company)
    proc = view(client, auth, lid)
    assert [s["name"] for s in proc["stages"]] == NMA_STAGES
    assert proc["current_stage"] == "lodged" and proc["clock"]["until"] == "decision"
    start = licence(client, auth, lid)
    assert start["stage"] == "lodged" and start["decision_due"] == proc["clock"]["due"]

    # lodged: the application form and the application fee, each named while missing
    body = refused(client, auth, session, lid, "lodged", "officer", 409, "application_form",
                   "application fee")  # fmt: skip
    assert len(body["missing"]) == 2
    upload(client, auth, lid, "application_form")
    body = refused(client, auth, session, lid, "lodged", "officer", 409, "application fee")
    assert "application_form" not in body["detail"]
    pay(client, auth, lid)
    refused(client, auth, session, lid, "lodged", "finance", 403, "'officer' or higher")
    refused(client, auth, session, lid, "lodged", "viewer", 403)
    r = stage(client, auth, lid, "lodged", "officer", note="Form and fee received.")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["version"] == start["version"] + 1
    assert r.headers["ETag"] and r.get_json()["stage"] == "gps_validation"
    lodged = r.get_json()["procedure"]["stages"][0]
    assert lodged["status"] == "complete" and lodged["completed_by"] == "test-officer"
    assert lodged["note"] == "Form and fee received."

    assert stage(client, auth, lid, "gps_validation", "officer").status_code == 200

    # board_recommendation: the supervisor's, with the board's minutes on file
    refused(client, auth, session, lid, "board_recommendation", "officer", 403, "'supervisor'",
            "Secretary to the Minerals Advisory Board")  # fmt: skip
    refused(client, auth, session, lid, "board_recommendation", "supervisor", 409,
            "board_minutes")  # fmt: skip
    upload(client, auth, lid, "board_minutes")
    assert stage(client, auth, lid, "board_recommendation", "supervisor").status_code == 200

    # decision: approves, stops the clock, raises the first annual charge
    assert not [o for o in charges(client, auth, lid)["orders"] if o["kind"] == "annual_charge"]
    refused(client, auth, session, lid, "decision", "officer", 403)
    r = stage(client, auth, lid, "decision", "supervisor")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "approved" and r.get_json()["stage"] == "fee_paid"
    assert r.get_json()["decision_due"] is None
    assert r.get_json()["procedure"]["clock"]["decided"] is True
    annual = [o for o in charges(client, auth, lid)["orders"] if o["kind"] == "annual_charge"]
    assert [(o["year_of_term"], o["status"]) for o in annual] == [(1, "open")]

    # fee_paid: Finance only (not even an admin), and only once paid
    for role in ("officer", "supervisor", "admin"):
        refused(client, auth, session, lid, "fee_paid", role, 403, "'finance'")
    refused(client, auth, session, lid, "fee_paid", "finance", 409, annual[0]["number"])
    pay(client, auth, lid)
    r = stage(client, auth, lid, "fee_paid", "finance")
    assert r.status_code == 200 and r.get_json()["status"] == "approved"

    # issue: the officer's; finalises to granted
    refused(client, auth, session, lid, "issue", "finance", 403)
    r = stage(client, auth, lid, "issue", "officer")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "granted" and r.get_json()["stage"] is None
    proc = view(client, auth, lid)
    assert proc["current_stage"] is None
    assert [s["status"] for s in proc["stages"]] == ["complete"] * 6
    assert {s["name"]: s["completed_by"] for s in proc["stages"]} == {
        "lodged": "test-officer", "gps_validation": "test-officer",
        "board_recommendation": "test-supervisor", "decision": "test-supervisor",
        "fee_paid": "test-finance", "issue": "test-officer",
    }  # fmt: skip
    assert stored(session, lid)[0] == 6
    # over: no stage may be completed again
    refused(client, auth, session, lid, "issue", "officer", 409, "not waiting at any stage")


def test_out_of_order_in_both_directions(client, auth, company, empty_register):
    lid = apply(client, auth, company)
    walk_to(client, auth, lid, "board_recommendation")
    refused(client, auth, empty_register, lid, "decision", "supervisor", 409,
            "cannot be completed before 'board_recommendation'")  # fmt: skip
    refused(client, auth, empty_register, lid, "issue", "officer", 409, "before")
    refused(client, auth, empty_register, lid, "lodged", "officer", 409,
            "'lodged' is already complete")  # fmt: skip
    refused(client, auth, empty_register, lid, "gps_validation", "officer", 409,
            "already complete")  # fmt: skip
    refused(client, auth, empty_register, lid, "survey", "officer", 409,
            "not a stage of the exploration procedure")  # fmt: skip


def test_a_grant_at_the_decision_stage_approves_and_completes_it(client, auth, company):
    lid = apply(client, auth, company)
    walk_to(client, auth, lid, "gps_validation")
    r = client.post(f"/api/licences/{lid}/grant", headers=auth("supervisor"))
    assert r.status_code == 409 and r.get_json()["current_stage"] == "gps_validation"
    walk_to(client, auth, lid, "decision")
    r = client.post(f"/api/licences/{lid}/grant", headers=auth("supervisor"))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "approved" and r.get_json()["stage"] == "fee_paid"
    decision = view(client, auth, lid)["stages"][3]
    assert decision["status"] == "complete" and decision["completed_by"] == "test-supervisor"


def test_a_superseded_document_does_not_count(client, auth, company, empty_register):
    lid = apply(client, auth, company)
    pay(client, auth, lid)
    form = upload(client, auth, lid, "application_form")
    upload(client, auth, lid, "other", supersedes=form)  # the form replaced by something else
    refused(client, auth, empty_register, lid, "lodged", "officer", 409, "application_form")
    assert view(client, auth, lid)["stages"][0]["missing"] == [
        "a current 'application_form' document on file"
    ]
    newer = upload(client, auth, lid, "application_form")
    upload(client, auth, lid, "application_form", supersedes=newer)  # a form replaced by a form
    assert stage(client, auth, lid, "lodged", "officer").status_code == 200


@pytest.mark.parametrize("at", NMA_STAGES)
def test_a_refusal_only_at_the_stages_that_allow_it(client, auth, company, empty_register, at):
    lid = apply(client, auth, company)
    walk_to(client, auth, lid, at)
    allowed = view(client, auth, lid)["stages"][NMA_STAGES.index(at)]["refusal_possible"]
    assert allowed == (at != "issue")
    before = state(client, auth, empty_register, lid)
    r = client.post(f"/api/licences/{lid}/refuse", json={"reason": "Not in the public interest."},
                    headers=auth("supervisor"))  # fmt: skip
    if allowed:
        assert r.status_code == 200, r.get_json()
        assert r.get_json()["status"] == "refused"
        assert view(client, auth, lid)["current_stage"] is None
        return
    assert r.status_code == 409 and f"may not be refused at stage '{at}'" in r.get_json()["detail"]
    assert r.get_json()["refusal_stages"] == NMA_STAGES[:5]
    assert state(client, auth, empty_register, lid) == before


@pytest.mark.parametrize("at", NMA_STAGES)
def test_a_withdrawal_at_any_stage(client, auth, company, empty_register, at):
    lid = apply(client, auth, company)
    walk_to(client, auth, lid, at)
    r = client.post(f"/api/licences/{lid}/withdraw", headers=auth("officer"))
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "withdrawn"
    proc = view(client, auth, lid)
    assert proc["current_stage"] is None and proc["clock"]["overdue"] is False
    refused(client, auth, empty_register, lid, at, "supervisor" if at != "fee_paid" else "finance",
            409, "not waiting at any stage")  # fmt: skip


@pytest.mark.parametrize("licence_type", ["reconnaissance", "small_scale", "large_scale"])
def test_the_other_nma_types_start_lodged_and_wait_for_their_stages(
    client, auth, empty_register, licence_type
):
    from licence_support import make_holder

    kind = "individual" if licence_type == "small_scale" else "company"
    holder = make_holder(empty_register, kind, "Fatmata Kamara")
    empty_register.commit()
    size = {"reconnaissance": 20_000, "small_scale": 300, "large_scale": 3000}[licence_type]
    lid = apply(client, auth, holder, licence_type, size_m=size)
    proc = view(client, auth, lid)
    assert proc["licence_type"] == licence_type and proc["current_stage"] == "lodged"
    assert [s["name"] for s in proc["stages"]] == NMA_STAGES
    r = client.post(f"/api/licences/{lid}/grant", headers=auth("supervisor"))
    assert r.status_code == 409 and r.get_json()["current_stage"] == "lodged"
    walk_to(client, auth, lid, "decision")
    r = stage(client, auth, lid, "decision", "supervisor")
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
