"""The Check step in "work it out" mode says which notation and UTM zone it assumed and
echoes the corners back as understood; the page shows it."""

from __future__ import annotations

import re

import pytest
from licence_support import make_holder
from pyproj import Transformer

from cadastre.services.users import add_user

PASSWORD = "correct-horse-battery"
TO_UTM29 = Transformer.from_crs(4326, 32629, always_xy=True)
CORNERS = [(-10.975, 8.635), (-10.965, 8.635), (-10.965, 8.645), (-10.975, 8.645)]


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


@pytest.fixture
def officer_form(client, empty_register):
    holder = make_holder(empty_register, "company", "Echo Mining Ltd")
    add_user(empty_register, "echo_officer", "officer", password=PASSWORD)
    empty_register.commit()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"username": "echo_officer", "password": PASSWORD, "csrf_token": _csrf(page)}
    )
    page = client.get("/licences/new").get_data(as_text=True)
    return {
        "csrf_token": _csrf(page),
        "holder_mode": "existing",
        "holder_id": str(holder),
        "licence_type": "small_scale",
        "commodities": ["gold"],
        "area_method": "corners",
        "notation": "auto",
    }


def test_the_check_says_the_zone_it_assumed_and_echoes_the_corners(client, officer_form):
    text = "\n".join("{:.1f} {:.1f}".format(*TO_UTM29.transform(*p)) for p in CORNERS)
    r = client.post("/licences/check", data={**officer_form, "corners": text})
    assert r.status_code == 200
    read = r.get_json()["corners_read"]
    assert read["notation"] == "utm29" and read["assumed"] is True
    assert read["words"] == "UTM zone 29N easting and northing"
    assert [c["input"] for c in read["corners"]] == text.splitlines()
    for c, (lon, lat) in zip(read["corners"], CORNERS, strict=True):
        assert abs(c["lon"] - lon) < 1e-6 and abs(c["lat"] - lat) < 1e-6
    # declared, not assumed; degrees read latitude first
    r = client.post("/licences/check", data={**officer_form, "corners": text, "notation": "utm29"})
    assert r.get_json()["corners_read"]["assumed"] is False
    degrees = "\n".join(f"{lat}, {lon}" for lon, lat in CORNERS)
    read = client.post("/licences/check", data={**officer_form, "corners": degrees}).get_json()
    assert read["corners_read"]["notation"] == "dd"
    assert read["corners_read"]["corners"][0]["parsed"] == "lat 8.635000, lon -10.975000"


@pytest.mark.browser
def test_the_page_shows_the_corners_as_understood(page, web_register):
    from tests.web.conftest import sign_in
    from tests.web.test_browser import fill_application

    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, "officer")
    page.goto("/licences/new")
    fill_application(page, "Kono Diamond Works Ltd (company)")
    page.get_by_label("Type the corners").check()
    text = "\n".join("{:.1f} {:.1f}".format(*TO_UTM29.transform(*p)) for p in CORNERS)
    page.get_by_label("Corners, one per line").fill(text)
    page.get_by_role("button", name="Check the area").click()
    shown = page.locator("#check-corners")
    shown.wait_for()
    said = shown.inner_text()
    assert "UTM zone 29N" in said and "worked out from the numbers" in said
    assert "-10.975000" in said and "8.635000" in said
    assert text.splitlines()[0] in said
    assert errors == []
