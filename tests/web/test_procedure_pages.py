"""The procedure on the officer pages through Flask's test client: the licence page's
Procedure section and its stage form (offered only to a role that may complete the stage;
every refusal shown beside the form, nothing changed), the decision buttons the procedure
leaves, the queues page (tabs, paging, district) and the dashboard's counts."""

from __future__ import annotations

import re

import pytest
from licence_support import make_holder
from shapely.geometry import box
from sqlalchemy import func, select

from cadastre.models import Licence, LicenceStage
from cadastre.officer import procedure_views
from cadastre.services.licences import register_application
from tests.page_support import login, token


def _stages(session, licence_id: int) -> list[str]:
    session.expire_all()
    return list(
        session.scalars(
            select(LicenceStage.stage)
            .where(LicenceStage.licence_id == licence_id)
            .order_by(LicenceStage.position)
        )
    )


def _post_stage(client, licence_id: int, stage: str, **data):
    html = client.get(f"/licences/{licence_id}").get_data(as_text=True)
    form = {"stage-csrf_token": token(html), "stage-note": "", **data}
    return client.post(f"/licences/{licence_id}/stages/{stage}", data=form)


def _beside_the_form(html: str, stage: str) -> str:
    """The current stage's block of the Procedure section (where its errors are shown)."""
    block = rf'<li class="stage stage-current" id="stage-{stage}".*?(?=<li class="stage |</ol>)'
    match = re.search(block, html, re.S)
    assert match, f"stage {stage} is not the current one"
    return match.group(0)


@pytest.mark.parametrize(
    ("role", "offered"),
    [("viewer", False), ("finance", False), ("officer", True), ("supervisor", True)],
)
def test_the_stage_form_is_offered_to_a_role_that_may_complete_the_stage(
    client, register, role, offered
):
    login(client, role)
    html = client.get(f"/licences/{register['licence']}").get_data(as_text=True)
    assert 'id="procedure"' in html and 'data-status="current"' in html
    block = _beside_the_form(html, "lodged")
    assert "Still missing" in block and "application_form" in block
    assert ('id="stage-form"' in block) is offered
    assert ('id="stage-not-yours"' in block) is not offered
    # no button takes a decision the procedure has not reached
    assert "Confirm grant" not in html and "Confirm approve" not in html


def test_refusals_are_shown_beside_the_form_and_change_nothing(app, client, register, session):
    lid = register["licence"]
    version = session.get(Licence, lid).version
    viewer = app.test_client()
    login(viewer, "viewer")
    r = _post_stage(viewer, lid, "lodged")
    assert r.status_code == 403
    assert "may not complete the stage" in _beside_the_form(r.get_data(as_text=True), "lodged")
    login(client, "officer")
    r = _post_stage(client, lid, "gps_validation")
    assert r.status_code == 409
    said = _beside_the_form(r.get_data(as_text=True), "lodged")
    assert "cannot be completed before" in said
    r = _post_stage(client, lid, "lodged", **{"stage-note": "Lodged at the counter"})
    assert r.status_code == 409
    said = _beside_the_form(r.get_data(as_text=True), "lodged")
    assert "application_form" in said and "application fee" in said
    assert "Lodged at the counter" in said  # the note typed is kept
    r = _post_stage(client, lid, "lodged", **{"stage-version": str(version + 5)})
    assert r.status_code == 412 and "has changed since you read it" in r.get_data(as_text=True)
    r = _post_stage(client, lid, "no_such_stage")
    assert r.status_code == 409 and "is not a stage" in r.get_data(as_text=True)
    r = client.post(f"/licences/{lid}/stages/lodged", data={"stage-note": "no token"})
    assert r.status_code == 400  # no CSRF token
    assert _stages(session, lid) == [] and session.get(Licence, lid).version == version
    assert session.get(Licence, lid).stage == "lodged"


