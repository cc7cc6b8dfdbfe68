"""The register map, its search endpoint, and the npm map libraries served locally."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request, send_from_directory
from flask_login import login_required

from cadastre.app import registry
from cadastre.config import ROOT
from cadastre.officer import bp, queries
from cadastre.officer.common import reading

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
    """Serve a pinned front-end library from web/node_modules (long cache)."""
    rel = VENDOR.get(name)
    if rel is None:
        abort(404)
    response = send_from_directory(NODE_MODULES, rel, max_age=7 * 24 * 3600)
    return response


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
