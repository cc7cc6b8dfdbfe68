"""The register map stays on screen at narrow widths: beside the controls at 800 px, above
them on a phone; never pushed below the legend."""

from __future__ import annotations

import pytest

from tests.web.conftest import sign_in, wait_until

pytestmark = pytest.mark.browser

CANVAS = "#register-map canvas"
DRAWN = (
    "document.querySelector('#register-map canvas') !== null && "
    "document.querySelector('#register-map canvas').width > 0"
)


def _visible_part(page, selector: str) -> tuple[float, float]:
    """Width and height of the element's part inside the viewport (no scrolling)."""
    box = page.locator(selector).bounding_box()
    view = page.viewport_size
    width = min(box["x"] + box["width"], view["width"]) - max(box["x"], 0)
    height = min(box["y"] + box["height"], view["height"]) - max(box["y"], 0)
    return max(width, 0), max(height, 0)


@pytest.mark.parametrize(
    ("width", "height", "min_width", "min_height"),
    [(800, 600, 400, 400), (1024, 700, 600, 500), (390, 700, 350, 250)],
)
def test_the_map_is_in_view_at_narrow_widths(
    browser, live_server, screenshots, width, height, min_width, min_height
):
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, "viewer")
        page.wait_for_url("**/dashboard")
        page.goto("/map")
        wait_until(page, DRAWN)
        seen_width, seen_height = _visible_part(page, CANVAS)
        page.screenshot(path=str(screenshots / f"map-{width}x{height}.png"))
        assert seen_width >= min_width and seen_height >= min_height, (seen_width, seen_height)
        # The canvas is drawn at the size it is shown, not a stale 0 or 300x150 default.
        size = page.evaluate(
            "(() => { const c = document.querySelector('#register-map canvas');"
            " return [c.clientWidth, c.clientHeight]; })()"
        )
        assert size[0] >= min_width and size[1] >= min_height, size
        # The legend is still there, next to or under the map.
        page.locator("#legend").scroll_into_view_if_needed()
        assert page.locator("#legend").is_visible()
    finally:
        context.close()
