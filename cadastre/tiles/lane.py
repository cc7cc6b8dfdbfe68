"""A short path for anonymous tile GETs, in front of the Flask request cycle.

A map asks for dozens of tiles a second per user, most of them answered from the tile
cache or with a 304, in well under a millisecond of database time. Flask's cycle around
such a request (request context, routing, session cookie, Flask-Login's remember-cookie
hook, blueprint and app after-request hooks, the response object) costs more than that:
about 0.15 ms of CPU here, most of a cached tile's total. ``TileLane`` answers a plain
``GET /collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}`` without it, through the same
``tile_answer`` the Flask view calls, with the same status, body and headers the Flask
path gives (CORS headers, ``Vary: Accept-Encoding, Cookie``, Content-Type/Length).

Everything else goes to Flask unchanged: other methods and paths, any request carrying a
cookie (a signed-in officer's session may be refreshed by Flask), unknown collections,
zooms or tiles out of range and non-canonical numbers (Flask's 404s), and any request
whose answer raised (Flask runs it again, for its error handling and logging; a tile is
read-only, so running it twice is harmless). It is installed in the register workspace
only: the training workspace marks every response in an after-request hook.
"""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask
from werkzeug.http import parse_accept_header

from cadastre.hardening import set_hardening_headers
from cadastre.ogc.collections import all_collections
from cadastre.ogc.http import CORS_HEADERS
from cadastre.tiles import documents
from cadastre.tiles.answer import tile_answer, tile_cache

_PATH = re.compile(
    r"/collections/([^/]+)/tiles/WebMercatorQuad/(0|[1-9][0-9]{0,2})/(0|[1-9][0-9]*)"
    r"/(0|[1-9][0-9]*)\Z"
)
_CORS = list(CORS_HEADERS.items())
_STATUS = {200: "200 OK", 204: "204 NO CONTENT", 304: "304 NOT MODIFIED"}


@lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether this Accept-Encoding header allows gzip (werkzeug's reading, memoised)."""
    return "gzip" in parse_accept_header(accept_encoding)


class TileLane:
    """WSGI middleware: tile GETs without cookies answered without the Flask cycle."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        """Answer a plain tile GET here; hand anything else to the app."""
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ:
            return self.wsgi_app(environ, start_response)
        match = _PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.wsgi_app(environ, start_response)
        coll = all_collections().get(match.group(1))
        z, y, x = int(match.group(2)), int(match.group(3)), int(match.group(4))
        if coll is None or not coll.minzoom <= z <= coll.maxzoom or x >= 2**z or y >= 2**z:
            return self.wsgi_app(environ, start_response)
        try:
            with self.app.app_context():
                status, headers, body = tile_answer(
                    tile_cache(), coll, z, x, y,
                    accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING")),
                    environ.get("HTTP_IF_NONE_MATCH"),
                )
        except Exception:  # noqa: BLE001 - Flask answers it (and logs it) its own way
            return self.wsgi_app(environ, start_response)
        # The Flask path's headers, in its order: the view's, Content-Type (not on a
        # 304), Content-Length (200), the CORS hook's, the hardening ones (the app's
        # after-request hook, the same function), and Cookie added to Vary by the session
        # (Flask-Login looks at the session on every response).
        out = [(k, "Accept-Encoding, Cookie" if k == "Vary" else v) for k, v in headers]
        if status != 304:
            out.append(("Content-Type", documents.MVT))
        if status == 200:
            out.append(("Content-Length", str(len(body))))
        out += _CORS
        set_hardening_headers(out, self.app.extensions["cadastre"].settings.basemap_url)
        start_response(_STATUS[status], out)
        return [body] if status == 200 else []


def install(app: Flask) -> Flask:
    """Put the tile lane in front of the app's WSGI callable (once)."""
    if not isinstance(app.wsgi_app, TileLane):
        app.wsgi_app = TileLane(app, app.wsgi_app)
    return app
