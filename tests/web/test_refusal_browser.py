"""A refused application keeps the work: the reason in plain words, the area on the map, the
refused record linked, and the free part applied for in one step; no console error."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import GRANTED_BOX, sign_in, wait_until, watched
from tests.web.test_browser import fill_application, shot, utm29_corners

pytestmark = pytest.mark.browser


def test_a_refused_overlap_keeps_the_area_and_applies_for_the_free_part(
    page, web_register, screenshots
):
    problems = watched(page)
    sign_in(page, "officer")
    page.goto("/licences/new")
    fill_application(page, "Moa River Miners Cooperative (cooperative)")
    page.get_by_label("Type the corners").check()
    page.get_by_label("Corner notation").select_option("utm29")
    g = GRANTED_BOX
    wanted = (g[0] + 0.005, g[1] + 0.004, g[2] + 0.005, g[3] + 0.004)  # half on the granted one
    corners = utm29_corners(*wanted)
    page.get_by_label("Corners, one per line").fill(corners)
    page.get_by_role("button", name="Register application").click()

    refusal = page.locator("#refusal")
    refusal.wait_for()
    said = refusal.inner_text()
    assert "received and refused" in said
    assert web_register["granted_code"] in page.locator("#refusal-reason").inner_text()
    assert "may not overlap" in said
    assert "POST" not in page.content() and "/api/" not in said  # plain words, no API jargon
    record = page.locator("#refused-record")
    refused_code = record.inner_text()
    assert re.fullmatch(r"SML/\d{4}/\d{4}", refused_code)
    # the work is kept: the corners as typed, and the area on the map, zoomed to it
    assert page.get_by_label("Corners, one per line").input_value() == corners
    wait_until(page, "window.newLicenceMap && window.newLicenceMap.loaded()")
    wait_until(page, "window.newLicenceMap.getZoom() > 11")
    centre = page.evaluate("window.newLicenceMap.getCenter().toArray()")
    assert wanted[0] < centre[0] < wanted[2] and wanted[1] < centre[1] < wanted[3]
    drawn = page.evaluate(
        "window.newLicenceMap.querySourceFeatures('area').length"
        " + window.newLicenceMap.querySourceFeatures('free').length"
    )
    assert drawn >= 2  # the area sent and its free part
    page.wait_for_timeout(500)
    shot(page, screenshots, "new-application-refused-overlap")

    # one step: apply for the free part with the same details
    page.get_by_role("button", name=re.compile("Apply for the free part")).click()
    page.wait_for_url(re.compile(r"/licences/\d+$"))
    flash = page.locator(".flash-success").inner_text()
    assert "registered for the free part" in flash
    new_code = re.search(r"SML/\d{4}/\d{4}", flash).group(0)
    assert new_code != refused_code
    assert "Moa River Miners Cooperative" in page.content()
    shot(page, screenshots, "new-application-free-part")

    # the refused application is on record, with its reason
    page.goto("/licences?status=refused")
    page.get_by_role("link", name=refused_code).click()
    page.wait_for_url(re.compile(r"/licences/\d+$"))
    assert "may not overlap" in page.locator("main").inner_text()
    assert problems == []
