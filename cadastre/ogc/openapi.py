"""The OpenAPI 3.0 document: every path of the features, tiles and exports APIs.

Each collection gets its own items path listing its properties as query parameters:
GDAL's OAPIF driver reads them to send ``-where "field = 'v'"`` to the server as ``?field=v``.
"""

from __future__ import annotations

from cadastre.ogc.collections import Collection, all_collections
from cadastre.ogc.crs import CRS84, URIS
from cadastre.ogc.documents import EXPORT_FORMATS, JSON_SCHEMA_TYPES
from cadastre.ogc.http import GEOJSON, HTML, JSON, SCHEMA

MVT = "application/vnd.mapbox-vector-tile"


def _param(name, description, schema, where="query", required=False, **extra):
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": required,
        "schema": schema,
        **extra,
    }


COMMON = {
    "f": _param(
        "f",
        "Output format (or use the Accept header).",
        {"type": "string", "enum": ["json", "html"]},
    ),
    "bbox": _param(
        "bbox",
        "minx,miny,maxx,maxy in bbox-crs (CRS84 by default).",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        style="form",
        explode=False,
    ),
    "bbox-crs": _param(
        "bbox-crs",
        "CRS of bbox.",
        {"type": "string", "format": "uri", "enum": URIS, "default": CRS84},
    ),
    "crs": _param(
        "crs",
        "CRS of the returned geometries.",
        {"type": "string", "format": "uri", "enum": URIS, "default": CRS84},
    ),
    "limit": _param(
        "limit",
        "Page size (larger values are cut to the maximum).",
        {"type": "integer", "minimum": 1, "default": 100},
    ),
    "offset": _param(
        "offset", "Features to skip.", {"type": "integer", "minimum": 0, "default": 0}
    ),
    "datetime": _param(
        "datetime",
        "Instant or interval (RFC 3339, '..' for open), matched "
        "against the collection's temporal property.",
        {"type": "string"},
    ),
    "properties": _param(
        "properties",
        "Comma-separated properties to return.",
        {"type": "array", "items": {"type": "string"}},
        style="form",
        explode=False,
    ),
    "sortby": _param("sortby", "Sort keys, e.g. +code,-area_ha.", {"type": "string"}),
    "filter": _param("filter", "CQL2 filter.", {"type": "string"}),
    "filter-lang": _param(
        "filter-lang",
        "Language of filter.",
        {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"},
    ),
    "filter-crs": _param(
        "filter-crs",
        "CRS of geometries in filter.",
        {"type": "string", "format": "uri", "enum": URIS, "default": CRS84},
    ),
}
ERROR = {
    "description": "Bad request (the body names the parameter)",
    "content": {JSON: {"schema": {"$ref": "#/components/schemas/exception"}}},
}
UNAVAILABLE = {
    "description": "The database cannot be reached; Retry-After says when to retry",
    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    "content": {
        "application/problem+json": {
            "schema": {
                "type": "object",
                "required": ["status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                },
            }
        }
    },
}


def _ref(name):
    return {"$ref": f"#/components/parameters/{name}"}


def _json_ok(description, mime=JSON):
    return {"200": {"description": description, "content": {mime: {}, HTML: {}}}, "400": ERROR}


def _items_path(coll: Collection) -> dict:
    props = [
        _param(
            p.name,
            f"Equality filter on {p.title}.",
            {"type": "string"} if p.type == "array" else JSON_SCHEMA_TYPES[p.type],
        )
        for p in coll.properties
    ]
    names = [
        "f",
        "bbox",
        "bbox-crs",
        "crs",
        "limit",
        "offset",
        "datetime",
        "properties",
        "sortby",
        "filter",
        "filter-lang",
        "filter-crs",
    ]
    return {
        "get": {
            "summary": f"Features of {coll.title}",
            "operationId": f"getItems-{coll.id}",
            "tags": [coll.id],
            "parameters": [_ref(n) for n in names] + props,
            "responses": {
                "200": {
                    "description": "A page of features",
                    "headers": {
                        "Content-Crs": {"schema": {"type": "string"}},
                        "ETag": {"schema": {"type": "string"}},
                    },
                    "content": {
                        GEOJSON: {"schema": {"$ref": "#/components/schemas/featureCollection"}},
                        HTML: {},
                    },
                },
                "304": {"description": "Not modified"},
                "400": ERROR,
            },
        }
    }


def _collection_paths(coll: Collection) -> dict:
    """Every path of one collection: metadata, features, tiles, exports."""
    base = f"/collections/{coll.id}"
    metadata = _metadata_paths(coll, base)
    return {
        base: metadata.pop(base),
        f"{base}/items": _items_path(coll),
        **_feature_path(coll, base),
        **metadata,
        **_tile_paths(coll, base),
        **_export_paths(coll, base),
    }


def _metadata_paths(coll: Collection, base: str) -> dict:
    """The collection's description, queryables and feature schema."""
    return {
        base: {
            "get": {
                "summary": coll.title,
                "operationId": f"describe-{coll.id}",
                "tags": [coll.id],
                "parameters": [_ref("f")],
                "responses": _json_ok("Collection metadata"),
            }
        },
        f"{base}/queryables": {
            "get": {
                "summary": "Queryables",
                "operationId": f"queryables-{coll.id}",
                "tags": [coll.id],
                "parameters": [_ref("f")],
                "responses": _json_ok("JSON Schema", SCHEMA),
            }
        },
        f"{base}/schema": {
            "get": {
                "summary": "Feature schema",
                "operationId": f"schema-{coll.id}",
                "tags": [coll.id],
                "parameters": [_ref("f")],
                "responses": _json_ok("JSON Schema", SCHEMA),
            }
        },
    }


def _feature_path(coll: Collection, base: str) -> dict:
    """One feature."""
    fid = _param("featureId", "Feature id", {"type": "string"}, "path", True)
    return {
        f"{base}/items/{{featureId}}": {
            "get": {
                "summary": f"One feature of {coll.title}",
                "operationId": f"getItem-{coll.id}",
                "tags": [coll.id],
                "parameters": [fid, _ref("f"), _ref("crs"), _ref("properties")],
                "responses": {
                    "200": {"description": "The feature", "content": {GEOJSON: {}, HTML: {}}},
                    "404": {"description": "No such feature"},
                    "400": ERROR,
                },
            }
        },
    }


def _tile_paths(coll: Collection, base: str) -> dict:
    """The vector tilesets, their metadata and TileJSON, and the tiles."""
    return {
        f"{base}/tiles": {
            "get": {
                "summary": "Vector tilesets",
                "operationId": f"tilesets-{coll.id}",
                "tags": [coll.id],
                "responses": _json_ok("Tileset list"),
            }
        },
        f"{base}/tiles/WebMercatorQuad": {
            "get": {
                "summary": "Tileset metadata",
                "operationId": f"tileset-{coll.id}",
                "tags": [coll.id],
                "responses": _json_ok("Tileset"),
            }
        },
        f"{base}/tiles/WebMercatorQuad/tilejson.json": {
            "get": {
                "summary": "TileJSON 3.0",
                "operationId": f"tilejson-{coll.id}",
                "tags": [coll.id],
                "responses": _json_ok("TileJSON"),
            }
        },
        f"{base}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": {
            "get": {
                "summary": f"Vector tile of {coll.title} (zoom {coll.minzoom}-{coll.maxzoom})",
                "operationId": f"tile-{coll.id}",
                "tags": [coll.id],
                "parameters": [
                    _param(n, n, {"type": "integer", "minimum": 0}, "path", True)
                    for n in ("tileMatrix", "tileRow", "tileCol")
                ],
                "responses": {
                    "200": {"description": "Mapbox Vector Tile", "content": {MVT: {}}},
                    "204": {"description": "No features in the tile"},
                    "304": {"description": "Not modified (If-None-Match)"},
                    "404": {"description": "Outside the tileset"},
                },
            }
        },
    }


def _export_paths(coll: Collection, base: str) -> dict:
    """One export path per file format."""
    return {
        f"{base}/export.{ext}": {
            "get": {
                "summary": f"Export {coll.title}: {label}",
                "operationId": f"export-{ext}-{coll.id}",
                "tags": [coll.id],
                "parameters": [
                    _ref(n)
                    for n in (
                        "bbox",
                        "bbox-crs",
                        "datetime",
                        "sortby",
                        "filter",
                        "filter-lang",
                        "filter-crs",
                    )
                ],
                "responses": {"200": {"description": label, "content": {mime: {}}}, "400": ERROR},
            }
        }
        for ext, (mime, label) in EXPORT_FORMATS.items()
    }


def _root_paths() -> dict:
    """The paths above the collections: landing, conformance, this document, lists."""
    return {
        "/": {
            "get": {
                "summary": "Landing page",
                "operationId": "getLandingPage",
                "parameters": [_ref("f")],
                "responses": _json_ok("Landing page"),
            }
        },
        "/conformance": {
            "get": {
                "summary": "Conformance classes",
                "operationId": "getConformance",
                "parameters": [_ref("f")],
                "responses": _json_ok("Conformance declaration"),
            }
        },
        "/openapi": {
            "get": {
                "summary": "This document",
                "operationId": "getOpenAPI",
                "responses": {"200": {"description": "OpenAPI 3.0"}},
            }
        },
        "/collections": {
            "get": {
                "summary": "Collections",
                "operationId": "getCollections",
                "parameters": [_ref("f")],
                "responses": _json_ok("Collections"),
            }
        },
        "/tileMatrixSets": {
            "get": {
                "summary": "Tile matrix sets",
                "operationId": "getTileMatrixSets",
                "responses": _json_ok("Tile matrix sets"),
            }
        },
        "/tileMatrixSets/WebMercatorQuad": {
            "get": {
                "summary": "WebMercatorQuad",
                "operationId": "getWebMercatorQuad",
                "responses": _json_ok("Tile matrix set definition"),
            }
        },
    }


SCHEMAS = {
    "exception": {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
    },
    "featureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array"},
            "numberMatched": {"type": "integer"},
            "numberReturned": {"type": "integer"},
            "links": {"type": "array"},
        },
    },
}
INFO = {
    "title": "Mining cadastre map layers",
    "version": "1.0.0",
    "description": "OGC API - Features (Parts 1, 2, 3), OGC API - Tiles (vector) "
    "and file exports of the mining cadastre.",
    "license": {"name": "Apache-2.0"},
}


def openapi_document(server: str) -> dict:
    """The whole OpenAPI 3.0 document, with ``server`` as the base URL."""
    paths = _root_paths()
    for coll in all_collections().values():
        paths.update(_collection_paths(coll))
    for item in paths.values():  # every answer may meet the database away
        for operation in item.values():
            operation["responses"].setdefault("503", UNAVAILABLE)
    return {
        "openapi": "3.0.3",
        "info": INFO,
        "servers": [{"url": server or "/"}],
        "paths": paths,
        "components": {"parameters": COMMON, "schemas": SCHEMAS},
    }
