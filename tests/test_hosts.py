"""The Host header: links are built from CADASTRE_BASE_URL when set, else from the request's
host, and only for hosts in CADASTRE_ALLOWED_HOSTS; any other host is a 400 problem+json,
on the Flask path and the fast lanes alike (cadastre/hosts.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import requests

from cadastre.app import create_app
from cadastre.hosts import allowed_hosts, host_name, request_host
from tests.conftest import serving

SPOOF = {"Host": "evil.example"}
#: The Flask path, the items lane (anonymous GeoJSON page), the tile lane, the API.
PATHS = (
    "/collections",
    "/collections/countries/items?limit=1",
    "/collections/countries/tiles/WebMercatorQuad/5/15/14",
    "/api/openapi.json",
)


def test_host_names_lose_port_case_and_trailing_dot():
    assert host_name("Example.ORG:8080") == "example.org"
    assert host_name("example.org.") == "example.org"
    assert host_name("[::1]:5000") == "[::1]"
    assert host_name("127.0.0.1") == "127.0.0.1"
    assert request_host({"SERVER_NAME": "localhost", "SERVER_PORT": "80"}) == "localhost"


def test_the_allow_list_defaults_to_this_machine_plus_the_base_urls_host():
    assert allowed_hosts("") == {"127.0.0.1", "localhost"}
    assert allowed_hosts("", "https://Cadastre.example.gov/") == {
        "127.0.0.1",
        "localhost",
        "cadastre.example.gov",
    }
    assert allowed_hosts(" a.example , b.example:8443", "https://c.example") == {
        "a.example",
        "b.example",
        "c.example",
    }


@pytest.mark.parametrize("path", PATHS)
def test_an_unknown_host_is_refused_before_anything_reads_it(client, empty_register, path):
    r = client.get(path, headers=SPOOF)
    assert r.status_code == 400
    assert r.mimetype == "application/problem+json"
    body = r.get_json()
    assert body["status"] == 400 and "evil.example" in body["detail"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"  # hardened like every answer


def test_an_allowed_host_is_echoed_in_the_links_as_before(client, empty_register):
    for host in ("localhost", "127.0.0.1:5000"):
        links = client.get("/collections", headers={"Host": host}).get_json()["links"]
        assert links and all(link["href"].startswith(f"http://{host}/") for link in links)


@pytest.fixture
def based(settings, sessions):
    app = create_app(replace(settings, base_url="https://cadastre.example.gov/"))
    app.extensions["cadastre"].sessions = sessions
    return app


def test_the_base_url_builds_every_link_whatever_the_host(based, empty_register):
    client = based.test_client()
    for host in ("localhost", "cadastre.example.gov"):
        for path in ("/collections", "/collections/countries/items?limit=1"):  # view and lane
            body = client.get(path, headers={"Host": host}).get_json()
            assert body["links"], path
            for link in body["links"]:
                assert link["href"].startswith("https://cadastre.example.gov/"), (host, link)
    assert client.get("/collections", headers=SPOOF).status_code == 400
    servers = client.get("/openapi", headers={"Accept": "application/json"}).get_json()["servers"]
    assert servers == [{"url": "https://cadastre.example.gov"}]


def test_a_star_allows_any_host(settings, sessions, empty_register):
    app = create_app(replace(settings, allowed_hosts="*"))
    app.extensions["cadastre"].sessions = sessions
    links = app.test_client().get("/collections", headers=SPOOF).get_json()["links"]
    assert all(link["href"].startswith("http://evil.example/") for link in links)


def test_a_spoofed_host_through_a_real_server(app, empty_register):
    with serving(app) as url:
        for path in PATHS:
            r = requests.get(url + path, headers=SPOOF, timeout=30)
            assert r.status_code == 400, path
            assert r.headers["Content-Type"] == "application/problem+json"
        ok = requests.get(url + "/collections", timeout=30).json()
        assert all(link["href"].startswith(url) for link in ok["links"])
