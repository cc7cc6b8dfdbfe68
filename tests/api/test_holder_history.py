"""Holder changes are history: a holder event per change, a version, and identity changes of
a holder of live licences reserved to supervisors with a reason (issue 14)."""

from __future__ import annotations

import pytest
from licence_support import KONO, grant_settled, lapsed_notice, make_holder, square_ha

from cadastre.services.licences import perform_action, register_application

PROBLEM = "application/problem+json"


@pytest.fixture
def holder_with(empty_register, profile):
    """``holder_with(status)``: a company holding one exploration licence in that status."""

    def make(status: str | None) -> tuple[int, str | None]:
        holder_id = make_holder(empty_register, "company", "Yengema Exploration Ltd")
        if status is None:
            return holder_id, None
        licence = register_application(
            empty_register,
            profile,
            holder_id=holder_id,
            licence_type="exploration",
            commodities=["diamond"],
            geometry=square_ha(*KONO, 500),
            actor="test",
        )
        for action in {
            "application": [],
            "granted": ["grant"],
            "suspended": ["grant", "suspend"],
            "withdrawn": ["withdraw"],
        }[status]:
            if action == "grant":  # its procedure walked
                grant_settled(empty_register, profile, licence.id, actor="t")
                continue
            if action == "suspend":  # on a notice whose remedy period ran out
                lapsed_notice(empty_register, profile, licence.id)
            perform_action(empty_register, profile, licence.id, action, actor="t", reason="r")
        empty_register.commit()
        return holder_id, licence.code

    return make


@pytest.mark.parametrize("status", ["granted", "suspended", "application"])
def test_an_officer_cannot_rename_a_holder_of_live_licences(client, auth, holder_with, status):
    holder_id, code = holder_with(status)
    url = f"/api/holders/{holder_id}"
    for change in ({"name": "Someone Else Ltd"}, {"registration_number": "SL-CR-9999"}):
        r = client.patch(url, json={**change, "reason": "asked"}, headers=auth("officer"))
        assert r.status_code == 403 and r.mimetype == PROBLEM, r.get_json()
        assert "supervisor" in r.get_json()["detail"] and code in r.get_json()["detail"]
    body = client.get(url).get_json()
    assert body["name"] == "Yengema Exploration Ltd" and body["version"] == 1
    assert client.get(f"{url}/history").get_json()["events"] == []


def test_a_supervisor_renames_with_a_reason_and_it_is_on_the_record(client, auth, holder_with):
    holder_id, _code = holder_with("granted")
    url = f"/api/holders/{holder_id}"
    r = client.patch(url, json={"name": "Yengema Mining Ltd"}, headers=auth("supervisor"))
    assert r.status_code == 422 and r.mimetype == PROBLEM
    assert [e["field"] for e in r.get_json()["errors"]] == ["reason"]
    etag = client.get(url).headers["ETag"]
    r = client.patch(
        url,
        json={"name": "Yengema Mining Ltd", "reason": "Change of name, certificate CR-77"},
        headers={**auth("supervisor"), "If-Match": etag},
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["name"] == "Yengema Mining Ltd" and r.get_json()["version"] == 2
    assert r.headers["ETag"] != etag
    # the old ETag is stale now
    r = client.patch(url, json={"phone": "+232 1"}, headers={**auth("officer"), "If-Match": etag})
    assert r.status_code == 412 and r.mimetype == PROBLEM
    for odd in (f'"holder-{holder_id}-v²"', f'"holder-{holder_id}-v{"9" * 5000}"'):
        headers = {**auth("officer"), "If-Match": odd}
        r = client.patch(url, json={"phone": "+232 1"}, headers=headers)
        assert r.status_code == 412 and r.mimetype == PROBLEM, odd
    events = client.get(f"{url}/history", headers=auth("viewer")).get_json()["events"]
    assert len(events) == 1
    (event,) = events
    assert event["action"] == "change" and event["actor"] == "test-supervisor"
    assert event["reason"] == "Change of name, certificate CR-77" and event["at"]
    assert event["before"]["name"] == "Yengema Exploration Ltd"
    assert event["after"]["name"] == "Yengema Mining Ltd" and event["after"]["version"] == 2


def test_other_changes_stay_with_officers_and_are_recorded(client, auth, holder_with):
    holder_id, _code = holder_with("granted")
    url = f"/api/holders/{holder_id}"
    r = client.patch(url, json={"phone": "+232 76 123456"}, headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["version"] == 2
    # nothing changed: no event, no new version
    r = client.patch(url, json={"phone": "+232 76 123456"}, headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["version"] == 2
    public = client.get(f"{url}/history").get_json()["events"]
    assert len(public) == 1 and public[0]["actor"] is None
    assert "phone" not in public[0]["after"] and public[0]["after"]["name"]
    # contact details are personal data: a viewer sees the change happened, an officer what
    viewer = client.get(f"{url}/history", headers=auth("viewer")).get_json()["events"]
    assert viewer[0]["actor"] and "phone" not in viewer[0]["after"]
    private = client.get(f"{url}/history", headers=auth("officer")).get_json()["events"]
    assert (
        private[0]["after"]["phone"] == "+232 76 123456" and private[0]["before"]["phone"] is None
    )


@pytest.mark.parametrize("status", [None, "withdrawn"])
def test_an_officer_may_rename_a_holder_without_live_licences(client, auth, holder_with, status):
    holder_id, _code = holder_with(status)
    url = f"/api/holders/{holder_id}"
    r = client.patch(url, json={"name": "Yengema Explorations Ltd"}, headers=auth("officer"))
    assert r.status_code == 200 and r.get_json()["name"] == "Yengema Explorations Ltd"
    events = client.get(f"{url}/history", headers=auth("viewer")).get_json()["events"]
    assert [e["actor"] for e in events] == ["test-officer"]


def test_unknown_holder_history_is_404(client):
    r = client.get("/api/holders/999999/history")
    assert r.status_code == 404 and r.mimetype == PROBLEM
