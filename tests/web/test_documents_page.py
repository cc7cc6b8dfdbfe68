"""The licence page's Documents section: the list with download links, the officer's upload
form (every input labelled, errors beside the field, nothing kept on a refusal)."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from cadastre.app import create_app
from cadastre.models import LicenceDocument
from tests.page_support import login, token

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(40)


@pytest.fixture
def app(settings, sessions, tmp_path):
    """The app with a document store of this test's own."""
    application = create_app(replace(settings, documents_dir=str(tmp_path / "documents")))
    application.extensions["cadastre"].sessions = sessions
    return application


def page(client, licence_id) -> str:
    r = client.get(f"/licences/{licence_id}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def post(client, licence_id, data: bytes, name: str, **fields):
    html = page(client, licence_id)
    form = {
        "csrf_token": token(html),
        "document-kind": "surface_rent_agreement",
        "document-title": "Surface rent agreement, Nimiyama chiefdom",
        "document-supersedes": "",
        "document-file": (io.BytesIO(data), name),
        **fields,
    }
    return client.post(
        f"/licences/{licence_id}/documents", data=form, content_type="multipart/form-data"
    )


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(LicenceDocument))


def test_every_input_of_the_upload_form_is_labelled(client, register):
    login(client, "officer")
    html = page(client, register["licence"])
    assert 'id="documents"' in html and 'id="no-documents"' in html
    form = html[html.rindex("<form", 0, html.index('id="document-form"')) :]
    form = form[: form.index("</form>")]
    assert 'enctype="multipart/form-data"' in form
    inputs = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', form)
    assert {"document-file", "document-kind", "document-title", "document-supersedes"} <= set(
        inputs
    )
    for name in inputs:
        if not name.endswith("csrf_token"):
            assert f'for="{name}"' in form, name


def test_an_officer_uploads_and_the_list_links_the_file(client, register, session):
    login(client, "officer")
    r = post(client, register["licence"], PDF, "agreement.pdf")
    assert r.status_code == 302 and r.headers["Location"].endswith("#documents")
    doc = session.scalars(select(LicenceDocument)).one()
    html = page(client, register["licence"])
    link = f"/api/licences/{register['licence']}/documents/{doc.id}/file"
    assert link in html and "agreement.pdf" in html and "current" in html
    got = client.get(link)  # the page's session is enough to fetch the file
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment")
    # a newer one supersedes it; both stay listed
    r = post(client, register["licence"], PNG, "agreement-signed.png",
             **{"document-supersedes": str(doc.id)})  # fmt: skip
    assert r.status_code == 302
    html = page(client, register["licence"])
    assert f"superseded by {doc.id + 1}" in html and "agreement-signed.png" in html


def test_a_refused_file_comes_back_with_the_message_beside_the_field(client, register, session):
    login(client, "officer")
    r = post(client, register["licence"], PNG, "agreement.pdf", **{"document-title": ""})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="document-file-error"' in html
    assert "its content is a PNG image, not a PDF" in html
    assert 'id="document-title-error"' in html
    assert count(session) == 0


def test_a_viewer_sees_the_list_but_no_form_and_may_not_upload(client, register, session):
    login(client, "viewer")
    html = page(client, register["licence"])
    assert 'id="documents"' in html and 'id="document-form"' not in html
    html_token = token(html)
    r = client.post(
        f"/licences/{register['licence']}/documents",
        data={"csrf_token": html_token, "document-kind": "other", "document-title": "x",
              "document-file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 403
    assert count(session) == 0
