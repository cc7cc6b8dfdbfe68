"""``cadastre serve``: the app under granian (the production server) answers like under Flask.

Starts the real console script on a free port over the test database (committed data:
the boundaries only), then reads map layers, a tile through the tile lane, a page with a
form, a form POST with its CSRF cookie, and a JSON POST to the API. A second server with two
workers and no CADASTRE_SECRET_KEY proves every worker signs cookies with the same stored
key, and that the sign-in throttle counts failures across workers.
"""

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import text

from cadastre.db import session_factory, unit_of_work
from cadastre.services.users import add_user

CADASTRE = os.path.join(os.path.dirname(sys.executable), "cadastre")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serving(database_url, workers: int, **env_vars):
    """``cadastre serve`` with ``workers`` workers on a free port; yields its URL."""
    pytest.importorskip("granian")
    port = _free_port()
    env = {**os.environ, "CADASTRE_DATABASE_URL": database_url, **env_vars}
    env = {k: v for k, v in env.items() if v is not None}
    proc = subprocess.Popen(
        [CADASTRE, "serve", "--port", str(port), "--workers", str(workers), "--threads", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert proc.poll() is None, proc.stdout.read()
            try:
                if requests.get(f"{url}/conformance", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("cadastre serve did not answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(15)


@pytest.fixture(scope="module")
def served(database_url):
    # requests keeps Secure cookies for https only: this plain-http test server turns them off.
    with _serving(database_url, 1, CADASTRE_SECRET_KEY="serve", CADASTRE_SECURE_COOKIES="0") as url:
        yield url


def test_map_layers_and_tiles_under_granian(served):
    landing = requests.get(served + "/", headers={"Accept": "application/json"})
    assert landing.status_code == 200
    assert any(link["href"].startswith(served) for link in landing.json()["links"])
    countries = requests.get(served + "/collections/countries/items?limit=2")
    assert countries.status_code == 200
    assert countries.headers["Content-Type"] == "application/geo+json"
    assert countries.json()["numberMatched"] >= 4 and len(countries.json()["features"]) == 2
    tile = requests.get(served + "/collections/countries/tiles/WebMercatorQuad/5/15/14",
                        headers={"Accept-Encoding": "gzip"})
    assert tile.status_code == 200 and tile.headers["Content-Encoding"] == "gzip"
    assert tile.headers["Vary"] == "Accept-Encoding, Cookie"
    assert len(tile.content) > 100  # requests has decompressed it
    again = requests.get(tile.url, headers={"Accept-Encoding": "gzip",
                                            "If-None-Match": tile.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert requests.get(served + "/collections/nope/tiles/WebMercatorQuad/5/1/1").status_code == 404
    assert requests.get(served + "/healthz").status_code == 200


def test_granian_hands_the_host_header_to_the_guard(served):
    # granian passes the client's Host as HTTP_HOST: a spoofed one is refused on the Flask
    # path and both lanes alike, and an allowed one is what the links are built from.
    for path in ("/collections", "/collections/countries/items?limit=1",
                 "/collections/countries/tiles/WebMercatorQuad/5/15/14"):
        r = requests.get(served + path, headers={"Host": "evil.example"})
        assert r.status_code == 400 and r.headers["Content-Type"] == "application/problem+json"
    port = served.rsplit(":", 1)[1]
    links = requests.get(served + "/collections", headers={"Host": f"localhost:{port}"}).json()
    assert all(link["href"].startswith(f"http://localhost:{port}/") for link in links["links"])


def test_forms_cookies_and_json_posts_under_granian(served):
    browser = requests.Session()
    page = browser.get(served + "/login")
    assert page.status_code == 200 and "session" in browser.cookies
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    refused = browser.post(served + "/login",
                           data={"username": "nobody", "password": "not-it", "csrf_token": token})
    assert refused.status_code == 401 and "username or password is not right" in refused.text
    no_token = requests.post(served + "/login", data={"username": "nobody", "password": "x"})
    assert no_token.status_code == 400
    api = requests.post(served + "/api/holders", json={"name": "X", "kind": "company"},
                        headers={"Authorization": "Bearer not-a-token"})
    assert api.status_code == 401
    assert api.headers["Content-Type"] == "application/problem+json"



def test_fingerprinted_files_and_the_icon_under_granian(served):
    page = requests.get(served + "/login")
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', page.text).group(1)
    cached = requests.get(served + css)
    assert cached.status_code == 200 and cached.headers["Content-Type"].startswith("text/css")
    assert cached.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "default-src 'self'" in cached.headers["Content-Security-Policy"]
    plain = requests.get(served + "/static/css/app.css")
    assert plain.headers["Cache-Control"] == "no-cache"
    icon = requests.get(served + "/favicon.ico")
    assert icon.status_code == 200 and icon.headers["Content-Type"].startswith("image/svg+xml")
    assert icon.history[0].status_code == 302


SERVE_PASSWORD = "serve-password-1"


@pytest.fixture(scope="module")
def two_workers(database_url):
    """Two granian workers, CADASTRE_SECRET_KEY unset, and a committed user (removed after)."""
    sessions = session_factory(database_url)
    with unit_of_work(sessions) as s:
        add_user(s, "serve_officer", "officer", password=SERVE_PASSWORD)
    try:
        with _serving(database_url, 2, CADASTRE_SECRET_KEY=None,
                      CADASTRE_SECURE_COOKIES="0") as url:
            yield url
    finally:
        with unit_of_work(sessions) as s:
            s.execute(text("DELETE FROM sign_in_failures"))
            s.execute(text("DELETE FROM users WHERE username LIKE 'serve_%'"))


def _sign_in(url: str, username: str, password: str):
    browser = requests.Session()
    # A new connection per request, so requests land on either worker (keep-alive would
    # keep a whole sign-in on the worker that accepted the connection).
    browser.headers["Connection"] = "close"
    page = browser.get(url + "/login")
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    answer = browser.post(url + "/login", allow_redirects=False,
                          data={"username": username, "password": password, "csrf_token": token})
    return browser, answer


def test_every_sign_in_works_across_two_workers_without_a_configured_key(two_workers):
    for n in range(16):
        browser, answer = _sign_in(two_workers, "serve_officer", SERVE_PASSWORD)
        assert answer.status_code == 302, (n, answer.status_code, answer.text[:300])
        for _ in range(3):  # each page may be served by either worker
            page = browser.get(two_workers + "/dashboard", allow_redirects=False)
            assert page.status_code == 200, (n, page.status_code)
            assert "serve_officer" in page.text


def test_the_throttle_counts_failures_from_every_worker(two_workers):
    for _ in range(5):
        _browser, answer = _sign_in(two_workers, "serve_locked", "not-the-password")
        assert answer.status_code == 401
    _browser, answer = _sign_in(two_workers, "serve_locked", "not-the-password")
    assert answer.status_code == 429
    assert "Too many failed sign-ins for this account" in answer.text


def test_serve_refuses_a_training_workspace_as_the_register(database_url):
    # a register served from the training database would lose real work at the next reset
    from cadastre.migrate import upgrade
    from tests.conftest import scratch_database

    url = scratch_database(database_url, "h6servetraining")
    upgrade(url)
    with unit_of_work(session_factory(url)) as s:
        s.execute(text("INSERT INTO workspace (kind) VALUES ('training')"))
    env = {**os.environ, "CADASTRE_DATABASE_URL": url, "CADASTRE_TRAINING_DATABASE_URL": ""}
    done = subprocess.run(
        [CADASTRE, "serve", "--port", str(_free_port()), "--workers", "1"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode != 0, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "training workspace" in lines[0], done.stderr
