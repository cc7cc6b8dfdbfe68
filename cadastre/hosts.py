"""Which ``Host`` the register answers to, checked before anything reads it.

The map layers write absolute links (OGC API ``links``, TileJSON, the OpenAPI ``servers``)
from the request's root. Left alone, a spoofed ``Host`` header would end up in those links
(and in any cache in front of the server). Two settings close that (cadastre/config.py):

- ``CADASTRE_BASE_URL``: the public root (``https://cadastre.example.gov``); links are
  built from it, never from the request.
- ``CADASTRE_ALLOWED_HOSTS``: the host names a request may name (comma-separated; ``*``
  allows any). Default ``127.0.0.1,localhost``; the base URL's host is always allowed.

``HostGuard`` is consulted by the app's own WSGI entry (``CadastreFlask.__call__`` in
cadastre/app.py), before ``wsgi_app`` (the fast lanes, the training mount, Flask), so Flask,
the items lane and the tile lane never see another host: an unknown one is a 400
problem+json. granian, gunicorn and werkzeug all hand the client's
``Host`` header to the app as ``HTTP_HOST``; a request without one (HTTP/1.0) is judged
by ``SERVER_NAME``, as werkzeug reads it.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from cadastre.hardening import set_hardening_headers

#: Hosts allowed when CADASTRE_ALLOWED_HOSTS is not set (the base URL's host is added).
DEFAULT_HOSTS = ("127.0.0.1", "localhost")


def host_name(host: str) -> str:
    """``Example.org:8080`` -> ``example.org``; ``[::1]:5000`` -> ``[::1]``."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_hosts(setting: str, base_url: str = "") -> frozenset[str]:
    """The host names allowed by ``CADASTRE_ALLOWED_HOSTS`` (or its default) and the base URL."""
    names = [n for n in (part.strip() for part in setting.split(",")) if n] or DEFAULT_HOSTS
    hosts = {host_name(n) if n != "*" else n for n in names}
    base_host = urlsplit(base_url).netloc if base_url else ""
    if base_host:
        hosts.add(host_name(base_host))
    return frozenset(hosts)


def request_host(environ) -> str:
    """The host a WSGI request names (``Host``, else the server's name), without the port."""
    return host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))


class HostGuard:
    """Checks a WSGI request's host against the allow-list; refuses any other with a 400."""

    def __init__(self, hosts: frozenset[str], basemap_url: str = "") -> None:
        self.hosts = hosts
        self.any_host = "*" in hosts
        self.basemap_url = basemap_url

    def allows(self, environ) -> bool:
        """Whether this request names an allowed host."""
        return self.any_host or request_host(environ) in self.hosts

    def refuse(self, environ, start_response):
        """The 400 problem+json for a host outside the list (hardened like every answer)."""
        host = request_host(environ)
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Bad Request",
                "status": 400,
                "detail": f"This server does not answer to the host {host[:100]!r}; "
                "the administrator lists the allowed ones in CADASTRE_ALLOWED_HOSTS.",
            }
        ).encode()
        headers = [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(body))),
        ]
        start_response("400 BAD REQUEST", set_hardening_headers(headers, self.basemap_url))
        return [body]


def guard(settings) -> HostGuard:
    """The guard for these settings."""
    hosts = allowed_hosts(settings.allowed_hosts, settings.base_url)
    return HostGuard(hosts, settings.basemap_url)