def test_a_stage_completed_through_the_form_moves_the_file_on(client, register, session, walked):
    lid = register["licence"]
    walked(lid, until="lodged")
    session.commit()
    login(client, "officer")
    r = _post_stage(client, lid, "gps_validation", **{"stage-note": "Pillars found in place"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/licences/{lid}#procedure")
    html = client.get(f"/licences/{lid}").get_data(as_text=True)
    assert "stage 2 of 6 complete" in html and "now waits at stage 3 of 6" in html
    done = re.search(r'id="stage-gps_validation".*?(?=<li class="stage )', html, re.S).group(0)
    assert 'data-status="complete"' in done and "t_officer" in done
    assert "Pillars found in place" in done
    assert _stages(session, lid) == ["lodged", "gps_validation"]
    assert session.get(Licence, lid).stage == "board_recommendation"
    # the Board's recommendation is a supervisor's: the officer is no longer offered a form
    block = _beside_the_form(html, "board_recommendation")
    assert 'id="stage-form"' not in block and "supervisor" in block


def test_a_refusal_only_where_the_stage_allows_one(client, register, session, profile, walked):
    holder = make_holder(session, "cooperative", "Sewa Diggers")
    lic = register_application(
        session, profile, holder_id=holder, licence_type="artisanal", commodities=["gold"],
        geometry=box(-10.70, 8.30, -10.6995, 8.3005), district="Tonkolili", actor="seed",
    )  # fmt: skip
    session.commit()
    login(client, "supervisor")
    html = client.get(f"/licences/{lic.id}").get_data(as_text=True)
    # plot allocation: no refusal there; withdrawal always
    assert "Confirm refuse" not in html and "Confirm withdraw" in html
    walked(lic.id, until="surface_rent_agreement")
    session.commit()
    html = client.get(f"/licences/{lic.id}").get_data(as_text=True)
    assert _beside_the_form(html, "file_check")
    assert "Confirm refuse" in html and "Confirm grant" not in html


def _applications(session, profile, n: int, district: str) -> list[int]:
    holder = make_holder(session, "cooperative", f"Queue Diggers {district}")
    ids = []
    for i in range(n):
        lon = -10.70 + i * 0.002
        lic = register_application(
            session, profile, holder_id=holder, licence_type="artisanal", commodities=["gold"],
            geometry=box(lon, 8.30, lon + 0.0005, 8.3005), district=district, actor="seed",
        )  # fmt: skip
        ids.append(lic.id)
    session.commit()
    return ids


def test_the_queue_pages_tabs_and_district(app, client, register, session, profile, monkeypatch):
    monkeypatch.setattr(procedure_views, "PAGE", 2)
    bo = _applications(session, profile, 3, "Bo")
    login(client, "officer")
    html = client.get("/queue?district=Bo").get_data(as_text=True)
    rows = re.findall(r'data-licence-id="(\d+)"', html)
    assert len(rows) == 2 and set(map(int, rows)) <= set(bo)
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert "1 of 8: Plot chosen" in html
    assert re.search(r'id="tab-mine"[^>]*aria-current="page"', html)
    html = client.get("/queue?district=Bo&page=2").get_data(as_text=True)
    assert len(re.findall(r'data-licence-id="(\d+)"', html)) == 1
    assert 'rel="prev"' in html and 'rel="next"' not in html
    # the whole country: the seeded small-scale application waits for an officer too
    html = client.get("/queue?queue=mine&page=abc").get_data(as_text=True)
    assert "Waiting for me <span" in html and "(4)" in html
    assert "Page 1 of 2 · 4 applications" in html
    # odd input is ignored, never an error
    for url in ("/queue?queue=nope", "/queue?page=-1", "/queue?district=Atlantis", "/queue?page=9"):
        assert client.get(url).status_code == 200, url
    html = client.get("/queue?queue=overdue").get_data(as_text=True)
    assert 'id="queue-empty"' in html  # received today: nothing is overdue
    viewer = app.test_client()
    login(viewer, "viewer")
    html = viewer.get("/queue").get_data(as_text=True)
    assert 'id="queue-empty"' in html  # a viewer completes no stage


def test_the_dashboard_counts_the_queues_and_the_overdue(client, register, session, profile):
    _applications(session, profile, 2, "Kailahun")
    late = session.get(Licence, register["licence"])
    late.decision_due = late.decision_due.replace(year=late.decision_due.year - 1)
    session.commit()
    login(client, "officer")
    html = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'id="queue-mine-count">3<', html)
    assert re.search(r'id="queue-overdue-count">1<', html)
    assert re.search(r'id="overdue-card"[^>]*>\s*<span class="stat-num">1<', html)
    assert 'href="/queue?queue=overdue"' in html and 'href="/queue?queue=mine"' in html
    html = client.get("/dashboard?district=Kailahun").get_data(as_text=True)
    assert re.search(r'id="queue-mine-count">2<', html)
    assert re.search(r'id="queue-overdue-count">0<', html)
    assert session.scalar(select(func.count()).select_from(Licence)) == 3
