"""Artisanal mining on another holder's ground with its consent, recorded from the officer's
form (the same service as the API's ``consents``): without it the plot is refused for the
overlap and kept on record; with the holder's consent it is registered and the consent kept."""

from __future__ import annotations

import html
import json

from licence_support import KONO, make_holder, rect, square_ha
from shapely.geometry import mapping
from sqlalchemy import select

from cadastre.models import Licence, LicenceConsent
from cadastre.services.licences import register_application
from tests.page_support import login, new_licence_form, token


def _ground(session, profile) -> tuple[Licence, int]:
    company = make_holder(session, "company", "Kono Exploration Ltd")
    big = register_application(
        session,
        profile,
        holder_id=company,
        licence_type="exploration",
        commodities=["diamond"],
        geometry=rect(*KONO, 3000),
        actor="seed",
    )
    miner = make_holder(session, "individual", "Sahr Komba")
    session.commit()
    return big, miner


def _form(client, miner: int, **consent) -> dict:
    page = client.get("/licences/new").get_data(as_text=True)
    return new_licence_form(
        page,
        holder_id=str(miner),
        licence_type="artisanal",
        commodities=["diamond"],
        area_method="draw",
        drawn_geometry=json.dumps(mapping(square_ha(*KONO, 0.5))),
        csrf_token=token(page),
        **consent,
    )


def test_the_form_records_an_overlapped_holders_consent(client, register, session, profile):
    big, miner = _ground(session, profile)
    login(client, "officer")
    refused = client.post("/licences/new", data=_form(client, miner))
    text = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 200 and "refused" in text and big.code in text
    bad = client.post(
        "/licences/new",
        data=_form(client, miner, consent_licence="EL/1999/0001", consent_given_on="2026-01-05",
                   consent_document="Letter 12"),
    )  # fmt: skip
    assert "There is no licence EL/1999/0001 in the register." in html.unescape(
        bad.get_data(as_text=True)
    )
    ok = client.post(
        "/licences/new",
        data=_form(client, miner, consent_licence=big.code, consent_given_on="2026-01-05",
                   consent_document="Letter 12"),
    )  # fmt: skip
    assert ok.status_code == 302, html.unescape(ok.get_data(as_text=True))[-2000:]
    lid = int(ok.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    consent = session.scalars(select(LicenceConsent).where(LicenceConsent.licence_id == lid)).one()
    assert (consent.overlapped_id, consent.document) == (big.id, "Letter 12")
    assert session.get(Licence, lid).status == "application"
