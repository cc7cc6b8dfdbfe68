"""Holder pages through Flask's test client: the duplicate warning and the edit form."""

from __future__ import annotations

import re

from cadastre.models import Holder, HolderEvent
from cadastre.services.holders import update_holder
from tests.page_support import login, token


def _holder_form(html: str, **fields) -> dict:
    data = {"csrf_token": token(html), "kind": "company"}
    data.update(fields)
    return data


def _edit_form(html: str, **changes) -> dict:
    """The edit form as the page filled it, with ``changes``."""
    data = {"csrf_token": token(html)}
    for name in ("version", "name", "registration_number", "nationality", "phone", "email"):
        m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
        data[name] = m.group(1) if m else ""
    data["kind"] = re.search(r'<option selected value="(\w+)"', html).group(1)
    data.update(changes)
    return data


def test_a_look_alike_holder_is_held_back_with_a_link_until_confirmed(client, register, session):
    login(client, "officer")
    html = client.get("/holders/new").get_data(as_text=True)
    assert "Register anyway" not in html  # asked only when there is a look-alike
    r = client.post("/holders/new", data=_holder_form(html, name=" SEWA  alluvial ltd"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "This holder may already be registered" in page
    assert f'href="/holders/{register["holder"]}">Sewa Alluvial Ltd</a>' in page
    assert "same name" in page and "Register anyway" in page
    assert 'value=" SEWA  alluvial ltd"' in page  # what was typed is kept
    assert session.query(Holder).count() == 1
    r = client.post(
        "/holders/new",
        data=_holder_form(page, name="Sewa Alluvial Ltd", confirm_duplicate="y"),
    )
    assert r.status_code == 302
    session.expire_all()
    assert session.query(Holder).filter(Holder.name == "Sewa Alluvial Ltd").count() == 2


def test_an_officer_edits_contact_details_and_the_history_shows_it(client, register, session):
    login(client, "officer")
    url = f"/holders/{register['holder']}/edit"
    html = client.get(url).get_data(as_text=True)
    assert 'value="Sewa Alluvial Ltd"' in html and 'name="version"' in html
    r = client.post(url, data=_edit_form(html, phone="+232 76 123456"))
    assert r.status_code == 302, r.get_data(as_text=True)
    detail = client.get(f"/holders/{register['holder']}").get_data(as_text=True)
    assert "Phone: — → +232 76 123456" in detail and "by t_officer" in detail
    session.expire_all()
    assert session.get(Holder, register["holder"]).version == 2


def test_renaming_a_holder_of_an_application_needs_a_supervisor_and_a_reason(
    client, register, session
):
    url = f"/holders/{register['holder']}/edit"
    login(client, "officer")
    html = client.get(url).get_data(as_text=True)
    r = client.post(url, data=_edit_form(html, name="Sewa Mining Ltd"))
    assert r.status_code == 403 and "needs a supervisor" in r.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": token(html)})
    login(client, "supervisor")
    html = client.get(url).get_data(as_text=True)
    r = client.post(url, data=_edit_form(html, name="Sewa Mining Ltd"))
    assert r.status_code == 422 and "needs a reason" in r.get_data(as_text=True)
    page = r.get_data(as_text=True)
    r = client.post(url, data=_edit_form(page, name="Sewa Mining Ltd", reason="Renamed 2026"))
    assert r.status_code == 302
    session.expire_all()
    event = session.query(HolderEvent).filter_by(holder_id=register["holder"]).one()
    assert (event.actor, event.reason) == ("t_supervisor", "Renamed 2026")
    assert event.after["name"] == "Sewa Mining Ltd"


def test_a_stale_edit_comes_back_with_the_current_details(client, register, session):
    url = f"/holders/{register['holder']}/edit"
    login(client, "officer")
    html = client.get(url).get_data(as_text=True)
    update_holder(session, register["holder"], {"email": "new@sewa.example"}, actor="other")
    session.commit()
    r = client.post(url, data=_edit_form(html, phone="+232 1"))
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Someone changed this holder while you were editing it" in page
    assert "new@sewa.example" in page  # the details as they are now
    assert 'value="+232 1"' in page  # what was typed is kept
    session.expire_all()
    assert session.get(Holder, register["holder"]).phone is None
    r = client.post(url, data=_edit_form(page, email="new@sewa.example"))  # saved again
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Holder, register["holder"]).phone == "+232 1"


def test_a_viewer_may_not_edit(client, register):
    login(client, "viewer")
    assert client.get(f"/holders/{register['holder']}/edit").status_code == 403
    assert "Edit details" not in client.get(f"/holders/{register['holder']}").get_data(as_text=True)
