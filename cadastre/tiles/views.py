"""Vector tiles (OGC API - Tiles, WebMercatorQuad): metadata, TileJSON and MVT with ETags."""

from __future__ import annotations

from flask import Blueprint, Response, request

from cadastre.ogc.collections import get_collection
from cadastre.ogc.errors import not_found
from cadastre.ogc.http import JSON, add_cors, html_response, json_response, output_format
from cadastre.ogc.query import extent
from cadastre.ogc.reading import autocommit_reads
from cadastre.tiles import documents
from cadastre.tiles.answer import tile_answer, tile_cache

bp = Blueprint("tiles", __name__)


@bp.after_request
def _cors(response: Response) -> Response:
    return add_cors(response)


def _doc(doc: dict, title: str):
    if output_format(JSON) == "html":
        return html_response("ogc/landing.html", doc=doc, title=title, links=doc.get("links"))
    return json_response(doc)


@bp.get("/tileMatrixSets")
def tile_matrix_sets():
    """The tile matrix sets offered (WebMercatorQuad)."""
    from cadastre.ogc.http import href, link

    doc = {
        "title": "Tile matrix sets",
        "tileMatrixSets": [
            {
                "id": "WebMercatorQuad",
                "title": "Google Maps Compatible for the World",
                "uri": documents.TMS_URI,
                "links": [link("self", href("/tileMatrixSets/WebMercatorQuad"), JSON)],
            }
        ],
        "links": [link("self", href("/tileMatrixSets"), JSON)],
    }
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
    with autocommit_reads() as session:
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
        tile_cache(),
        coll,
        z,
        x,
        y,
        "gzip" in request.accept_encodings,
        request.environ.get("HTTP_IF_NONE_MATCH"),
    )
    if status == 304:
        return Response(status=304, headers=headers)
    return Response(body, status=status, headers=headers, mimetype=documents.MVT)
