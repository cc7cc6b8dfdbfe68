"""Minimal JSON Schemas of the OGC API responses (after the OGC OpenAPI fragments)."""

from jsonschema import validate

LINK = {
    "type": "object",
    "required": ["href", "rel"],
    "properties": {"href": {"type": "string", "pattern": "^https?://"}, "rel": {"type": "string"},
                   "type": {"type": "string"}, "title": {"type": "string"}},
}
LINKS = {"type": "array", "items": LINK}
LANDING = {"type": "object", "required": ["links"], "properties": {"links": LINKS}}
CONFORMANCE = {"type": "object", "required": ["conformsTo"],
               "properties": {"conformsTo": {"type": "array", "items": {"type": "string"},
                                             "minItems": 1}}}
COLLECTION = {
    "type": "object",
    "required": ["id", "links", "extent", "crs"],
    "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "links": LINKS,
        "extent": {"type": "object", "properties": {"spatial": {
            "type": "object", "required": ["bbox"], "properties": {"bbox": {
                "type": "array", "minItems": 1, "items": {
                    "type": "array", "minItems": 4, "maxItems": 6,
                    "items": {"type": "number"}}}}}}},
        "crs": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "itemType": {"const": "feature"},
    },
}
COLLECTIONS = {"type": "object", "required": ["collections", "links"],
               "properties": {"collections": {"type": "array", "items": COLLECTION},
                              "links": LINKS}}
GEOMETRY = {"type": "object", "required": ["type", "coordinates"],
            "properties": {"type": {"enum": ["MultiPolygon", "Polygon", "MultiLineString",
                                             "LineString"]},
                           "coordinates": {"type": "array"}}}
FEATURE = {
    "type": "object",
    "required": ["type", "geometry", "properties", "id"],
    "properties": {"type": {"const": "Feature"}, "id": {"type": "string"},
                   "geometry": {"oneOf": [GEOMETRY, {"type": "null"}]},
                   "properties": {"type": ["object", "null"]}},
}
FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features", "links", "numberMatched", "numberReturned"],
    "properties": {"type": {"const": "FeatureCollection"},
                   "features": {"type": "array", "items": FEATURE},
                   "numberMatched": {"type": "integer", "minimum": 0},
                   "numberReturned": {"type": "integer", "minimum": 0},
                   "timeStamp": {"type": "string"},
                   "links": LINKS},
}
EXCEPTION = {"type": "object", "required": ["code", "description"],
             "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}
QUERYABLES = {"type": "object", "required": ["$schema", "$id", "type", "properties"],
              "properties": {"type": {"const": "object"}, "properties": {"type": "object"}}}
TILESET = {
    "type": "object",
    "required": ["dataType", "crs", "tileMatrixSetURI", "links"],
    "properties": {"dataType": {"const": "vector"}, "links": LINKS,
                   "tileMatrixSetLimits": {"type": "array", "items": {
                       "type": "object",
                       "required": ["tileMatrix", "minTileRow", "maxTileRow", "minTileCol",
                                    "maxTileCol"]}}},
}
TILEJSON = {
    "type": "object",
    "required": ["tilejson", "tiles", "vector_layers", "minzoom", "maxzoom", "bounds"],
    "properties": {"tilejson": {"const": "3.0.0"},
                   "tiles": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                   "vector_layers": {"type": "array", "minItems": 1, "items": {
                       "type": "object", "required": ["id", "fields"]}}},
}


def check(instance, schema):
    """Validate ``instance`` against ``schema`` (raises on the first fault)."""
    validate(instance=instance, schema=schema)
    return instance


def bad_request(response, parameter: str):
    """Assert a 400 OGC exception that names ``parameter``."""
    assert response.status_code == 400, response.get_data(as_text=True)
    body = check(response.get_json(force=True), EXCEPTION)
    assert parameter in body["description"]
    assert body["errors"][0]["field"] == parameter
    return body
