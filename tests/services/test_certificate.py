"""The licence certificate: its text (code, holder, dates, corners in UTM and degrees), its
QR code followed to the public check, and a change to the licence that the check catches."""

from __future__ import annotations

import io
import re
from urllib.parse import urlsplit

import cv2
import numpy as np
import pytest
from pypdf import PdfReader
from pyproj import Transformer

from cadastre.domain.certificate import dms, utm_crs
from cadastre.errors import Conflict
from cadastre.services.certificate import certificate_pdf, licence_digest
from cadastre.services.licences import perform_action, register_application
from tests.licence_support import KONO, grant_settled, make_holder, rect

BASE = "http://localhost/"


@pytest.fixture
def granted(session, profile, empty_register):
    """A company's small-scale licence near Kono, granted."""
    holder = make_holder(session, "company", "Koidu Gravel Ltd", registration_number="CR-2024-117")
    lic = register_application(
        session,
        profile,
        holder_id=holder,
        licence_type="small_scale",
        commodities=["diamond", "gold"],
        geometry=rect(*KONO, 800, 600),
        actor="clerk",
    )
    lic = grant_settled(session, profile, lic.id)
    session.commit()
    return lic


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_url(pdf: bytes) -> str:
    """The URL in the certificate's QR code, decoded from the image embedded in the PDF."""
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for embedded in page.images:
            pixels = np.array(embedded.image.convert("L"))
            text, _, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
            if text:
                return text
    raise AssertionError("no QR code in the certificate")


def test_the_certificate_states_the_licence(session, profile, granted):
    pdf = certificate_pdf(session, profile, granted.id, BASE)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert granted.code in text
    assert "Koidu Gravel Ltd" in text and "CR-2024-117" in text
    assert profile.authority in text
    assert granted.granted_at.isoformat() in text and granted.expires_at.isoformat() in text
    assert "diamond, gold" in text


def test_corners_in_utm_and_degrees(session, profile, granted):
    text = pdf_text(certificate_pdf(session, profile, granted.id, BASE))
    crs = utm_crs(*KONO, profile.utm_zones)
    assert crs == "EPSG:32629" and "UTM zone 29N" in text
    to_utm = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    shape = rect(*KONO, 800, 600)
    for lon, lat in list(shape.exterior.coords)[:-1]:
        e, n = to_utm.transform(lon, lat)
        assert f"{e:.1f}" in text and f"{n:.1f}" in text
        assert dms(lat, "N", "S") in text and dms(lon, "E", "W") in text
        assert f"{lat:.6f}, {lon:.6f}" in text


def test_the_qr_code_leads_to_a_matching_record(session, profile, granted, client):
    pdf = certificate_pdf(session, profile, granted.id, BASE)
    url = qr_url(pdf)
    digest = licence_digest(session, granted.id)
    assert url == f"{BASE}verify/{granted.code}?d={digest}"
    assert f"Check code {digest}" in pdf_text(pdf)
    parts = urlsplit(url)
    page = client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The certificate matches the register." in html
    assert granted.code in html and "Koidu Gravel Ltd" in html


def test_a_transfer_makes_the_old_paper_stale(session, profile, granted, client):
    parts = urlsplit(qr_url(certificate_pdf(session, profile, granted.id, BASE)))
    buyer = make_holder(session, "company", "Tongo Fields Ltd")
    perform_action(
        session, profile, granted.id, "transfer", actor="sup", reason="Sold", holder_id=buyer
    )
    session.commit()
    html = client.get(f"{parts.path}?{parts.query}").get_data(as_text=True)
    assert "does NOT match: the licence has changed since the certificate was printed" in html
    assert "Tongo Fields Ltd" in html
    fresh = urlsplit(qr_url(certificate_pdf(session, profile, granted.id, BASE)))
    assert fresh.query != parts.query
    assert "matches the register" in client.get(f"{fresh.path}?{fresh.query}").get_data(
        as_text=True
    )


def test_an_application_has_no_certificate(session, profile, empty_register):
    holder = make_holder(session, "company")
    lic = register_application(
        session,
        profile,
        holder_id=holder,
        licence_type="small_scale",
        commodities=["diamond"],
        geometry=rect(*KONO, 500),
        actor="clerk",
    )
    with pytest.raises(Conflict, match="only a licence in force"):
        certificate_pdf(session, profile, lic.id, BASE)


def test_the_digest_is_short_hex(session, granted):
    assert re.fullmatch(r"[0-9a-f]{16}", licence_digest(session, granted.id))
