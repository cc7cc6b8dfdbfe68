"""Browser tests: Playwright driving Debian's Chromium against a live server.

Run with ``pytest -m browser tests/web``; screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re

import pytest
from pyproj import Transformer
from shapely.geometry import box, mapping

from tests.web.conftest import GRANTED_BOX, sign_in, wait_until
from tests.web.walk_support import walk_committed

pytestmark = pytest.mark.browser

_TO_UTM29 = Transformer.from_crs("EPSG:4326", "EPSG:32629", always_xy=True)


def utm29_corners(lon0, lat0, lon1, lat1) -> str:
    """A rectangle's corners as a surveyor would type them in UTM 29N."""
    lines = []
    for i, (lon, lat) in enumerate([(lon0, lat0), (lon1, lat0), (lon1, lat1), (lon0, lat1)], 1):
        e, n = _TO_UTM29.transform(lon, lat)
        lines.append(f"P{i} {e:.1f} {n:.1f}")
    return "\n".join(lines)


def shot(page, screenshots, name):
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)


def fill_application(page, holder_label, licence_type="small_scale", commodity="Diamond"):
    page.get_by_label("An existing holder").check()
    page.get_by_label("Find a holder").fill(holder_label[:6])  # search as you type
    page.get_by_label(holder_label).check()
    page.get_by_label("Licence type").select_option(licence_type)
    page.get_by_label(commodity, exact=True).check()


def test_sign_in_wrong_password_and_sign_out(page, screenshots):
    page.goto("/dashboard")
    assert "/login" in page.url  # anonymous visitors are sent to sign in
    page.get_by_label("Username").fill("web_officer")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert "username or password is not right" in alert.inner_text()
    assert page.get_by_label("Username").input_value() == "web_officer"  # kept
    shot(page, screenshots, "login-refused")
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_role("link", name="New application").is_visible()
    shot(page, screenshots, "dashboard")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")
    assert "You have signed out" in page.content()
    page.goto("/licences")
    assert "/login" in page.url


def test_officer_utm_corners_conflict_check_then_supervisor_grants(
    page, browser, live_server, web_register, screenshots, database_url
):
    sign_in(page, "officer")
    page.goto("/licences/new")
    fill_application(page, "Moa River Miners Cooperative (cooperative)")
    page.get_by_label("Type the corners").check()
    page.get_by_label("Corner notation").select_option("utm29")
    # First an area that overlaps the granted licence: the check must show the conflict.
    g = GRANTED_BOX
    page.get_by_label("Corners, one per line").fill(
        utm29_corners(g[0] + 0.005, g[1] + 0.004, g[2] + 0.005, g[3] + 0.004)
    )
    page.get_by_role("button", name="Check the area").click()
    conflicts = page.locator("#check-conflicts")
    conflicts.wait_for()
    assert "1 conflicting licence" in conflicts.inner_text()
    assert web_register["granted_code"] in conflicts.inner_text()
    assert "still free" in page.locator("#check-result").inner_text()
    page.wait_for_timeout(800)  # let the map draw the overlap
    shot(page, screenshots, "new-application-conflict")
    # Move the area clear of it, check again, and register.
    corners = utm29_corners(g[2] + 0.002, g[1], g[2] + 0.008, g[1] + 0.006)
    page.get_by_label("Corners, one per line").fill(corners)
    page.get_by_role("button", name="Check the area").click()
    page.locator("#check-conflicts", has_text="the ground is free").wait_for()
    page.get_by_role("button", name="Register application").click()
    page.wait_for_url(re.compile(r"/licences/\d+$"))
    heading = page.get_by_role("heading", level=1).inner_text()
    code = re.search(r"SML/\d{4}/\d{4}", heading).group(0)
    licence_url = page.url
    assert "application" in heading.lower()
    assert page.locator(".timeline .event-apply").count() == 1
    assert "Confirm grant" not in page.content()  # officers do not decide

    # Its procedure's first stages are walked (the clerk's lodging, the GPS check, the
    # Board's minutes); the Director records the Minister's decision through the stage form.
    lid = int(licence_url.rsplit("/", 1)[1])
    assert walk_committed(database_url, lid, until="board_recommendation") == (
        "application",
        "decision",
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server)
    sup = context.new_page()
    sign_in(sup, "supervisor")
    sup.goto(licence_url)
    assert "Confirm grant" not in sup.content()  # the procedure decides, not a button
    form = sup.locator("#stage-form")
    assert form.get_attribute("action").endswith(f"/licences/{lid}/stages/decision")
    form.get_by_label("Note (optional)").fill("File complete; ground free; fees paid.")
    form.get_by_role("button", name="Complete this stage").click()
    sup.locator(".flash-success").wait_for()
    assert f"{code}: stage 4 of 6 complete" in sup.locator(".flash-success").inner_text()
    assert sup.locator("h1 .tag-approved").is_visible()
    # the fee paid and the licence issued, as Finance and the clerk would
    assert walk_committed(database_url, lid) == ("granted", None)
    sup.goto(licence_url)
    assert sup.locator("h1 .tag-granted").is_visible()
    history = sup.locator(".timeline").inner_text()
    assert "Approve by web_supervisor" in history and "Apply by web_officer" in history
    assert "File complete; ground free; fees paid." in history
    sup.locator("#licence-map canvas").wait_for()
    sup.wait_for_timeout(800)
    shot(sup, screenshots, "licence-granted")
    sup.goto(licence_url + "/print")
    sup.wait_for_timeout(800)
    shot(sup, screenshots, "licence-print")
    context.close()


