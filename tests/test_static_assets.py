"""The app's own CSS, JS and icon: fingerprinted URLs cached for a year, the rest revalidated,
and /favicon.ico answered (every browser asks for it)."""

from __future__ import annotations

import hashlib
import re

from cadastre.config import ROOT
from cadastre.static_assets import IMMUTABLE

STATIC = ROOT / "web" / "static"


def _hash(rel: str) -> str:
    return hashlib.sha256((STATIC / rel).read_bytes()).hexdigest()[:12]


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_the_app_files_by_their_content_hash(client, empty_register):
    urls = _static_urls(client.get("/login").get_data(as_text=True))
    assert f"/static/css/app.css?v={_hash('css/app.css')}" in urls
    assert f"/static/favicon.svg?v={_hash('favicon.svg')}" in urls
    ogc = _static_urls(client.get("/?f=html").get_data(as_text=True))
    assert f"/static/favicon.svg?v={_hash('favicon.svg')}" in ogc
    assert all("?v=" in url for url in urls + ogc), urls + ogc


def test_a_fingerprinted_file_is_cached_for_a_year(client, empty_register):
    url = f"/static/js/licence.js?v={_hash('js/licence.js')}"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.get_data() == (STATIC / "js" / "licence.js").read_bytes()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    # Revalidation of a fingerprinted URL (a forced reload) keeps the year.
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == IMMUTABLE


def test_unversioned_or_stale_urls_keep_revalidation(client, empty_register):
    for url in ("/static/css/app.css", "/static/css/app.css?v=0123456789ab"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache", url


def test_a_signed_in_page_gets_the_same_cached_files(client, empty_register, session):
    from cadastre.services.users import add_user

    add_user(session, "static_officer", "officer", password="correct-horse-battery")
    session.flush()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    client.post(
        "/login",
        data={
            "username": "static_officer",
            "password": "correct-horse-battery",
            "csrf_token": token.group(1),
        },
    )
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    url = next(u for u in _static_urls(dashboard.get_data(True)) if "app.css" in u)
    assert client.get(url).headers["Cache-Control"] == IMMUTABLE  # not "private, no-store"


def test_favicon_ico_leads_to_the_svg_icon(client, empty_register):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.headers["Location"] == "/static/favicon.svg"
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert icon.get_data().startswith(b"<svg")
