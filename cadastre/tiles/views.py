"""Vector tiles (OGC API - Tiles, WebMercatorQuad): metadata, TileJSON and MVT with ETags."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, request
from werkzeug.http import parse_etags, quote_etag

from cadastre.ogc.collections import get_collection
from cadastre.ogc.errors import not_found
from cadastre.ogc.http import JSON, add_cors, html_response, json_response, output_format
from cadastre.ogc.query import extent
from cadastre.ogc.reading import reading
from cadastre.tiles import documents
from cadastre.tiles.cache import CachedTile, TileCache
from cadastre.tiles.sql import current_etag, render_tile

bp = Blueprint("tiles", __name__)
#: Clients may reuse a tile this long, then revalidate with If-None-Match (a cheap 304).
CACHE_CONTROL = "public, max-age=60"


@bp.after_request
def _cors(response: Response) -> Response:
    return add_cors(response)


def tile_cache() -> TileCache:
    """The app's tile cache (created on first use; size 0 turns it off)."""
    cache = current_app.extensions.get("cadastre_tiles")
    if cache is None:
        cache = current_app.extensions["cadastre_tiles"] = TileCache()
    return cache


def _doc(doc: dict, title: str):
    if output_format(JSON) == "html":
        return html_response("ogc/landing.html", doc=doc, title=title, links=doc.get("links"))
    return json_response(doc)


@bp.get("/tileMatrixSets")
def tile_matrix_sets():
    """The tile matrix sets offered (WebMercatorQuad)."""
    from cadastre.ogc.http import href, link

    doc = {"title": "Tile matrix sets", "tileMatrixSets": [{
        "id": "WebMercatorQuad", "title": "Google Maps Compatible for the World",
        "uri": documents.TMS_URI,
        "links": [link("self", href("/tileMatrixSets/WebMercatorQuad"), JSON)]}],
        "links": [link("self", href("/tileMatrixSets"), JSON)]}
    return _doc(doc, "Tile matrix sets")


@bp.get("/tileMatrixSets/WebMercatorQuad")
def web_mercator_quad():
    """The WebMercatorQuad definition."""
    return _doc(documents.web_mercator_quad(), "WebMercatorQuad")


@bp.get("/collections/<collection_id>/tiles")
def tilesets(collection_id: str):
    """The collection's tilesets."""
    coll = get_collection(collection_id)
    return _doc(documents.tilesets(coll), f"{coll.title}: tilesets")


def _bbox(coll):
    with reading() as session:
        return extent(session, coll)


@bp.get("/collections/<collection_id>/tiles/WebMercatorQuad")
def tileset(collection_id: str):
    """Tileset metadata: limits per zoom, layer schema, the tile URL template."""
    coll = get_collection(collection_id)
    return _doc(documents.tileset(coll, _bbox(coll)), f"{coll.title}: tileset")


@bp.get("/collections/<collection_id>/tiles/WebMercatorQuad/tilejson.json")
def tilejson(collection_id: str):
    """TileJSON 3.0.0 of the collection's vector tiles."""
    coll = get_collection(collection_id)
    return json_response(documents.tilejson(coll, _bbox(coll)))


@bp.get("/collections/<collection_id>/tiles/WebMercatorQuad/<int:z>/<int:y>/<int:x>")
def tile(collection_id: str, z: int, y: int, x: int):
    """One MVT tile; strong ETag from the tile's data fingerprint, 304, gzip, cached.

    Without a cached copy or a validator, one statement builds the tile and its
    fingerprint. With either, the fingerprint alone is read first (an indexed count),
    which answers 304s and cache hits without encoding the tile. Anonymous GETs usually
    take the same path through ``cadastre.tiles.lane`` without the Flask request cycle.
    """
    coll = get_collection(collection_id)
    if not coll.minzoom <= z <= coll.maxzoom:
        raise not_found(f"{coll.id} has tiles at zoom {coll.minzoom} to {coll.maxzoom} only.")
    if x >= 2**z or y >= 2**z:
        raise not_found(f"There is no tile {z}/{y}/{x} in WebMercatorQuad.")
    status, headers, body = tile_answer(
        tile_cache(), coll, z, x, y,
        "gzip" in request.accept_encodings, request.environ.get("HTTP_IF_NONE_MATCH"),
    )
    if status == 304:
        return Response(status=304, headers=headers)
    return Response(body, status=status, headers=headers, mimetype=documents.MVT)


def tile_answer(cache: TileCache, coll, z: int, x: int, y: int, wants_gzip: bool,
                if_none_match: str | None) -> tuple[int, list[tuple[str, str]], bytes | None]:
    """(status, headers, body) of one tile request: 200, 204 (empty tile) or 304.

    ``headers`` are the tile's own (ETag, Cache-Control, Vary, Content-Encoding); the
    caller adds Content-Type and the CORS headers. Needs an app context (database).
    """
    inm = parse_etags(if_none_match) if if_none_match else None
    key = (coll.id, z, x, y)
    cached = cache.get(key)
    if cached is not None and cache.is_fresh(cached):
        if _matches(inm, cached.etag):
            return 304, _tile_headers(cached.etag, wants_gzip), None
    else:
        if cached is not None or inm:
            etag = current_etag(coll, z, x, y)  # cheap: no MVT encoding
            if cached is not None and cached.etag == etag:
                cached.checked_at = time.monotonic()
            elif cached is not None:
                cached = None
            if _matches(inm, etag):
                return 304, _tile_headers(etag, wants_gzip), None
        if cached is None:
            raw, etag = render_tile(coll, z, x, y)
            cached = CachedTile(etag, raw)
            cache.put(key, cached)
    if not cached.raw:
        return 204, _tile_headers(cached.etag, wants_gzip), None
    if wants_gzip:
        return 200, _tile_headers(cached.etag, True, "gzip"), cached.gzipped()
    return 200, _tile_headers(cached.etag, False), cached.raw


def _matches(inm, etag: str) -> bool:
    """If-None-Match holds this ETag, for either encoding of the same data."""
    return bool(inm) and (inm.contains(etag) or inm.contains(etag + "-gz"))


def _tile_headers(etag: str, gz: bool, encoding: str | None = None) -> list[tuple[str, str]]:
    headers = [
        ("ETag", quote_etag(etag + ("-gz" if gz else ""))),
        ("Cache-Control", CACHE_CONTROL),
        ("Vary", "Accept-Encoding"),
    ]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    return headers
