"""HTTP helpers shared by the OGC API, tiles and exports: format choice, links, CORS, 304s."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from urllib.parse import urlencode

from flask import Response, g, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header
from werkzeug.sansio.utils import get_current_url

from cadastre.ogc.errors import bad_parameter
from cadastre.state import registry

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Encoding, If-None-Match, If-Modified-Since",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Crs, Content-Encoding, Link",
}


_CORS_KEYS = {key.lower(): key for key in CORS_HEADERS}


def add_cors(response: Response) -> Response:
    """Let browser maps on other origins read our public layers (keeps headers already set)."""
    present = {key.lower() for key, _value in response.headers}  # one pass, no KeyErrors
    missing = [(key, CORS_HEADERS[key]) for low, key in _CORS_KEYS.items() if low not in present]
    if missing:
        response.headers.extend(missing)
    return response


def request_links() -> RequestLinks:
    """This request's :class:`RequestLinks` (made once a request)."""
    links = g.get("_request_links")
    if links is None:
        links = g._request_links = RequestLinks.of(request, registry().settings.base_url)
    return links


@lru_cache(maxsize=256)
def _root_url(scheme: str, host: str, root: str) -> str:
    # ``request.url_root`` (the mount point included: the training workspace's links stay
    # under /training) without its IRI decoding on every request (``request.host``, which
    # checks trusted hosts, is still read per request).
    return get_current_url(scheme, host, root).rstrip("/")


class RequestLinks:
    """The links of one request: its API root and its arguments, encoded once.

    Free of Flask, so the views (through ``request_links``) and the items lane, which
    answers without the Flask request cycle, write the same links from the same request.
    """

    def __init__(self, base: str, args) -> None:
        self.base = base
        self._args = args  # a MultiDict of the query arguments
        self._encoded: list[tuple[str, str]] | None = None
        self._plain: str | None = None

    @classmethod
    def of(cls, req, base_url: str = "") -> RequestLinks:
        """From a werkzeug or Flask request: under ``base_url`` (CADASTRE_BASE_URL) when set,
        else under the request's own root, its host already checked (cadastre/hosts.py)."""
        if base_url:
            return cls(base_url.rstrip("/") + req.script_root.rstrip("/"), req.args)
        return cls(_root_url(req.scheme, req.host, req.script_root), req.args)

    def query_string(self, drop=("f",), **replace) -> str:
        """The request's query string without ``drop`` and with ``replace`` applied."""
        if drop == ("f",) and not replace:  # the ETag and the self link both need it
            if self._plain is None:
                self._plain = self._joined(drop, replace)
            return self._plain
        return self._joined(drop, replace)

    def _joined(self, drop, replace) -> str:
        parts = [pair for k, pair in self._encoded_args() if k not in drop and k not in replace]
        parts += [urlencode([(k, str(v))]) for k, v in replace.items() if v is not None]
        return "&".join(parts)

    def _encoded_args(self) -> list[tuple[str, str]]:
        """Each argument as (name, ``urlencode``d "name=value"), encoded once.

        ``urlencode`` of a list is its pairs' encodings joined by "&", so every variant (the
        plain query string, the HTML alternate, the next and previous pages) is a join of
        these, as before, without quoting the same values again for each link.
        """
        if self._encoded is None:
            self._encoded = [(k, urlencode([(k, v)])) for k, v in self._args.items(multi=True)]
        return self._encoded

    def href(self, path: str, qs: str = "") -> str:
        """An absolute link: plain path, with a query string only when there is one."""
        return f"{self.base}{path}" + (f"?{qs}" if qs else "")

    def self_links(self, path: str, json_type: str = JSON, title: str = "") -> list[dict]:
        """self (plain path, no ``f=``) and its HTML alternate."""
        return [
            link("self", self.href(path, self.query_string()), json_type,
                 f"This document{title}"),
            link("alternate", self.href(path, self.query_string(f="html")), HTML,
                 f"This document as HTML{title}"),
        ]  # fmt: skip


#: ``f=`` values that ask for (Geo)JSON.
JSON_FORMATS = ("json", "geojson", "jsonfg")


def output_format(json_type: str = JSON) -> str:
    """'html' or 'json', from ``f=`` first, then the Accept header (JSON by default)."""
    args = request.args
    f = args["f"] if "f" in args else None  # no KeyError raised and caught when absent
    if f is not None:
        if f in JSON_FORMATS:
            return "json"
        if f == "html":
            return "html"
        raise bad_parameter("f", f"unknown format {f!r}; use json or html")
    return "html" if prefers_html(request.headers.get("Accept"), json_type) else "json"


@lru_cache(maxsize=128)
def prefers_html(accept: str | None, json_type: str = JSON) -> bool:
    """Whether this Accept header prefers HTML to ``json_type`` and JSON (werkzeug's reading,
    memoised; the views and the items lane read it alike)."""
    return parse_accept_header(accept, MIMEAccept).best_match([json_type, JSON, HTML]) == HTML


def query_string(drop=("f",), **replace) -> str:
    """The request's query string without ``drop`` and with ``replace`` applied."""
    return request_links().query_string(drop, **replace)


def href(path: str, qs: str = "") -> str:
    """An absolute link: plain path, with a query string only when there is one."""
    return request_links().href(path, qs)


def link(rel: str, url: str, type_: str, title: str | None = None, **extra) -> dict:
    """A link object."""
    out = {"rel": rel, "type": type_, "href": url}
    if title:
        out["title"] = title
    out.update(extra)
    return out


def self_links(path: str, json_type: str = JSON, title: str = "") -> list[dict]:
    """self (plain path, no ``f=``) and its HTML alternate."""
    return request_links().self_links(path, json_type, title)


def json_response(body, mimetype: str = JSON, status: int = 200) -> Response:
    """A JSON response (``body`` already text, or an object to dump)."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False, default=str)
    return add_cors(Response(text, status=status, mimetype=mimetype))


def html_response(template: str, **context) -> Response:
    """A rendered HTML page."""
    return add_cors(Response(render_template(template, **context), mimetype=HTML))


def strong_etag(*parts) -> str:
    """A strong entity tag from the parts that determine the representation."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:32]


def not_modified(etag: str, last_modified=None) -> Response | None:
    """A 304 when the client's validators still match, else None."""
    if request.if_none_match and request.if_none_match.contains(etag):
        return _304(etag, last_modified)
    if (
        not request.if_none_match
        and last_modified is not None
        and request.if_modified_since is not None
        and last_modified.replace(microsecond=0) <= request.if_modified_since
    ):
        return _304(etag, last_modified)
    return None


def _304(etag: str, last_modified) -> Response:
    response = Response(status=304)
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    return add_cors(response)
