"""The licence page's obligation forms (received, waived, show cause), the overdue obligations
on the dashboard, the holder's page and their list: each form calls the service, a refusal
redisplays the page with the message beside the obligation, nothing changed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from licence_support import upload_document
from sqlalchemy import select

from cadastre.models import LicenceNotice, LicenceObligation
from cadastre.services.obligations import licence_obligations, run_obligations
from cadastre.services.users import add_user
from tests.obligations.support import granted_on
from tests.page_support import PASSWORD, login, token

TODAY = datetime.now(UTC).date()


@pytest.fixture
def page(empty_register, profile, auth):
    """A large-scale licence granted 400 days ago with its obligations, users of every role."""
    session = empty_register
    for role in ("viewer", "officer", "supervisor"):
        add_user(session, f"t_{role}", role, password=PASSWORD)
    auth("officer")
    lic = granted_on(session, profile, "large_scale", datetime.now(UTC) - timedelta(days=400))
    run_obligations(session, profile, TODAY)
    session.commit()
    return lic


def signed_in(app, role):
    """A new browser signed in as ``t_<role>``."""
    client = app.test_client()
    login(client, role)
    return client


def _section(html: str) -> str:
    start = html.index('id="obligations"')
    return html[start : html.index("</section>", start)]


def _one(session, licence_id, kind, *, overdue=True):
    return next(
        o
        for o in licence_obligations(session, licence_id)
        if o.kind == kind and o.status == "open" and (o.due_on < TODAY) is overdue
    )


def _post(client, lic, ob, what, data):
    html = client.get(f"/licences/{lic.id}").get_data(as_text=True)
    return client.post(
        f"/licences/{lic.id}/obligations/{ob.id}/{what}", data={**data, "csrf_token": token(html)}
    )


def _status(session, ob):
    session.expire_all()
    return session.get(LicenceObligation, ob.id).status


def test_forms_follow_the_role(app, client, page, empty_register):
    env = _one(empty_register, page.id, "environmental_licence")
    pending = _one(empty_register, page.id, "production_return", overdue=False)
    login(client, "viewer")
    section = _section(client.get(f"/licences/{page.id}").get_data(as_text=True))
    assert "obligation-forms" not in section and "Record received" not in section
    client = signed_in(app, "officer")
    section = _section(client.get(f"/licences/{page.id}").get_data(as_text=True))
    # no environmental licence on the file yet: the officer is told where to put one
    assert f'id="receive-{env.id}-none"' in section
    assert f'id="waive-{env.id}"' not in section and f'id="showcause-{env.id}"' not in section
    client = signed_in(app, "supervisor")
    section = _section(client.get(f"/licences/{page.id}").get_data(as_text=True))
    assert f'id="waive-{env.id}"' in section and f'id="showcause-{env.id}"' in section
    assert f'id="waive-{pending.id}"' in section
    assert f'id="showcause-{pending.id}"' not in section  # not overdue yet


def test_received_with_a_document_of_its_kind(client, auth, page, empty_register):
    session = empty_register
    env = _one(session, page.id, "environmental_licence")
    wrong = upload_document(client, auth, page.id, "annual_report").get_json()["id"]
    right = upload_document(client, auth, page.id, "environmental_licence").get_json()["id"]
    login(client, "officer")
    section = _section(client.get(f"/licences/{page.id}").get_data(as_text=True))
    form = section[section.index(f'id="receive-{env.id}"') :]
    form = form[: form.index("</form>")]
    choices = re.findall(r'<option value="(\d+)"', form)
    assert choices == [str(right)]  # only the current document of the satisfying kind

    # a forged choice: refused beside the obligation, nothing changed
    r = _post(client, page, env, "receive", {f"receive{env.id}-document_id": str(wrong)})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert f'id="obligation{env.id}-error"' in html and "is a annual report" in html
    assert _status(session, env) == "open"
    r = _post(client, page, env, "receive", {f"receive{env.id}-document_id": ""})
    assert r.status_code == 422 and "document_id is required" in r.get_data(as_text=True)
    # no CSRF token: refused
    bare = client.post(
        f"/licences/{page.id}/obligations/{env.id}/receive",
        data={f"receive{env.id}-document_id": str(right)},
    )
    assert bare.status_code == 400 and _status(session, env) == "open"

    r = _post(client, page, env, "receive", {f"receive{env.id}-document_id": str(right)})
    assert r.status_code == 302 and r.headers["Location"].endswith("#obligations")
    session.expire_all()
    ob = session.get(LicenceObligation, env.id)
    assert (ob.status, ob.document_id, ob.resolved_by) == ("received", right, "t_officer")
    section = _section(client.get(f"/licences/{page.id}").get_data(as_text=True))
    assert f"received: document {right}" in section
    again = _post(client, page, env, "receive", {f"receive{env.id}-document_id": str(right)})
    assert again.status_code == 409 and "already received" in again.get_data(as_text=True)


def test_waiver_needs_a_supervisor_and_a_reason(app, client, page, empty_register):
    session = empty_register
    ob = _one(session, page.id, "production_return")
    login(client, "officer")
    assert _post(client, page, ob, "waive", {f"waive{ob.id}-reason": "x"}).status_code == 403
    client = signed_in(app, "supervisor")
    r = _post(client, page, ob, "waive", {f"waive{ob.id}-reason": "   "})
    assert r.status_code == 422 and "the reason is required" in r.get_data(as_text=True)
    assert _status(session, ob) == "open"
    r = _post(client, page, ob, "waive", {f"waive{ob.id}-reason": "Mine closed for the rains."})
    assert r.status_code == 302
    session.expire_all()
    got = session.get(LicenceObligation, ob.id)
    assert (got.status, got.waiver_reason) == ("waived", "Mine closed for the rains.")


def test_show_cause_once_overdue(app, client, page, empty_register):
    session = empty_register
    pending = _one(session, page.id, "production_return", overdue=False)
    env = _one(session, page.id, "environmental_licence")
    login(client, "officer")
    assert _post(client, page, env, "show-cause", {}).status_code == 403
    client = signed_in(app, "supervisor")
    r = _post(client, page, pending, "show-cause", {})
    assert r.status_code == 409 and "only once it is overdue" in r.get_data(as_text=True)
    assert session.scalars(select(LicenceNotice)).all() == []
    r = _post(client, page, env, "show-cause", {f"showcause{env.id}-cause": ""})
    assert r.status_code == 302
    notice = session.scalars(select(LicenceNotice)).one()
    assert env.label in notice.breach
    session.expire_all()
    assert session.get(LicenceObligation, env.id).notice_id == notice.id
    section = _section(client.get(f"/licences/{page.id}").get_data(as_text=True))
    assert f"(notice {notice.id})" in section
    assert f'id="showcause-{env.id}"' not in section  # its notice is not remedied yet


def test_overdue_on_the_dashboard_the_list_and_the_holder(client, page, empty_register):
    session = empty_register
    overdue = [o for o in licence_obligations(session, page.id)
               if o.status == "open" and o.due_on < TODAY]  # fmt: skip
    assert overdue
    login(client, "viewer")
    dash = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'id="obligations-overdue-count">(\d+)<', dash).group(1) == str(len(overdue))
    assert 'href="/obligations/overdue"' in dash
    listing = client.get("/obligations/overdue").get_data(as_text=True)
    ids = re.findall(r'data-obligation-id="(\d+)"', listing)
    assert ids == [str(o.id) for o in sorted(overdue, key=lambda o: (o.due_on, o.id))]
    assert f"{len(overdue)} obligations" in listing
    assert client.get("/obligations/overdue?page=x").status_code == 200
    holder = client.get(f"/holders/{page.holder_id}").get_data(as_text=True)
    start = holder.index('id="holder-obligations"')
    part = holder[start : holder.index("</section>", start)]
    assert f"Obligations overdue ({len(overdue)})" in part
    assert part.count('class="row-alert"') == len(overdue) and page.code in part
