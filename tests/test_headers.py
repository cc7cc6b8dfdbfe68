"""Hardening headers on every path (Flask, the items lane, the tile lane), Secure cookies by
default, and a CSP that our pages live with (the browser tests see no violation)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from werkzeug.test import Client

from cadastre.app import create_app
from cadastre.config import Settings
from cadastre.hardening import hardening_headers
from cadastre.ogc.lane import ItemsLane
from cadastre.tiles.lane import TileLane

TILE = "/collections/countries/tiles/WebMercatorQuad/5/15/14"
ITEMS = "/collections/countries/items?limit=1"


def _assert_hardened(response, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp, where
    assert "frame-ancestors 'none'" in csp, where
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where


@pytest.mark.parametrize(
    "path",
    ["/login", "/", "/?f=html", "/collections", "/api/openapi.json", "/healthz",
     "/no-such-page", "/static/js/licence.js", "/collections/countries/items?f=html"],
)
def test_flask_responses_carry_the_hardening_headers(client, empty_register, path):
    _assert_hardened(client.get(path), path)


def test_the_lanes_set_the_same_headers_without_flask(app, empty_register):
    assert isinstance(app.wsgi_app, TileLane) and isinstance(app.wsgi_app.wsgi_app, ItemsLane)
    flask_only = Client(lambda e, s: app.wsgi_app.wsgi_app.wsgi_app(e, s))
    lanes = Client(app)
    for url, headers in ((TILE, {}), (ITEMS, {})):
        via_lane, via_flask = lanes.get(url, headers=headers), flask_only.get(url, headers=headers)
        assert via_lane.status_code == 200
        _assert_hardened(via_lane, url)
        assert list(via_lane.headers.items()) == list(via_flask.headers.items())
    etag = lanes.get(TILE).headers["ETag"]
    not_modified = lanes.get(TILE, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    _assert_hardened(not_modified, "tile 304")


def test_the_training_workspace_is_hardened_too(app, settings):
    training = create_app(replace(settings, workspace="training", training_database_url=""))
    _assert_hardened(training.test_client().get("/login"), "training /login")


def test_a_basemap_origin_is_allowed_for_tiles_only():
    csp = dict(hardening_headers("https://{s}.tile.example.org/{z}/{x}/{y}.png"))[
        "Content-Security-Policy"
    ]
    assert "img-src 'self' data: blob: https://*.tile.example.org" in csp
    assert "connect-src 'self' https://*.tile.example.org" in csp
    assert "script-src 'self';" in csp


def test_cookies_are_secure_by_default(database_url):
    settings = Settings.from_env(environ={}, database_url=database_url, secret_key="k")
    assert settings.secure_cookies is True
    client = create_app(settings).test_client()
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    off = Settings.from_env(environ={"CADASTRE_SECURE_COOKIES": "0"}, database_url=database_url)
    assert off.secure_cookies is False


def test_the_print_page_has_no_inline_script():
    from cadastre.config import ROOT

    for template in (ROOT / "web" / "templates").rglob("*.html"):
        html = template.read_text()
        assert "onclick=" not in html and "javascript:" not in html, template
        assert "<script>" not in html, template
