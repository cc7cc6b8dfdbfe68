"""Our pages under the Content-Security-Policy: Chromium reports no violation and no console
error on any of them, maps included (MapLibre's blob: workers, drawn images, the draw tool)."""

from __future__ import annotations

import pytest

from tests.web.conftest import sign_in, wait_until

pytestmark = pytest.mark.browser

#: Records every CSP violation the page sees, from the first script on.
_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def _watched(page):
    problems: list[str] = []
    page.add_init_script(_WATCH)

    def console(message):
        # The browser's own favicon request (we serve none) is not a page's error.
        if message.type != "error":
            return
        if not message.location.get("url", "").endswith("favicon.ico"):
            problems.append(f"console {message.type}: {message.text} {message.location}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def _visit(page, path: str, problems: list[str], wait_for: str | None = None) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if wait_for:
        wait_until(page, wait_for)
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], (path, violations)
    assert problems == [], (path, problems)


MAP_DRAWN = ("document.querySelector('.maplibregl-canvas') !== null && "
             "document.querySelector('.maplibregl-canvas').width > 0")


def test_every_page_lives_with_the_csp(page, web_register):
    problems = _watched(page)
    _visit(page, "/login", problems)
    sign_in(page, "admin")
    page.wait_for_url("**/dashboard")
    lic = f"/licences/{web_register['granted']}"
    for path, wait in (
        ("/dashboard", None),
        ("/licences", None),
        ("/map", MAP_DRAWN),
        ("/licences/new", MAP_DRAWN),
        (lic, MAP_DRAWN),
        (lic + "/print", MAP_DRAWN),
        ("/holders", None),
        (f"/holders/{web_register['holder']}", None),
        ("/admin/users", None),
        ("/admin/import", None),
        ("/?f=html", None),
        ("/collections/licences/items?f=html", None),
    ):
        _visit(page, path, problems, wait)
    page.wait_for_timeout(500)  # late tile and worker errors
    assert problems == []
    assert page.evaluate("window.__cspViolations") == []


def test_the_print_button_still_prints(page, web_register):
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    page.goto(f"/licences/{web_register['granted']}/print")
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed === true")
