"""Our pages under the Content-Security-Policy: the print button works without inline script.

That no page, maps included (MapLibre's blob: workers, drawn images, the draw tool), has a
CSP violation or a console error, for any role, is tests/web/test_every_page_browser.py."""

from __future__ import annotations

import pytest

from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_print_button_still_prints(page, web_register):
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    page.goto(f"/licences/{web_register['granted']}/print")
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed === true")
