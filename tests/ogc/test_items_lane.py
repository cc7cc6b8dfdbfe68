"""The items lane answers plain GeoJSON items GETs as the Flask view does, and only those."""

import re

import pytest
from werkzeug.test import Client

from cadastre.ogc.lane import ItemsLane
from tests.conftest import fail_once

ITEMS = "/collections/licences/items"
STAMP = re.compile(rb'"timeStamp":"[^"]+"')


@pytest.fixture
def lane(app):
    """The items lane in the app's WSGI chain (behind the tile lane)."""
    found = app.wsgi_app
    while not isinstance(found, ItemsLane):
        found = found.wsgi_app
    return found


def _answer(client, url, headers=None):
    r = client.get(url, headers=headers or {})
    # The page's timeStamp is the second it was written: the only part allowed to differ.
    return r.status, list(r.headers.items()), STAMP.sub(b'"timeStamp":"-"', r.get_data())


def test_lane_and_flask_give_the_same_pages(app, lane, register):
    flask_path, via_lane = Client(lane.wsgi_app), Client(app)
    urls = [
        ITEMS,
        f"{ITEMS}?limit=5",
        f"{ITEMS}?limit=5&offset=5",
        f"{ITEMS}?limit=3&bbox=-10.98,8.63,-10.90,8.66",
        f"{ITEMS}?limit=2&crs=http://www.opengis.net/def/crs/EPSG/0/32629",
        f"{ITEMS}?properties=code,status&sortby=-code&limit=4",
        f"{ITEMS}?status=granted&f=json",
        f"{ITEMS}?filter=border_tier%3D%27high%27&filter-lang=cql2-text",
        f"{ITEMS}?datetime=2025-01-01T00:00:00Z/..&limit=2&f=geojson",
        f"{ITEMS}?bbox=0,0,1,1",  # nothing matches
        "/collections/countries/items?limit=1&properties=iso_a3",
        f"{ITEMS}/{register[0]}",
        f"{ITEMS}/{register[1]}?crs=http://www.opengis.net/def/crs/EPSG/0/3857&f=json",
        f"{ITEMS}/{register[2]}?properties=code,border_tier",
    ]
    for url in urls:
        for accept in (None, "application/json", "application/geo+json,text/html;q=0.5"):
            headers = {"Accept": accept} if accept else {}
            expected = _answer(flask_path, url, headers)
            assert expected[0] == "200 OK", (url, expected[2][:300])
            assert _answer(via_lane, url, headers) == expected, url


def test_lane_answers_without_flask_and_hands_everything_else_over(app, lane, register):
    calls = []
    inner = lane.wsgi_app

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"] + "?" + environ.get("QUERY_STRING", ""))
        return inner(environ, start_response)

    lane.wsgi_app = counting
    client = app.test_client()
    page = client.get(f"{ITEMS}?limit=5")
    assert page.status_code == 200 and page.get_json()["numberReturned"] == 5
    assert client.get(f"{ITEMS}?f=json").status_code == 200
    feature = client.get(f"{ITEMS}/{register[0]}")
    assert feature.status_code == 200 and str(feature.get_json()["id"]) == str(register[0])
    assert calls == []  # all three answered by the lane
    etag = page.headers["ETag"]
    handed = [
        (f"{ITEMS}?limit=5", {"If-None-Match": etag}, 304),  # the view's 304 path
        (f"{ITEMS}?limit=5", {"If-Modified-Since": page.headers["Last-Modified"]}, 304),
        (f"{ITEMS}?f=html", {}, 200),
        (f"{ITEMS}?", {"Accept": "text/html"}, 200),
        (f"{ITEMS}?limit=zero", {}, 400),  # Flask's OGC exception
        (f"{ITEMS}?f=xml", {}, 400),
        ("/collections/nope/items?", {}, 404),
        (f"{ITEMS}/{register[0]}?", {"If-None-Match": feature.headers["ETag"]}, 304),
        (f"{ITEMS}/{register[0]}?limit=1", {}, 400),  # not a parameter of one feature
        (f"{ITEMS}/999999999?", {}, 404),
        (f"{ITEMS}/abc?", {}, 404),
        (f"{ITEMS}/0{register[0]}?", {}, 200),  # not the canonical number: Flask's
    ]
    for url, headers, status in handed:
        assert client.get(url, headers=headers).status_code == status, url
    assert calls == [u if "?" in u else u + "?" for u, _h, _s in handed]
    bad = client.get(f"{ITEMS}?limit=zero").get_json()
    assert bad["code"] == "InvalidParameterValue" and "limit" in bad["description"]
    calls.clear()
    assert client.head(f"{ITEMS}?limit=1").status_code == 200
    client.set_cookie("session", "x")
    assert client.get(f"{ITEMS}?limit=1").status_code == 200  # with a cookie: Flask
    assert calls == [f"{ITEMS}?limit=1", f"{ITEMS}?limit=1"]


def test_lane_hands_a_failing_request_to_flask(app, lane, register, monkeypatch):
    import cadastre.ogc.lane as lane_module

    failures = fail_once(monkeypatch, lane_module.query, "read_items")
    r = app.test_client().get(f"{ITEMS}?limit=2")
    assert r.status_code == 200 and r.get_json()["numberReturned"] == 2
    assert len(failures) == 1  # the lane failed, Flask ran it again
