"""The role matrix for every write endpoint: 401 without a valid token, 403 below the role."""

from __future__ import annotations

import pytest
from licence_support import KONO, geojson, rect

from cadastre.domain.lifecycle import TRANSITIONS

LADDER = [None, "viewer", "officer", "supervisor", "admin"]
RANK = {r: i for i, r in enumerate(LADDER)}
#: Finance stands beside the ladder: it reads like a viewer and decides nothing.
ROLES = [*LADDER, "finance"]


def expected(role, needed):
    if role is None:
        return 401
    if role == "finance" or needed == "finance":
        return None if role == needed or needed == "viewer" else 403
    return 403 if RANK[role] < RANK[needed] else None


def check(response, role, needed):
    want = expected(role, needed)
    if want is None:
        assert response.status_code not in (401, 403), (role, response.get_json())
    else:
        assert response.status_code == want, (role, response.get_json())
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("role", ROLES)
def test_holder_writes(client, auth, company, role):
    r = client.post("/api/holders", json={"name": "A", "kind": "company"}, headers=auth(role))
    check(r, role, "officer")
    r = client.patch(f"/api/holders/{company}", json={"phone": "1"}, headers=auth(role))
    check(r, role, "officer")


@pytest.mark.parametrize("role", ROLES)
def test_application(client, auth, company, role):
    body = {
        "licence_type": "small_scale",
        "holder_id": company,
        "commodities": ["gold"],
        "geometry": geojson(rect(*KONO, 500)),
    }
    check(client.post("/api/licences", json=body, headers=auth(role)), role, "officer")


def _licence_at(client, auth, company, action, session, profile):
    """A licence in a status from which ``action`` is allowed (granted inside its renewal
    window, with a notice whose remedy period ran out, so every action is lawful)."""
    from licence_support import grant_near_expiry, lapsed_notice, walk_api

    body = {
        "licence_type": "exploration",
        "holder_id": company,
        "commodities": ["gold"],
        "geometry": geojson(rect(*KONO, 1000)),
    }
    lic = client.post("/api/licences", json=body, headers=auth("admin")).get_json()
    sources = TRANSITIONS[action].sources
    if sources == ("approved",):  # approved and paid: at the stage that grants it
        walk_api(client, auth, lic["id"], before="grant")
    elif "application" in sources:  # at the decision stage, where a decision may be taken
        walk_api(client, auth, lic["id"], before="decision")
    else:
        grant_near_expiry(session, profile, lic["id"])
        lapsed_notice(session, profile, lic["id"])
        session.commit()
        if "granted" not in sources:
            client.post(f"/api/licences/{lic['id']}/suspend", headers=auth("admin"))
    return lic["id"]


ACTIONS = [a for a, t in TRANSITIONS.items() if t.role != "system"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_actions(client, auth, company, empty_register, profile, action, role):
    from licence_support import make_holder

    licence_id = _licence_at(client, auth, company, action, empty_register, profile)
    body = {"reason": "Incomplete file"} if TRANSITIONS[action].needs_reason else {}
    if action == "transfer":
        body["holder_id"] = make_holder(empty_register, "company", "Buyer Ltd")
        empty_register.commit()
    r = client.post(f"/api/licences/{licence_id}/{action}", json=body or None, headers=auth(role))
    check(r, role, TRANSITIONS[action].role)
    if expected(role, TRANSITIONS[action].role) is None:
        assert r.status_code == 200, r.get_json()
    else:
        history = client.get(f"/api/licences/{licence_id}/history").get_json()["events"]
        assert history[-1]["action"] != action  # nothing changed


def test_invalid_or_malformed_tokens_are_401(client, company):
    for header in ("Bearer nonsense", "Basic dXNlcjpwdw==", "Bearer ", "Token abc"):
        r = client.post(
            "/api/holders", json={"name": "A", "kind": "company"}, headers={"Authorization": header}
        )
        assert r.status_code == 401, header


def test_expire_is_for_the_system_alone(client, auth, company, empty_register, profile):
    licence_id = _licence_at(client, auth, company, "expire", empty_register, profile)
    assert client.post(f"/api/licences/{licence_id}/expire").status_code == 401
    assert (
        client.post(f"/api/licences/{licence_id}/expire", headers=auth("admin")).status_code == 403
    )
