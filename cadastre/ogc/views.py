"""OGC API - Features at the root: thin views over the collection, query and document modules."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from cadastre.ogc import query
from cadastre.ogc.collections import all_collections, get_collection
from cadastre.ogc.display import display_bbox, display_value
from cadastre.ogc.documents import (
    CONFORMANCE,
    collection_doc,
    feature_schema,
    landing,
    queryables,
)
from cadastre.ogc.errors import bad_parameter, not_found
from cadastre.ogc.http import (
    GEOJSON,
    JSON,
    OPENAPI,
    SCHEMA,
    add_cors,
    href,
    html_response,
    json_response,
    not_modified,
    output_format,
    request_links,
    self_links,
)
from cadastre.ogc.items_page import (
    FEATURE_PARAMETERS,
    feature_collection,
    feature_document,
    feature_etag,
    feature_links,
    page_etag,
    page_links,
)
from cadastre.ogc.openapi import openapi_document
from cadastre.ogc.params import parse_items_query
from cadastre.ogc.reading import autocommit_reads
from cadastre.services.history import MAX_ID
from cadastre.state import registry

bp = Blueprint("ogc", __name__)
bp.add_app_template_filter(display_value, "ogc_value")
bp.add_app_template_filter(display_bbox, "ogc_bbox")
TITLE = "Mining cadastre map layers"


@bp.after_request
def _cors(response: Response) -> Response:
    return add_cors(response)


def _respond(doc: dict, template: str, mimetype: str = JSON, **context):
    if output_format(mimetype) == "html":
        return html_response(template, doc=doc, title=doc.get("title", TITLE), **context)
    return json_response(doc, mimetype)


@bp.get("/")
def landing_page():
    """Landing page with service-desc, conformance and data links."""
    return _respond(landing(TITLE), "ogc/landing.html")


@bp.get("/conformance")
def conformance():
    """The conformance classes this server implements."""
    doc = {"title": "Conformance", "conformsTo": CONFORMANCE, "links": self_links("/conformance")}
    return _respond(doc, "ogc/conformance.html")


@bp.get("/openapi")
def openapi():
    """The OpenAPI 3.0 definition of every path (features, tiles, exports)."""
    doc = openapi_document(href(""))
    if output_format(OPENAPI) == "html":
        return html_response("ogc/openapi.html", doc=doc, title="API definition")
    return json_response(doc, OPENAPI)


def _collection_doc(session, coll):
    return collection_doc(coll, query.extent(session, coll), query.temporal_extent(session, coll))


@bp.get("/collections")
def collections():
    """Every collection with its extent and links."""
    with autocommit_reads() as session:
        docs = [_collection_doc(session, c) for c in all_collections().values()]
    doc = {"title": "Collections", "collections": docs, "links": self_links("/collections")}
    return _respond(doc, "ogc/collections.html")


@bp.get("/collections/<collection_id>")
def collection(collection_id: str):
    """One collection's metadata."""
    coll = get_collection(collection_id)
    with autocommit_reads() as session:
        doc = _collection_doc(session, coll)
    return _respond(doc, "ogc/collection.html")


@bp.get("/collections/<collection_id>/queryables")
def collection_queryables(collection_id: str):
    """Part 3 queryables as JSON Schema."""
    coll = get_collection(collection_id)
    doc = queryables(coll, href(f"/collections/{coll.id}/queryables"))
    return _respond(doc, "ogc/schema.html", SCHEMA)


@bp.get("/collections/<collection_id>/schema")
def collection_schema(collection_id: str):
    """JSON Schema of the features (GDAL's OAPIF driver reads field types from it)."""
    coll = get_collection(collection_id)
    doc = feature_schema(coll, href(f"/collections/{coll.id}/schema"))
    return _respond(doc, "ogc/schema.html", SCHEMA)


@bp.get("/collections/<collection_id>/items")
def items(collection_id: str):
    """A page of features: filters, CRS, paging links, numberMatched, conditional GET."""
    coll = get_collection(collection_id)
    reg = registry()
    q = parse_items_query(coll, request.args, reg.settings.max_page_size)
    fmt = output_format(GEOJSON)
    links_of = request_links()
    if request.if_none_match or request.if_modified_since:
        # A revalidation: the fingerprint alone decides; the page only when it changed.
        fp = query.read_fingerprint(coll, q)
        etag = page_etag(coll, links_of, fmt, fp, q)
        cached = not_modified(etag, fp.last_modified)
        if cached is not None:
            return cached
        features, returned = query.read_page(coll, q)
    else:
        fp, features, returned = query.read_items(coll, q)
        etag = page_etag(coll, links_of, fmt, fp, q)
    links = page_links(coll, q, fp.matched, returned, links_of)
    if fmt == "html":
        response = html_response(
            "ogc/items.html",
            coll=coll,
            features=json.loads(features),
            matched=fp.matched,
            returned=returned,
            links=links,
            title=coll.title,
            offset=q.offset,
        )
    else:
        response = json_response(feature_collection(features, fp.matched, returned, links), GEOJSON)
        response.headers["Content-Crs"] = q.crs.header
    response.set_etag(etag)
    if fp.last_modified is not None:
        response.last_modified = fp.last_modified
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/collections/<collection_id>/items/<fid>")
def item(collection_id: str, fid: str):
    """One feature by id (GDAL fetches ``<items href>/<id>``)."""
    coll = get_collection(collection_id)
    extra = set(request.args) - FEATURE_PARAMETERS
    if extra:
        raise bad_parameter(sorted(extra)[0], "not a parameter of a single feature")
    q = parse_items_query(coll, request.args, 1)
    try:
        key = int(fid)
    except ValueError:
        key = None
    if key is None or not 0 <= key <= MAX_ID:  # ids are PostgreSQL integers
        raise not_found(f"There is no feature '{fid}' in {coll.id}.")
    fmt = output_format(GEOJSON)
    text = query.one_feature(coll, key, q.crs, q.properties)
    if text is None:
        raise not_found(f"There is no feature '{fid}' in {coll.id}.")
    links_of = request_links()
    links = feature_links(coll, key, links_of)
    etag = feature_etag(coll, key, links_of, fmt, text)
    cached = not_modified(etag)
    if cached is not None:
        return cached
    if fmt == "html":
        response = html_response(
            "ogc/item.html",
            coll=coll,
            feature=json.loads(text),
            links=links,
            title=f"{coll.title}: {key}",
        )
    else:
        response = json_response(feature_document(text, links), GEOJSON)
        response.headers["Content-Crs"] = q.crs.header
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response
