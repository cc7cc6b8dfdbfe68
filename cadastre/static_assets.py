"""The app's own CSS, JS and icon, fingerprinted: cached for a year, never stale.

Every ``url_for('static', filename=...)`` gets ``?v=<content hash>`` (a ``url_defaults``
hook, so every template and both workspaces get it without naming a helper). A request
whose ``v`` is the file's current hash is answered ``public, max-age=31536000, immutable``:
the browser never asks again, and a changed file has a new URL. A request without ``v``, or
with an old one, keeps Flask's ``no-cache`` (revalidated with the ETag), so a stale page
never pins an old file for a year.

The static files are served by Flask on every path (``cadastre run``, ``cadastre serve``
through granian's WSGI interface, gunicorn); the fast lanes never serve them. The hash is
read once per file version (keyed on its modification time), so an edited file in
development gets a new URL on the next page.

``/favicon.ico``, which browsers ask for on their own, is sent to the SVG icon every page
links with ``<link rel="icon">``.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from flask import Flask, redirect, request, url_for

#: What a fingerprinted file may be cached for (one year, the longest HTTP/1.1 allows).
IMMUTABLE = "public, max-age=31536000, immutable"
#: The SVG icon under web/static.
FAVICON = "favicon.svg"


@lru_cache(maxsize=256)
def _hash(path: str, mtime_ns: int, size: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (once per version of the file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def fingerprint(static_folder: str, filename: str) -> str | None:
    """The content hash of ``filename`` under ``static_folder`` (None: no such file)."""
    path = os.path.join(static_folder, filename)
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not os.path.isfile(path) or not os.path.realpath(path).startswith(
        os.path.realpath(static_folder) + os.sep
    ):
        return None
    return _hash(path, st.st_mtime_ns, st.st_size)


def init_app(app: Flask) -> None:
    """Fingerprint the static URLs, cache fingerprinted answers for a year, serve the icon."""
    folder = app.static_folder

    @app.url_defaults
    def _versioned(endpoint, values):
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = fingerprint(folder, values["filename"])
            if version is not None:
                values["v"] = version

    @app.after_request
    def _cache_fingerprinted(response):
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        version = request.args.get("v")
        filename = (request.view_args or {}).get("filename", "")
        if version and version == fingerprint(folder, filename):
            response.headers["Cache-Control"] = IMMUTABLE
            response.expires = None
        return response

    @app.get("/favicon.ico")
    def favicon():
        # Not to the fingerprinted URL: a redirect kept by a browser must not outlive it.
        response = redirect(url_for("static", filename=FAVICON, v=None), code=302)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response
