"""The artisanal licence's eight steps over the API: each by its role, in order, with its
documents and payments; every refusal says what is missing and stores nothing; a refusal only
from the file check on, a withdrawal at any step."""

from __future__ import annotations

import pytest
from licence_support import make_holder

from tests.procedure.flow import apply, pay, stage, state, upload, view

EIGHT = ["plot_allocation", "survey", "surface_rent_agreement", "file_check", "verification",
         "approval", "order_to_pay", "finalisation"]  # fmt: skip
#: What each step needs put on file first, and who completes it.
SUPPLY = {
    "survey": ["survey_sheet"],
    "surface_rent_agreement": ["surface_rent_agreement"],
    "verification": ["environmental_management_plan", "pay"],
    "finalisation": ["pay"],
}


@pytest.fixture
def miner(empty_register) -> int:
    holder_id = make_holder(empty_register, "individual", "Kadiatu Conteh")
    empty_register.commit()
    return holder_id


def walk_to(client, auth, lid, until):
    """Complete the steps before ``until`` over the API, supplying what each needs."""
    for name in EIGHT[: EIGHT.index(until)]:
        for need in SUPPLY.get(name, []):
            pay(client, auth, lid) if need == "pay" else upload(client, auth, lid, need)
        role = "supervisor" if name == "approval" else "officer"
        r = stage(client, auth, lid, name, role)
        assert r.status_code == 200, (name, r.get_json())


def unchanged(client, auth, session, lid, request):
    """``request()`` is refused (4xx) and leaves the file exactly as it was; its body."""
    before = state(client, auth, session, lid)
    r = request()
    assert 400 <= r.status_code < 500, r.get_json()
    assert state(client, auth, session, lid) == before
    return r


def test_eight_steps_each_by_its_role(client, auth, miner, empty_register):
    lid = apply(client, auth, miner, "artisanal")
    proc = view(client, auth, lid)
    assert [s["name"] for s in proc["stages"]] == EIGHT
    assert proc["current_stage"] == "plot_allocation"
    assert proc["clock"]["due"] and proc["clock"]["days"] == 90
    assert stage(client, auth, lid, "plot_allocation", "officer").status_code == 200
    # survey without its sheet: 409 naming it, nothing stored
    r = unchanged(client, auth, empty_register, lid,
                  lambda: stage(client, auth, lid, "survey", "officer"))  # fmt: skip
    assert r.status_code == 409 and "survey_sheet" in r.get_json()["detail"]
    upload(client, auth, lid, "survey_sheet")
    assert stage(client, auth, lid, "survey", "officer").status_code == 200
    upload(client, auth, lid, "surface_rent_agreement")
    assert stage(client, auth, lid, "surface_rent_agreement", "officer").status_code == 200
    # Finance completes no artisanal step
    r = unchanged(client, auth, empty_register, lid,
                  lambda: stage(client, auth, lid, "file_check", "finance"))  # fmt: skip
    assert r.status_code == 403 and "'officer' or higher" in r.get_json()["detail"]
    assert stage(client, auth, lid, "file_check", "officer").status_code == 200
    upload(client, auth, lid, "environmental_management_plan")
    r = unchanged(client, auth, empty_register, lid,
                  lambda: stage(client, auth, lid, "verification", "officer"))  # fmt: skip
    assert r.status_code == 409 and "application fee" in r.get_json()["detail"]
    pay(client, auth, lid)
    assert stage(client, auth, lid, "verification", "officer").status_code == 200
    # the Regional Manager's approval: an officer may not
    r = unchanged(client, auth, empty_register, lid,
                  lambda: stage(client, auth, lid, "approval", "officer"))  # fmt: skip
    assert r.status_code == 403 and "Regional Manager" in r.get_json()["detail"]
    r = stage(client, auth, lid, "approval", "supervisor")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "approved"
    assert r.get_json()["procedure"]["clock"]["decided"] is True
    assert stage(client, auth, lid, "order_to_pay", "officer").status_code == 200
    r = unchanged(client, auth, empty_register, lid,
                  lambda: stage(client, auth, lid, "finalisation", "officer"))  # fmt: skip
    assert r.status_code == 409 and "annual charge" in r.get_json()["detail"]
    pay(client, auth, lid)
    r = stage(client, auth, lid, "finalisation", "officer")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "granted"
    proc = view(client, auth, lid)
    assert all(s["status"] == "complete" for s in proc["stages"])
    assert {s["completed_by"] for s in proc["stages"]} == {"test-officer", "test-supervisor"}


def test_out_of_order_and_direct_grant_refused(client, auth, miner, empty_register):
    lid = apply(client, auth, miner, "artisanal")
    r = unchanged(client, auth, empty_register, lid,
                  lambda: stage(client, auth, lid, "survey", "officer"))  # fmt: skip
    assert r.status_code == 409 and "plot_allocation" in r.get_json()["detail"]
    r = unchanged(
        client,
        auth,
        empty_register,
        lid,
        lambda: client.post(f"/api/licences/{lid}/grant", headers=auth("supervisor")),
    )
    assert r.status_code == 409 and r.get_json()["current_stage"] == "plot_allocation"
    r = unchanged(
        client,
        auth,
        empty_register,
        lid,
        lambda: client.post(
            f"/api/licences/{lid}/refuse", json={"reason": "no"}, headers=auth("supervisor")
        ),
    )
    assert r.status_code == 409 and "file_check" in r.get_json()["detail"]  # fmt: skip
    proc = view(client, auth, lid)
    assert proc["current_stage"] == "plot_allocation"
    assert not any(s["status"] == "complete" for s in proc["stages"])


@pytest.mark.parametrize("at", EIGHT)
def test_a_refusal_from_the_file_check_on(client, auth, miner, empty_register, at):
    lid = apply(client, auth, miner, "artisanal")
    walk_to(client, auth, lid, at)

    def refuse():
        body = {"reason": "Plot under dispute."}
        return client.post(f"/api/licences/{lid}/refuse", json=body, headers=auth("supervisor"))

    if EIGHT.index(at) < EIGHT.index("file_check"):
        r = unchanged(client, auth, empty_register, lid, refuse)
        assert r.status_code == 409 and f"stage '{at}'" in r.get_json()["detail"]
        assert r.get_json()["refusal_stages"] == EIGHT[3:]
        return
    r = refuse()
    assert r.status_code == 200 and r.get_json()["status"] == "refused"
    assert r.get_json()["refusal_reason"] == "Plot under dispute."


@pytest.mark.parametrize("at", EIGHT)
def test_a_withdrawal_at_any_step(client, auth, miner, at):
    lid = apply(client, auth, miner, "artisanal")
    walk_to(client, auth, lid, at)
    r = client.post(f"/api/licences/{lid}/withdraw", headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    assert view(client, auth, lid)["current_stage"] is None
    r = stage(client, auth, lid, at, "supervisor")
    assert r.status_code == 409 and "not waiting at any stage" in r.get_json()["detail"]
