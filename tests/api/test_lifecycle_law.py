"""The law's lifecycle rules over the API: renewal window, notices, conditions at grant."""

from __future__ import annotations

from licence_support import (
    KONO,
    grant_near_expiry,
    grant_paid,
    lapsed_notice,
    make_holder,
    rect,
)

from tests.api.test_licences_api import PROBLEM, act, apply


def _notices(client, auth, licence_id, role="supervisor", **body):
    return client.post(f"/api/licences/{licence_id}/notices", json=body, headers=auth(role))


def test_renewal_outside_the_window_is_refused_with_its_dates(client, auth, company):
    lic = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    granted = grant_paid(client, auth, lic["id"]).get_json()
    assert granted["status"] == "granted"
    r = act(client, auth, lic["id"], "renew")
    assert r.status_code == 409 and r.mimetype == PROBLEM
    body = r.get_json()
    window = body["renewal_window"]
    assert window["closes"] == granted["expires_at"]  # the window closes on the expiry date
    assert f"from {window['opens']} to {window['closes']}" in body["detail"]
    assert client.get(f"/api/licences/{lic['id']}").get_json()["renewals"] == 0


def test_renewal_inside_the_window(client, auth, company, empty_register, profile):
    lic = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    grant_near_expiry(empty_register, profile, lic["id"], days_left=10)
    empty_register.commit()
    r = act(client, auth, lic["id"], "renew", reason="renewal fee paid")
    assert r.status_code == 200 and r.get_json()["renewals"] == 1


def test_suspension_needs_a_notice_whose_remedy_period_ran_out(client, auth, company, profile):
    lic = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    granted = grant_paid(client, auth, lic["id"])
    assert granted.get_json()["status"] == "granted"
    version = int(granted.headers["ETag"].strip('"').split("-v")[1])
    r = act(client, auth, lic["id"], "suspend", reason="report overdue")
    assert r.status_code == 409 and "without notice" in r.get_json()["detail"]
    r = _notices(client, auth, lic["id"], breach="Annual report for 2026 not filed.")
    assert r.status_code == 201
    notice = r.get_json()
    assert r.headers["Location"].endswith(f"/api/licences/{lic['id']}/notices/{notice['id']}")
    assert r.headers["ETag"] == f'"{lic["id"]}-v{version + 1}"'  # the grant, then the notice
    assert notice["remedy_days"] == profile.notices.remedy_days
    assert notice["remedy_source"] == profile.notices.source
    assert notice["cause"] == profile.notices.default_cause and notice["remedied"] is False
    for action in ("suspend", "revoke"):
        r = act(client, auth, lic["id"], action)
        assert r.status_code == 409
        assert f"until {notice['remedy_by']}" in r.get_json()["detail"]
        assert r.get_json()["possible_from"] > notice["remedy_by"]
    listed = client.get(f"/api/licences/{lic['id']}/notices", headers=auth("viewer")).get_json()
    assert [n["id"] for n in listed["notices"]] == [notice["id"]]
    one = client.get(f"/api/licences/{lic['id']}/notices/{notice['id']}", headers=auth("viewer"))
    assert one.get_json()["breach"] == "Annual report for 2026 not filed."
    history = client.get(f"/api/licences/{lic['id']}/history", headers=auth("viewer")).get_json()
    actions = [e["action"] for e in history["events"]]
    assert actions[0] == "apply" and actions[-2:] == ["finalise", "notice"]


def test_a_lapsed_notice_allows_suspension_and_a_remedied_one_does_not(
    client, auth, company, empty_register, profile
):
    lic = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    assert grant_paid(client, auth, lic["id"]).get_json()["status"] == "granted"
    first = lapsed_notice(empty_register, profile, lic["id"])
    empty_register.commit()
    url = f"/api/licences/{lic['id']}/notices/{first.id}/remedied"
    r = client.post(url, json={"note": "Report filed late."}, headers=auth("supervisor"))
    assert r.status_code == 200 and r.get_json()["remedied"] is True
    assert client.post(url, headers=auth("supervisor")).status_code == 409
    r = act(client, auth, lic["id"], "suspend")
    assert r.status_code == 409 and "remedied" in r.get_json()["detail"]
    lapsed_notice(empty_register, profile, lic["id"], breach="Mining beyond the licence area.")
    empty_register.commit()
    r = act(client, auth, lic["id"], "suspend")
    assert r.status_code == 200 and r.get_json()["status"] == "suspended"
    events = client.get(f"/api/licences/{lic['id']}/history", headers=auth("viewer")).get_json()
    assert events["events"][-1]["reason"].endswith("Mining beyond the licence area.")


def test_notices_roles_and_input(client, auth, company):
    lic = apply(client, auth, company, rect(*KONO, 2000)).get_json()
    assert _notices(client, auth, lic["id"], breach="x").status_code == 409  # an application
    assert grant_paid(client, auth, lic["id"]).get_json()["status"] == "granted"
    assert _notices(client, auth, lic["id"], role="officer", breach="x").status_code == 403
    assert _notices(client, auth, lic["id"], role=None, breach="x").status_code == 401
    assert client.get(f"/api/licences/{lic['id']}/notices").status_code == 401
    r = _notices(client, auth, lic["id"])
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "breach"
    r = _notices(client, auth, lic["id"], breach="x", remedy_days=5)
    assert r.status_code == 422  # the remedy period is the profile's, not the caller's
    assert _notices(client, auth, 999999, breach="x").status_code == 404
    r = client.get(f"/api/licences/{lic['id']}/notices/999999", headers=auth("viewer"))
    assert r.status_code == 404


def test_the_grant_records_depth_and_mechanisation(client, auth, empty_register):
    person = make_holder(empty_register, "individual", "Sahr Komba")
    coop = make_holder(empty_register, "cooperative", "Tankoro Miners Cooperative")
    empty_register.commit()
    small = apply(client, auth, coop, rect(*KONO, 800), "small_scale", commodities=["gold"])
    plot = apply(client, auth, person, rect(-10.90, 8.60, 80), "artisanal")
    assert plot.get_json()["conditions"] == {"max_depth_m": None, "mechanised": None}
    artisanal = grant_paid(client, auth, plot.get_json()["id"]).get_json()
    assert artisanal["conditions"] == {"max_depth_m": 10, "mechanised": False}
    small_scale = grant_paid(client, auth, small.get_json()["id"]).get_json()
    assert small_scale["conditions"] == {"max_depth_m": 20, "mechanised": True}


def test_ogc_items_carry_the_grant_conditions(client, auth, empty_register):
    person = make_holder(empty_register, "individual", "Musu Sandi")
    empty_register.commit()
    plot = apply(client, auth, person, rect(-10.90, 8.60, 80), "artisanal").get_json()
    url = f"/collections/licences/items/{plot['id']}"
    props = client.get(url, headers={"Accept": "application/geo+json"}).get_json()["properties"]
    assert props["max_depth_m"] is None and props["mechanised"] is None
    grant_paid(client, auth, plot["id"])
    props = client.get(url, headers={"Accept": "application/geo+json"}).get_json()["properties"]
    assert (props["max_depth_m"], props["mechanised"]) == (10, "no")
    found = client.get(
        "/collections/licences/items?mechanised=no", headers={"Accept": "application/geo+json"}
    ).get_json()
    assert [str(f["id"]) for f in found["features"]] == [str(plot["id"])]
