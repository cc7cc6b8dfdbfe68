"""The task sheet and trainer board in Chromium: tasks numbered 1, 2, 3… as shown, earlier
tasks named by number and title (no internal keys), plain English on the board, styled
buttons, and no console error."""

import threading
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from cadastre.app import create_app
from cadastre.db import get_engine
from tests.training.walkthrough import _apply
from tests.web.conftest import SCREENSHOTS, watched

pytestmark = pytest.mark.browser


@pytest.fixture
def eight_steps(settings, training_url, reset_to):
    scenario, state = reset_to("artisanal-eight-steps")
    app = create_app(replace(settings, training_database_url=training_url, secret_key="s"))
    if "officer.login" not in app.view_functions:
        pytest.skip("the officer pages are not in this build")
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", scenario, state
    srv.shutdown()
    thread.join(timeout=5)


def _page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _sign_in(page, base, username, password):
    page.goto(f"{base}/training/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("networkidle")


_BUTTON_LOOK = """b => { const s = getComputedStyle(b);
  return {bg: s.backgroundColor, border: s.borderTopStyle, color: s.color,
          weight: s.fontWeight}; }"""


def test_task_sheet_numbers_tasks_names_them_and_styles_buttons(browser, eight_steps):
    base, scenario, _ = eight_steps
    context, page = _page(browser)
    problems = watched(page)
    _sign_in(page, base, "trainee1", "practise-2026")
    page.goto(f"{base}/training/tasks")
    page.wait_for_load_state("networkidle")
    numbers = page.locator(".training-tasks > li .training-task-number").all_inner_texts()
    assert numbers == [f"Task {n}." for n in range(1, len(scenario.tasks) + 1)]
    text = page.locator("main").inner_text()
    for task in scenario.tasks:
        assert f"'{task.key}'" not in text
    assert "Step 5" not in text and "Steps 6 to 8" not in text
    finalise = page.locator("#task-finalise").inner_text()
    assert "Do task 2 (Record the application from the warden's corners) first." in finalise
    # the answer buttons are the app's, not the browser's grey default
    button = page.get_by_role("button", name="Save answer").first
    look = button.evaluate(_BUTTON_LOOK)
    assert look["bg"] not in ("rgb(239, 239, 239)", "rgb(240, 240, 240)", "rgba(0, 0, 0, 0)"), look
    assert look["border"] != "outset" and look["color"] == "rgb(255, 255, 255)", look
    assert int(look["weight"]) >= 600, look
    page.screenshot(path=str(SCREENSHOTS / "training-task-sheet.png"), full_page=True)
    assert problems == []
    context.close()


def test_trainer_board_speaks_plain_english(browser, eight_steps, training_url, profile):
    base, scenario, state = eight_steps
    with Session(get_engine(training_url)) as s:  # trainee1 records the application
        area = scenario.area("allocated-plot", "trainee1")
        lic = _apply(s, profile, state, "trainee1", "conteh", "artisanal", area, district="Kono")
        code = lic.code
        s.commit()
    context, page = _page(browser)
    problems = watched(page)
    _sign_in(page, base, "trainer", "trainer-2026")
    page.goto(f"{base}/training/trainer")
    page.wait_for_load_state("networkidle")
    heads = page.locator(".training-progress thead th .training-task-number").all_inner_texts()
    assert heads == [f"Task {n}." for n in range(1, len(scenario.tasks) + 1)]
    cell = page.locator("tr:has(th:text-is('trainee1')) td[data-task=approval]").inner_text()
    assert (
        f"{code}: stage 6 (Approved by the Regional Manager) not yet completed; "
        "a supervisor (the trainer) completes it." in cell
    )
    other = page.locator("tr:has(th:text-is('trainee2')) td[data-task=approval]").inner_text()
    assert "Do task 2 (Record the application from the warden's corners) first." in other
    board = page.locator("main").inner_text()
    assert "not yet grant " not in board and "step2-register" not in board
    page.screenshot(path=str(SCREENSHOTS / "training-trainer-board.png"), full_page=True)
    assert problems == []
    context.close()
