"""The holder pages and a licence's page show a viewer no individual's identity number or
contact details, and the search does not find one by it; officers see everything."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from cadastre.services.users import add_user
from tests.page_support import PASSWORD, login

NIN = "NIN-1988-5521"
PHONE = "+232 78 555210"


@pytest.fixture
def person(session, profile, empty_register):
    for role in ("viewer", "officer"):
        add_user(session, f"t_{role}", role, password=PASSWORD)
    holder = create_holder(
        session,
        {
            "name": "Musa Conteh",
            "kind": "individual",
            "nationality": "SLE",
            "registration_number": NIN,
            "phone": PHONE,
        },
    )
    lic = register_application(
        session,
        profile,
        holder_id=holder.id,
        licence_type="artisanal",
        commodities=["diamond"],
        geometry=box(-11.20, 7.88, -11.1993, 7.8806),
        actor="seed",
    )
    session.commit()
    return {"holder": holder.id, "licence": lic.id}


def _pages(client, person) -> list[str]:
    return [
        client.get(path).get_data(as_text=True)
        for path in (
            "/holders",
            f"/holders/{person['holder']}",
            f"/licences/{person['licence']}",
            f"/licences/{person['licence']}/print",
        )
    ]


def test_a_viewer_sees_no_identity_number_or_contacts(client, person):
    login(client, "viewer")
    for html in _pages(client, person):
        assert "Musa Conteh" in html
        assert NIN not in html and PHONE not in html
    found = client.get("/holders?q=NIN-1988").get_data(as_text=True)
    assert "Musa Conteh" not in found and "No holders found." in found


def test_an_officer_sees_and_finds_everything(client, person):
    login(client, "officer")
    pages = _pages(client, person)
    assert NIN in pages[1] and PHONE in pages[1] and NIN in pages[2]
    assert "Musa Conteh" in client.get("/holders?q=NIN-1988").get_data(as_text=True)


def test_pages_with_personal_data_are_not_kept_in_caches(client, auth_free_client, person):
    # a shared office computer: after sign-out, Back must not show a holder's identity number
    login(client, "officer")
    for path in (f"/holders/{person['holder']}", f"/licences/{person['licence']}", "/holders"):
        r = client.get(path)
        assert r.status_code == 200
        assert "no-store" in r.headers.get("Cache-Control", ""), path
    anonymous = auth_free_client.get("/collections/countries/items?limit=1")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")


@pytest.fixture
def auth_free_client(app):
    return app.test_client()
