"""The licence history in the browser: a supervisor transfers, renews and partly relinquishes a
licence through the pages; the history then says what changed, in words, with a map of the
ground before and after, and the pages log no console error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from shapely.geometry import box

from cadastre.config import Settings
from cadastre.db import session_factory, unit_of_work
from cadastre.profile import load_profile
from cadastre.services.licences import register_application
from tests.web.conftest import sign_in, wait_until, watched
from tests.web.walk_support import walk_to_grant

pytestmark = pytest.mark.browser

#: A small-scale licence near Bo, granted almost a full term ago (renewal is due).
AREA = (-11.100, 7.950, -11.092, 7.958)
#: What the holder keeps after relinquishing: the western half.
KEPT = "7.950, -11.100\n7.950, -11.096\n7.958, -11.096\n7.958, -11.100"


@pytest.fixture(scope="module")
def due_licence(web_register, database_url):
    """A granted small-scale licence of the first holder, expiring in about 60 days."""
    settings = Settings.from_env(database_url=database_url)
    profile = load_profile(settings.profile)
    now = datetime.now(UTC)
    with unit_of_work(session_factory(database_url)) as s:
        lic = register_application(
            s,
            profile,
            holder_id=web_register["holder"],
            licence_type="small_scale",
            commodities=["diamond"],
            geometry=box(*AREA),
            actor="seed",
            received_at=now - timedelta(days=4 * 365 - 30),
        )
        granted = now - timedelta(days=4 * 365 - 60)
        walk_to_grant(s, profile, lic.id, settings.documents_dir, at=granted)
        return {"id": lic.id, "code": lic.code, "expires": lic.expires_at, "area": lic.area_ha}


def _act(page, action: str, reason: str, fill=None) -> None:
    box_ = page.locator(f"#action-{action}")
    box_.locator("summary").click()
    if fill:
        fill(box_)
    box_.get_by_label(f"Reason for {action}").fill(reason)
    box_.get_by_role("button", name=f"Confirm {action}").click()
    page.locator(".flash-success").wait_for()


def _event_text(page, action: str) -> str:
    return page.locator(f".timeline li.event-{action}").first.inner_text()


def test_history_says_from_to_old_new_expiry_and_area_before_after(
    page, web_register, due_licence, screenshots
):
    problems = watched(page)
    sign_in(page, "supervisor")
    page.wait_for_url("**/dashboard")
    url = f"/licences/{due_licence['id']}"
    page.goto(url)

    pick = "Moa River Miners Cooperative (cooperative)"
    _act(
        page,
        "transfer",
        "Sale approved",
        lambda b: b.get_by_label("New holder").select_option(label=pick),
    )
    _act(page, "renew", "Renewal fee paid")
    _act(
        page,
        "relinquish",
        "Gives up the eastern half",
        lambda b: b.get_by_label("Kept area corners", exact=False).fill(KEPT),
    )

    transfer = _event_text(page, "transfer")
    assert "Transferred from Kono Diamond Works Ltd to Moa River Miners Cooperative." in transfer

    old = due_licence["expires"]
    new = old.replace(year=old.year + 4)
    renew = _event_text(page, "renew")
    assert f"Expiry extended from {old.isoformat()} to {new.isoformat()}." in renew

    relinquish = _event_text(page, "relinquish")
    before_ha = round(due_licence["area"], 2)
    assert f"Area reduced from {before_ha:,.2f} ha to " in relinquish
    after_ha = float(relinquish.split(" ha to ")[1].split(" ha")[0].replace(",", ""))
    assert 0.45 * before_ha < after_ha < 0.55 * before_ha
    assert (
        f"before: {before_ha:,.2f} ha" in relinquish and f"after: {after_ha:.2f} ha" in relinquish
    )

    # one map, for the one event that changed the ground; it draws both areas
    maps = page.locator(".history-map")
    assert maps.count() == 1
    wait_until(page, "document.querySelector('.history-map[data-drawn=yes] canvas') !== null")
    page.wait_for_load_state("networkidle")
    page.locator(".history-map").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "licence-history-changes.png"), full_page=True)
    page.wait_for_timeout(500)
    assert problems == []
    assert page.evaluate("window.__cspViolations") == []


def test_a_viewer_reads_the_same_public_names(page, web_register, due_licence):
    sign_in(page, "viewer")
    page.wait_for_url("**/dashboard")
    page.goto(f"/licences/{due_licence['id']}")
    history = page.locator(".timeline").inner_text()
    assert "Holder: Kono Diamond Works Ltd." in history
