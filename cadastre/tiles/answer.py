"""One tile request's answer (status, headers, body), for the Flask view and the tile lane.

Kept apart from the views so the lane (``cadastre.tiles.lane``), in front of Flask, imports
it without the blueprint.
"""

from __future__ import annotations

import time

from flask import current_app
from werkzeug.http import parse_etags, quote_etag

from cadastre.tiles.cache import CachedTile, TileCache
from cadastre.tiles.sql import current_etag, render_tile

#: Clients may reuse a tile this long, then revalidate with If-None-Match (a cheap 304).
CACHE_CONTROL = "public, max-age=60"


def tile_cache() -> TileCache:
    """The app's tile cache (created on first use; size 0 turns it off)."""
    cache = current_app.extensions.get("cadastre_tiles")
    if cache is None:
        cache = current_app.extensions["cadastre_tiles"] = TileCache()
    return cache


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
