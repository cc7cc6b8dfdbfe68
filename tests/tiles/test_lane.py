"""The tile lane answers plain tile GETs exactly as the Flask view does, and only those."""

import math

import pytest
from werkzeug.test import Client

from cadastre.tiles.lane import TileLane
from tests.conftest import fail_once

TILES = "/collections/licences/tiles/WebMercatorQuad"


def tile_of(lon, lat, z):
    n = 2**z
    return int((lon + 180) / 360 * n), int(
        (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


@pytest.fixture
def lane(app):
    assert isinstance(app.wsgi_app, TileLane)
    return app.wsgi_app


def _flask_only(app, lane):
    """A client of the same app without the lane (the Flask request cycle only)."""
    return Client(lambda environ, start_response: app.wsgi_app.wsgi_app(environ, start_response))


def _answer(client, url, headers):
    r = client.get(url, headers=headers)
    return r.status, list(r.headers.items()), r.get_data()


@pytest.mark.parametrize("cache_on", [True, False])
def test_lane_and_flask_give_the_same_responses(app, lane, register, cache_on):
    from cadastre.tiles.cache import TileCache

    app.extensions["cadastre_tiles"] = TileCache(max_entries=64 if cache_on else 0)
    flask_path, via_lane = _flask_only(app, lane), Client(app)
    z = 14
    x, y = tile_of(-10.955, 8.642, z)
    ex, ey = tile_of(20.0, 50.0, 10)
    urls = [f"{TILES}/{z}/{y}/{x}", f"{TILES}/12/{y // 4}/{x // 4}", f"{TILES}/10/{ey}/{ex}"]
    seen = set()
    for url in urls:
        for encoding in ({}, {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "gzip;q=0"}):
            first = _answer(flask_path, url, encoding)
            assert _answer(via_lane, url, encoding) == first
            etag = dict(first[1])["ETag"]
            for inm in (etag, '"nope"', "*", etag.replace("-gz", "")):
                headers = {**encoding, "If-None-Match": inm}
                expected = _answer(flask_path, url, headers)
                assert _answer(via_lane, url, headers) == expected
                seen.add(expected[0])
    assert seen == {"200 OK", "204 NO CONTENT", "304 NOT MODIFIED"}


def test_lane_answers_without_flask_and_hands_everything_else_over(app, lane, register):
    calls = []
    inner = lane.wsgi_app

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    lane.wsgi_app = counting
    client = app.test_client()
    z = 14
    x, y = tile_of(-10.955, 8.642, z)
    url = f"{TILES}/{z}/{y}/{x}"
    assert client.get(url).status_code == 200
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert calls == []  # both answered by the lane
    handed = [
        f"{TILES}/3/4/3",  # below the min zoom: Flask's 404
        f"{TILES}/12/5000/5000",
        f"{TILES}/014/{y}/{x}",  # not a canonical number
        "/collections/nope/tiles/WebMercatorQuad/8/1/1",
        f"{TILES}/{z}/{y}/{x}/",
        "/collections/licences/items",
    ]
    for path in handed:
        client.get(path)
    assert client.head(url).status_code == 200
    client.set_cookie("session", "x")
    assert client.get(url).status_code == 200  # with a cookie: Flask (session refresh)
    assert calls == handed + [url, url]


def test_lane_hands_a_failing_request_to_flask(app, lane, register, monkeypatch):
    import cadastre.tiles.answer as answer

    z = 14
    x, y = tile_of(-10.955, 8.642, z)
    failures = fail_once(monkeypatch, answer, "render_tile")
    r = app.test_client().get(f"{TILES}/{z}/{y}/{x}")
    assert r.status_code == 200 and len(failures) == 1  # Flask ran it again
