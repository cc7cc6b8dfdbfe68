"""The public check of a certificate, /verify/{code}: no sign-in, codes with slashes, an
unknown code's 404, nothing personal about an individual holder; and the certificate's
route for signed-in users (a PDF for a licence in force, a 409 page for an application)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from cadastre.services.certificate import licence_digest
from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from cadastre.services.users import add_user
from tests.licence_support import KONO, rect
from tests.page_support import PASSWORD, login

NIN = "NIN-1990-4471"
PHONE = "+232 76 400123"
ADDRESS = "12 Kissy Road, Koidu"


@pytest.fixture
def person(session, profile, empty_register, walked):
    """An individual's artisanal licence, paid for and granted, and an application."""
    add_user(session, "t_viewer", "viewer", password=PASSWORD)
    holder = create_holder(
        session,
        {
            "name": "Fatmata Koroma",
            "kind": "individual",
            "nationality": "SLE",
            "registration_number": NIN,
            "phone": PHONE,
            "address": ADDRESS,
        },
    )
    lic = register_application(
        session,
        profile,
        holder_id=holder.id,
        licence_type="artisanal",
        commodities=["diamond"],
        geometry=rect(*KONO, 60),
        district="Kono",
        actor="clerk",
    )
    lic = walked(lic.id)
    pending = register_application(
        session,
        profile,
        holder_id=holder.id,
        licence_type="artisanal",
        commodities=["gold"],
        geometry=rect(KONO[0] + 0.02, KONO[1], 60),
        actor="clerk",
    )
    session.commit()
    return {"id": lic.id, "code": lic.code, "pending": pending.id, "pending_code": pending.code}


def test_the_code_is_taken_with_its_slashes(client, person):
    assert person["code"].count("/") == 2
    page = client.get(f"/verify/{person['code']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert person["code"] in html and "Fatmata Koroma" in html
    assert "matches" not in html  # no digest given: the facts alone


def test_no_personal_data_of_an_individual(client, person, session):
    digest = licence_digest(session, person["id"])
    html = client.get(f"/verify/{person['code']}?d={digest}").get_data(as_text=True)
    assert "The certificate matches the register." in html
    for personal in (NIN, PHONE, ADDRESS, "SLE", "individual"):
        assert personal not in html


def test_a_wrong_digest_does_not_match(client, person):
    html = client.get(f"/verify/{person['code']}?d=0000000000000000").get_data(as_text=True)
    assert "does NOT match: the licence has changed since the certificate was printed" in html


def test_an_unknown_code_is_a_404_page(client, person):
    page = client.get("/verify/EL/1999/0001")
    assert page.status_code == 404
    assert "text/html" in page.content_type
    assert "EL/1999/0001" in page.get_data(as_text=True)


def test_an_application_is_shown_as_not_in_force(client, person):
    html = client.get(f"/verify/{person['pending_code']}").get_data(as_text=True)
    assert "not in force" in html


def test_the_certificate_needs_a_sign_in(client, person):
    page = client.get(f"/licences/{person['id']}/certificate.pdf")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_the_certificate_pdf_for_a_viewer(client, person):
    login(client, "viewer")
    page = client.get(f"/licences/{person['id']}/certificate.pdf")
    assert page.status_code == 200
    assert page.content_type == "application/pdf"
    assert page.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(page.data)).pages)
    assert "Fatmata Koroma" in text and person["code"] in text
    for personal in (NIN, PHONE, ADDRESS):
        assert personal not in text


def test_an_application_has_no_certificate_page(client, person):
    login(client, "viewer")
    page = client.get(f"/licences/{person['pending']}/certificate.pdf")
    assert page.status_code == 409
    assert "only a licence in force" in page.get_data(as_text=True)
