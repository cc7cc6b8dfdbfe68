"""Fixtures for the officer web pages: a committed register, a live server, a browser.

Browser tests need a real server in another thread, so their data is COMMITTED to the
test database (not rolled back); ``web_register`` removes all of it at teardown so the
rest of the suite still starts from an empty register.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from shapely.geometry import box
from sqlalchemy import text

from cadastre.app import create_app
from cadastre.config import ROOT, Settings
from cadastre.db import session_factory, unit_of_work
from cadastre.profile import load_profile
from cadastre.services.chain import unguarded_history
from cadastre.services.holders import create_holder
from cadastre.services.licences import register_application
from cadastre.services.users import add_user
from tests.conftest import serving
from tests.web.walk_support import walk_to_grant

PASSWORD = "correct-horse-battery"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
#: A granted small-scale licence near Kenema that new applications can collide with.
GRANTED_BOX = (-11.200, 7.880, -11.190, 7.889)


def _wipe(url: str) -> None:
    sessions = session_factory(url)
    with unit_of_work(sessions) as s, unguarded_history(s):
        s.execute(
            text(
                "TRUNCATE licence_events, holder_events, licences, holders, api_tokens, users, "
                "licence_code_counters RESTART IDENTITY CASCADE"
            )
        )


@pytest.fixture(scope="module")
def web_register(database_url):
    """Users of every role, two holders and one granted licence, committed; wiped after."""
    _wipe(database_url)
    settings = Settings.from_env(database_url=database_url)
    profile = load_profile(settings.profile)
    sessions = session_factory(database_url)
    ids = {}
    with unit_of_work(sessions) as s:
        for role in ("viewer", "officer", "supervisor", "admin", "finance"):
            add_user(s, f"web_{role}", role, password=PASSWORD)
        h1 = create_holder(
            s,
            {
                "name": "Kono Diamond Works Ltd",
                "kind": "company",
                "registration_number": "WEB-0001",
            },
        )
        h2 = create_holder(
            s,
            {
                "name": "Moa River Miners Cooperative",
                "kind": "cooperative",
                "citizen_members": True,
            },
        )
        lic = register_application(
            s,
            profile,
            holder_id=h1.id,
            licence_type="small_scale",
            commodities=["diamond"],
            geometry=box(*GRANTED_BOX),
            actor="seed",
            received_at=datetime.now(UTC) - timedelta(days=120),
        )
        walk_to_grant(s, profile, lic.id, settings.documents_dir)  # its procedure's stages
        pending = register_application(
            s,
            profile,
            holder_id=h2.id,
            licence_type="artisanal",
            commodities=["gold"],
            geometry=box(-10.700, 8.300, -10.6995, 8.3005),
            actor="seed",
            received_at=datetime.now(UTC) - timedelta(days=95),
        )
        ids.update(
            holder=h1.id, holder2=h2.id, granted=lic.id, granted_code=lic.code, pending=pending.id
        )
    yield ids
    _wipe(database_url)


@pytest.fixture(scope="module")
def live_server(web_register, database_url):
    """The app served by werkzeug on 127.0.0.1 and a free port, in a background thread."""
    app = create_app(Settings.from_env(database_url=database_url, secret_key="browser-tests"))
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def screenshots(request) -> Path:
    """Where the browser tests save screenshots (printed at the end of the run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    yield SCREENSHOTS
    if reporter is not None:
        reporter.write_line(f"\nScreenshots of the officer pages: {SCREENSHOTS}")


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) at 1366×768."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def sign_in(page, role: str, password: str = PASSWORD) -> None:
    """Sign in through the form as the seeded user with ``role``."""
    page.goto("/login")
    page.get_by_label("Username").fill(f"web_{role}")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def wait_until(page, expression: str, timeout_ms: int = 15_000) -> None:
    """Poll a JavaScript expression from Python until it is truthy.

    Not ``page.wait_for_function``: its in-page polling calls ``eval``, which the pages'
    Content-Security-Policy (no 'unsafe-eval') refuses once the first check is false.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(100)


#: Records every CSP violation the page sees, from the first script on.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def watched(page) -> list[str]:
    """What goes wrong on ``page`` from now on: console errors, script errors, CSP
    violations (read ``window.__cspViolations``) and failed requests of the page's own
    resources. A test asserts the list stays empty."""
    problems: list[str] = []

    def response(resp):
        navigation = resp.request.is_navigation_request() and resp.request.frame == page.main_frame
        if resp.status >= 400 and not navigation:
            problems.append(f"failed request: {resp.status} {resp.url}")

    page.add_init_script(WATCH_CSP)
    page.on(
        "console",
        lambda m: m.type == "error" and problems.append(f"console error: {m.text} {m.location}"),
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", response)
    page.on("requestfailed", lambda r: _failed(problems, r))
    return problems


def _failed(problems: list[str], request) -> None:
    """A request that failed; one the browser itself cancelled because the page moved on
    (``net::ERR_ABORTED``: a click navigated away while the icon was loading) is not ours."""
    if "ERR_ABORTED" not in (request.failure or ""):
        problems.append(f"request failed: {request.failure} {request.url}")


@pytest.fixture
def register(session, profile, empty_register):
    """Users of every role, a company and its small-scale application (the pages tests'
    register, in the test's rolled-back transaction)."""
    from tests.page_support import seed_register

    return seed_register(session, profile)


@pytest.fixture
def walked(session, profile, settings):
    """Walk an application through its procedure to its grant in the test's transaction
    (``walked(licence_id, at=None, until=None)``; ``tests/web/walk_support.py``)."""
    from tests.web.walk_support import walk_to_grant

    return lambda licence_id, **kw: walk_to_grant(
        session, profile, licence_id, settings.documents_dir, **kw
    )