def test_officer_registers_by_uploaded_geojson(page, tmp_path, screenshots):
    path = tmp_path / "area.geojson"
    area = box(-11.30, 8.00, -11.294, 8.006)
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": {"name": "plot"}, "geometry": mapping(area)}
                ],
            }
        )
    )
    sign_in(page, "officer")
    page.goto("/licences/new")
    fill_application(page, "Kono Diamond Works Ltd (company)", commodity="Gold")
    page.get_by_label("Upload a file").check()
    page.get_by_label("Boundary file").set_input_files(str(path))
    # A refusal first (no licence type): everything else must be kept.
    page.get_by_label("Licence type").select_option("")
    page.get_by_role("button", name="Register application").click()
    assert "Choose a licence type." in page.locator(".has-error").first.inner_text()
    assert page.get_by_label("Gold", exact=True).is_checked()
    assert page.get_by_label("Upload a file").is_checked()
    assert page.locator("#upload-kept").is_visible()  # the uploaded area is kept
    shot(page, screenshots, "new-application-refused")
    page.get_by_label("Licence type").select_option("small_scale")
    page.get_by_role("button", name="Register application").click()
    page.wait_for_url(re.compile(r"/licences/\d+$"))
    assert "Application SML/" in page.locator(".flash-success").inner_text()
    assert "Kono Diamond Works Ltd" in page.content()


def test_viewer_sees_no_actions_and_is_refused(page, web_register, screenshots):
    sign_in(page, "viewer")
    page.wait_for_url("**/dashboard")
    assert page.get_by_role("link", name="New application").count() == 0
    page.goto(f"/licences/{web_register['pending']}")
    assert page.locator("#no-actions").is_visible()
    assert page.locator("details.action").count() == 0
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    response = page.request.post(
        f"/licences/{web_register['pending']}/actions/grant",
        form={"grant-csrf_token": token, "grant-reason": "trying anyway"},
    )
    assert response.status == 403
    assert "You may not do this" in response.text()
    page.goto("/licences/new")
    assert "You may not do this" in page.content()
    shot(page, screenshots, "viewer-refused")


def test_form_without_csrf_token_is_refused(page, web_register):
    sign_in(page, "supervisor")
    page.wait_for_url("**/dashboard")
    response = page.request.post(
        f"/licences/{web_register['pending']}/actions/refuse",
        form={"refuse-reason": "no token"},
    )
    assert response.status == 400
    assert "form has expired or was not sent from this site" in response.text()
    page.goto(f"/licences/{web_register['pending']}")
    assert page.locator("h1 .tag-application").is_visible()  # nothing changed


def _weigh(page, path: str) -> tuple[int, list[str]]:
    """Bytes over the wire (encoded bodies plus headers) to load ``path``, tiles excluded."""
    seen: list = []

    def keep(request):
        seen.append(request)

    page.on("requestfinished", keep)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    page.remove_listener("requestfinished", keep)
    total, urls = 0, []
    for request in seen:
        if "/tiles/" in request.url:
            continue
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        urls.append(request.url)
    return total, urls


def test_page_weight_under_500_kb(page, web_register, screenshots):
    cdp = page.context.new_cdp_session(page)  # every page as a first visit: no HTTP cache
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    login_bytes, login_urls = _weigh(page, "/login")
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    list_bytes, list_urls = _weigh(page, "/licences")
    licence_bytes, _ = _weigh(page, f"/licences/{web_register['granted']}")
    map_bytes, _ = _weigh(page, "/map")
    report = (
        f"page weight (first load, before tiles): login {login_bytes / 1024:.0f} KB, "
        f"licence list {list_bytes / 1024:.0f} KB, licence page {licence_bytes / 1024:.0f} KB, "
        f"map {map_bytes / 1024:.0f} KB"
    )
    (screenshots / "page-weight.txt").write_text(report + "\n")
    print(report)
    assert not any("maplibre" in url for url in login_urls + list_urls)  # no map, no map library
    for size in (login_bytes, list_bytes, licence_bytes, map_bytes):
        assert size < 500 * 1024, report


