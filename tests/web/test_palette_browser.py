"""One palette: the web map's colours and the pages' swatches, bars and tags are the profile's."""

from __future__ import annotations

import colorsys

import pytest

from cadastre.palette import mix
from tests.web.conftest import sign_in, wait_until

pytestmark = pytest.mark.browser


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_map_and_css_colours_are_the_profiles(page, live_server, profile):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "viewer")
    page.wait_for_url("**/dashboard")
    # Dashboard bars by type and by status, coloured by /palette.css.
    for name, spec in profile.licence_types.items():
        bar = page.locator(f".bar-type-{name}").first
        assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(spec.colour)
    for name, status in profile.statuses.items():
        bar = page.locator(f".bar-status-{name}").first
        assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(status.colour)

    page.goto("/map")
    wait_until(page, "window.cadastreMap && window.cadastreMap.isStyleLoaded()")
    # The map script's palette and the fill expression it draws with.
    assert page.evaluate("window.Cadastre.TYPE_COLORS") == profile.palette()["types"]
    assert page.evaluate("window.Cadastre.STATUS_COLORS") == profile.palette()["statuses"]
    fill = page.evaluate("window.cadastreMap.getPaintProperty('licences-fill', 'fill-color')")
    flat = str(fill)
    for name, spec in profile.licence_types.items():
        assert f"'{name}', '{spec.colour}'" in flat
    assert profile.statuses["suspended"].colour in flat
    # The legend's swatches, from the same profile.
    for name, spec in profile.licence_types.items():
        swatch = page.locator(f"#legend .sw-type-{name}")
        assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(spec.colour)
        assert spec.label in swatch.locator("xpath=..").inner_text()

    page.goto("/licences")
    tag = page.locator(".tag-granted").first
    granted = profile.statuses["granted"]
    assert tag.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(
        mix(granted.colour, "#ffffff", 0.82)
    )
    assert tag.text_content() == granted.label
    assert errors == []


def test_pending_applications_do_not_look_like_the_sea(page, web_register, profile):
    """An application is drawn with a dashed outline in its own, non-blue status colour."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    colour = profile.statuses["application"].colour
    hue = colorsys.rgb_to_hsv(*(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    sea_hue = colorsys.rgb_to_hsv(0xCF / 255, 0xE3 / 255, 0xEF / 255)[0]  # the map's sea
    assert abs(hue - sea_hue) * 360 > 40, f"{colour} is the sea's blue"
    sign_in(page, "viewer")
    page.wait_for_url("**/dashboard")
    page.goto("/map")
    wait_until(page, "window.cadastreMap && window.cadastreMap.isStyleLoaded()")
    layer = "window.cadastreMap.getLayer('licences-pending-line')"
    assert page.evaluate(f"{layer} !== undefined")
    paint = "window.cadastreMap.getPaintProperty('licences-pending-line', '{}')"
    assert page.evaluate(paint.format("line-color")) == colour
    assert page.evaluate(paint.format("line-dasharray")) == [2, 1.5]
    sea = page.evaluate("window.cadastreMap.getPaintProperty('sea', 'background-color')")
    assert str(sea).lower() != colour
    swatch = page.locator("#legend .sw-pale")
    assert "dashed" in swatch.evaluate("e => getComputedStyle(e).borderTopStyle")
    assert errors == []
