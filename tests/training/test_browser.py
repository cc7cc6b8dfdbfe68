"""Through a real browser: trainees sign in only under /training; every page there is marked."""

import threading
from dataclasses import replace

import pytest
from werkzeug.serving import make_server

from cadastre.app import create_app
from tests.web.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.fixture
def server(settings, training_url, reset_to):
    reset_to("kenema-artisanal-plot")
    app = create_app(replace(settings, training_database_url=training_url, secret_key="b"))
    if "officer.login" not in app.view_functions:
        pytest.skip("the officer pages are not in this build")
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(timeout=5)


def _sign_in(page, base, prefix, username, password):
    page.goto(f"{base}{prefix}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_trainee_signs_in_to_training_only(browser, server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, server, "", "trainee1", "practise-2026")  # the register does not know them
    assert "/login" in page.url
    assert page.locator("[data-training-banner]").count() == 0
    _sign_in(page, server, "/training", "trainee1", "practise-2026")
    page.goto(f"{server}/training/tasks")
    assert page.locator("[data-training-banner]").count() == 1
    assert "Task sheet of" in page.content() and "UTM zone 29N" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "training-tasks.png"), full_page=True)
    asked = []
    page.on("request", lambda r: asked.append(r.url))
    with page.expect_response(
        lambda r: "/training/collections/licences/tiles/WebMercatorQuad/" in r.url
        and not r.url.endswith("tilejson.json"),
        timeout=20_000,
    ) as tile:
        page.goto(f"{server}/training/map")
    assert tile.value.status in (200, 204)
    page.wait_for_timeout(1500)
    # The trainee's map reads the training register's layers only, never the register's.
    layers = [u for u in asked if "/collections/" in u]
    assert layers and all(u.startswith(f"{server}/training/collections/") for u in layers), layers
    assert page.locator(".training-watermark").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "training-map.png"))
    # the training sign-in did not sign anyone in to the register
    page.goto(f"{server}/licences")
    assert "/login" in page.url
    context.close()


def test_trainer_board_in_the_browser(browser, server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _sign_in(page, server, "/training", "trainer", "trainer-2026")
    page.goto(f"{server}/training/trainer")
    assert page.get_by_role("table").count() >= 1
    assert page.locator("td[data-done]").count() == 4  # four trainees, one task
    page.screenshot(path=str(SCREENSHOTS / "training-trainer.png"), full_page=True)
    context.close()
