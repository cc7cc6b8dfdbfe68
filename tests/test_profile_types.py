"""Another licence type is a profile entry, not code: no migration, no Python, no JS/CSS.

A copy of the Sierra Leone profile with an extra ``quarry`` type is loaded; ``cadastre db
upgrade``'s sync (``sync_licence_types``) copies it into ``licence_types``, and then the API
registers a quarry application, the OGC API lists and enumerates it and the palette colours
it. Everything runs in the test's transaction (rolled back).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import yaml
from licence_support import KONO, geojson, make_holder, make_token, square_ha
from sqlalchemy import select

from cadastre.app import create_app
from cadastre.errors import ConfigurationError
from cadastre.models.licences import Licence, LicenceTypeRecord
from cadastre.palette import palette_css
from cadastre.profile import load_profile
from cadastre.services.licence_types import (
    check_licence_types,
    missing_licence_types,
    stored_licence_types,
    sync_licence_types,
)

QUARRY = {
    "label": "Quarry licence",
    "words": "quarry",
    "colour": "#12a4b6",
    "code_prefix": "QL",
    "max_area_ha": 50,
    "term_years": 5,
    "renewals": 2,
    "renewal_term_years": 5,
    "exclusive": True,
    "holder_kinds": ["company", "individual", "cooperative"],
}


@pytest.fixture
def quarry_profile_path(tmp_path, settings):
    with open(settings.profile, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    data["licence_types"]["quarry"] = QUARRY
    path = tmp_path / "with-quarry.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def quarry_app(settings, sessions, quarry_profile_path):
    app = create_app(replace(settings, profile=str(quarry_profile_path)))
    app.extensions["cadastre"].sessions = sessions
    return app


def test_a_new_type_in_the_profile_is_registered_served_and_coloured(
    quarry_app, empty_register, database_url
):
    session = empty_register
    profile = quarry_app.extensions["cadastre"].profile
    assert "quarry" in profile.licence_types
    # Until `cadastre db upgrade` copies it, the type is missing (and `serve` would say so).
    assert missing_licence_types(session, profile) == ["quarry"]
    with pytest.raises(ConfigurationError, match=r"quarry.*cadastre db upgrade"):
        check_licence_types(database_url, profile)
    sync_licence_types(session, profile)  # what `cadastre db upgrade` does, as the owner
    session.commit()
    assert missing_licence_types(session, profile) == []
    row = session.get(LicenceTypeRecord, "quarry")
    assert (row.label, row.colour, row.offered) == ("Quarry licence", "#12a4b6", True)

    holder_id = make_holder(session, "individual", "Bo Gravel Diggers")
    token = make_token(session, "officer")
    client = quarry_app.test_client()
    body = {
        "licence_type": "quarry",
        "holder_id": holder_id,
        "commodities": ["granite"],
        "geometry": geojson(square_ha(*KONO, 20)),
    }
    made = client.post("/api/licences", json=body, headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["licence_type"] == "quarry"
    assert made.get_json()["code"].startswith("QL/")

    # Over the profile's limit for the type: refused in the profile's words.
    body["geometry"] = geojson(square_ha(KONO[0] + 0.1, KONO[1], 80))
    big = client.post("/api/licences", json=body, headers={"Authorization": f"Bearer {token}"})
    assert big.status_code == 422
    assert "a quarry licence may cover at most 50 ha" in big.get_json()["detail"]

    items = client.get("/collections/licences/items?licence_type=quarry&f=json").get_json()
    assert [f["properties"]["licence_type"] for f in items["features"]] == ["quarry"]
    queryables = client.get("/collections/licences/queryables?f=json").get_json()
    assert queryables["properties"]["licence_type"]["enum"] == list(profile.licence_types)
    assert "quarry" in queryables["properties"]["licence_type"]["enum"]
    api_doc = client.get("/api/openapi.json").get_json()
    post = api_doc["paths"]["/api/licences"]["post"]
    body_schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert "quarry" in body_schema["properties"]["licence_type"]["enum"]

    css = client.get("/palette.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert ".sw-type-quarry, .bar-type-quarry { background: #12a4b6; }" in css.text
    page = client.get("/login").text
    meta = re.search(r'<meta name="cadastre-palette" content="([^"]+)"', page).group(1)
    assert "quarry" in meta and "#12a4b6" in meta


def test_a_type_taken_out_of_the_profile_stays_not_offered(quarry_app, empty_register, settings):
    session = empty_register
    with_quarry = quarry_app.extensions["cadastre"].profile
    sync_licence_types(session, with_quarry)
    holder_id = make_holder(session, "company", "Lungi Stone Ltd")
    token = make_token(session, "officer")
    body = {
        "licence_type": "quarry",
        "holder_id": holder_id,
        "commodities": ["granite"],
        "geometry": geojson(square_ha(*KONO, 10)),
    }
    client = quarry_app.test_client()
    made = client.post("/api/licences", json=body, headers={"Authorization": f"Bearer {token}"})
    assert made.status_code == 201, made.get_json()

    without = load_profile(settings.profile)
    sync_licence_types(session, without)
    sync_licence_types(session, without)  # idempotent
    stored = {r.name: r.offered for r in stored_licence_types(session)}
    assert stored == {**dict.fromkeys(without.licence_types, True), "quarry": False}
    # The licence keeps its type (the key still holds); the profile no longer offers it.
    assert session.scalar(select(Licence.licence_type)) == "quarry"
    assert missing_licence_types(session, without) == []
    assert missing_licence_types(session, with_quarry) == ["quarry"]


def test_palette_css_carries_every_profile_colour_and_nothing_else_does(profile):
    from cadastre.config import ROOT

    css = palette_css(profile)
    for name, spec in profile.licence_types.items():
        assert f".sw-type-{name}, .bar-type-{name} {{ background: {spec.colour}; }}" in css
    for name, status in profile.statuses.items():
        assert f".bar-status-{name} {{ background: {status.colour}; }}" in css
        assert f".tag-{name} {{" in css
    # No type or status colour is written in the map script or the Python, and the static
    # stylesheet styles no type or status itself: one palette.
    colours = {t.colour for t in profile.licence_types.values()}
    colours |= {s.colour for s in profile.statuses.values()}
    files = [ROOT / "web/static/js/mapstyle.js", *(ROOT / "cadastre").rglob("*.py")]
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        found = sorted(c for c in colours if c in text)
        assert found == [], f"{path} writes palette colours {found}"
    app_css = (ROOT / "web/static/css/app.css").read_text(encoding="utf-8")
    selectors = [f".sw-type-{n}" for n in profile.licence_types]
    selectors += [f".bar-type-{n}" for n in profile.licence_types]
    selectors += [f".bar-status-{n}" for n in profile.statuses]
    selectors += [f".tag-{n}" for n in profile.statuses]
    assert [s for s in selectors if s in app_css] == []
