"""The register map, its search endpoint, and the npm map libraries served locally."""

from __future__ import annotations

import gzip
from functools import lru_cache

from flask import Response, abort, jsonify, render_template, request, send_from_directory
from flask_login import login_required

from cadastre.config import ROOT
from cadastre.officer import queries
from cadastre.officer.blueprint import bp
from cadastre.officer.common import reading
from cadastre.state import registry

NODE_MODULES = ROOT / "web" / "node_modules"
#: The only npm files the app serves (no directory listing, nothing else from node_modules).
VENDOR = {
    "maplibre-gl.js": "maplibre-gl/dist/maplibre-gl.js",
    "maplibre-gl.css": "maplibre-gl/dist/maplibre-gl.css",
    "mapbox-gl-draw.js": "@mapbox/mapbox-gl-draw/dist/mapbox-gl-draw.js",
    "mapbox-gl-draw.css": "@mapbox/mapbox-gl-draw/dist/mapbox-gl-draw.css",
}


@bp.get("/vendor/<name>")
def vendor(name: str):
    """Serve a pinned front-end library from web/node_modules (gzip, long cache, ETag)."""
    rel = VENDOR.get(name)
    if rel is None:
        abort(404)
    if "gzip" not in request.headers.get("Accept-Encoding", ""):
        return send_from_directory(NODE_MODULES, rel, max_age=7 * 24 * 3600)
    path = NODE_MODULES / rel
    body, etag = _gzipped(str(path), path.stat().st_mtime_ns)
    mimetype = "text/css" if name.endswith(".css") else "text/javascript"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "public, max-age=604800"
    response.set_etag(etag)
    return response.make_conditional(request)


@lru_cache(maxsize=8)
def _gzipped(path: str, mtime_ns: int) -> tuple[bytes, str]:
    """The file gzipped once per version (maplibre-gl.js: ~800 KB becomes ~210 KB)."""
    with open(path, "rb") as fh:
        raw = fh.read()
    return gzip.compress(raw, 9, mtime=0), f"{mtime_ns:x}-{len(raw):x}-gz"


@bp.get("/map")
@login_required
def map_page():
    """The register map over our own vector tiles."""
    profile = registry().profile
    return render_template(
        "map.html",
        basemap_url=registry().settings.basemap_url,
        types=list(profile.licence_types),
        tiers=[t.name for t in profile.tiers],
    )


@bp.get("/map/search")
@login_required
def map_search():
    """Licences by code or holder name (JSON, at most 10) with their bounding boxes."""
    with reading() as s:
        return jsonify({"results": queries.search(s, request.args.get("q", ""))})