def test_list_filters_csv_and_tablet_width(page, web_register, screenshots):
    sign_in(page, "officer")
    page.wait_for_url("**/dashboard")
    page.goto("/licences")
    page.get_by_label("Type").select_option("small_scale")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("#licence-table tbody tr").count() >= 1
    assert web_register["granted_code"] in page.locator("#licence-table").inner_text()
    page.get_by_role("link", name="Code", exact=True).click()  # sort by code
    assert "sort=code" in page.url
    shot(page, screenshots, "licences-list")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    text = open(info.value.path()).read()
    assert text.splitlines()[0].startswith("id,code,licence_type,status")
    assert all(",small_scale," in line for line in text.splitlines()[1:])
    page.set_viewport_size({"width": 800, "height": 1100})
    for path in (
        "/dashboard",
        "/licences",
        "/licences/new",
        f"/licences/{web_register['granted']}",
    ):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, path
    page.goto("/dashboard")
    shot(page, screenshots, "dashboard-tablet")


def test_keyboard_reaches_the_sign_in_form(page):
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    for _ in range(3):  # past the site name to the first input
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "username":
            break
    assert page.evaluate("document.activeElement.id") == "username"
    page.keyboard.type("web_viewer")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard")


def test_map_loads_tiles_and_shows_legend(page, live_server, screenshots):
    probe = page.request.get("/collections/licences/tiles/WebMercatorQuad/6/30/29")
    if probe.status == 404:
        pytest.skip("the vector tile endpoint (issue 5) is not in the app yet")
    sign_in(page, "viewer")
    page.wait_for_url("**/dashboard")
    with page.expect_response(
        lambda r: "/collections/licences/tiles/WebMercatorQuad/" in r.url, timeout=20_000
    ) as tile:
        page.goto("/map")
    assert tile.value.status in (200, 204)
    legend = page.locator("#legend")
    assert legend.is_visible()
    text = legend.inner_text().lower()
    assert "border tier" in text and "artisanal" in text
    page.get_by_label("Find a licence by code or holder").fill("Kono")
    page.get_by_role("button", name="Find").click()
    page.locator("#map-results .result").first.click()
    page.locator(".maplibregl-popup", has_text="Open licence page").wait_for()
    page.wait_for_timeout(1500)
    # Click the licence itself: the popup is built from the tile's properties.
    page.keyboard.press("Escape")
    page.evaluate("document.querySelectorAll('.maplibregl-popup').forEach(p => p.remove())")
    canvas = page.locator("#register-map canvas").bounding_box()
    page.mouse.click(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] / 2)
    popup = page.locator(".maplibregl-popup", has_text="Kono Diamond Works Ltd")
    popup.wait_for()
    assert "granted" in popup.inner_text()
    shot(page, screenshots, "map")
    popup.get_by_role("link", name="Open licence page").click()
    page.wait_for_url(re.compile(r"/licences/\d+$"))
    page.go_back()
    page.locator("#register-map canvas").wait_for()
    page.get_by_label("Licences", exact=True).uncheck()
    assert (
        page.evaluate("window.cadastreMap.getLayoutProperty('licences-fill', 'visibility')")
        == "none"
    )


def test_officer_draws_the_area_on_the_map(page, screenshots):
    sign_in(page, "officer")
    page.goto("/licences/new")
    fill_application(page, "Kono Diamond Works Ltd (company)", licence_type="reconnaissance")
    page.get_by_label("Draw on the map").check()
    canvas = page.locator("#new-map canvas")
    canvas.wait_for()
    page.locator(".mapbox-gl-draw_polygon").wait_for()
    page.locator(".mapbox-gl-draw_polygon").click()
    box_ = canvas.bounding_box()
    cx, cy = box_["x"] + box_["width"] / 2, box_["y"] + box_["height"] / 2
    for dx, dy in [(-30, -30), (30, -30), (30, 30), (-30, 30)]:
        page.mouse.click(cx + dx, cy + dy)
        page.wait_for_timeout(150)
    page.mouse.click(cx - 30, cy - 30)  # the first corner again closes the polygon
    drawn = page.locator("input[name='drawn_geometry']")
    wait_until(page, "document.querySelector(\"input[name='drawn_geometry']\").value !== ''")
    geometry = json.loads(drawn.input_value())
    assert geometry["type"] == "Polygon" and len(geometry["coordinates"][0]) == 5
    page.get_by_role("button", name="Check the area").click()
    page.locator("#check-result", has_text="Within the limit").wait_for()
    shot(page, screenshots, "new-application-drawn")
    page.get_by_role("button", name="Register application").click()
    page.wait_for_url(re.compile(r"/licences/\d+$"))
    assert "Application RL/" in page.locator(".flash-success").inner_text()
