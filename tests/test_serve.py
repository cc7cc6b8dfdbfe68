"""``cadastre serve``: the app under granian (the production server) answers like under Flask.

Starts the real console script on a free port over the test database (committed data:
the boundaries only), then reads map layers, a tile through the tile lane, a page with a
form, a form POST with its CSRF cookie, and a JSON POST to the API.
"""

import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

CADASTRE = os.path.join(os.path.dirname(sys.executable), "cadastre")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(database_url):
    pytest.importorskip("granian")
    port = _free_port()
    env = {**os.environ, "CADASTRE_DATABASE_URL": database_url, "CADASTRE_SECRET_KEY": "serve"}
    proc = subprocess.Popen(
        [CADASTRE, "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
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
