"""The JSON documents of the API that are not features: landing, conformance, metadata."""

from __future__ import annotations

from cadastre.ogc.collections import Collection
from cadastre.ogc.crs import CRS84, URIS
from cadastre.ogc.http import GEOJSON, HTML, JSON, OPENAPI, SCHEMA, href, link, self_links

OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-5/1.0/conf/schemas",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/tilematrixset",
]
JSON_SCHEMA_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "array": {"type": "array", "items": {"type": "string"}},
}
EXPORT_FORMATS = {
    "gpkg": ("application/geopackage+sqlite3", "GeoPackage"),
    "shp.zip": ("application/zip", "Zipped Shapefile"),
    "kml": ("application/vnd.google-earth.kml+xml", "KML"),
    "csv": ("text/csv", "CSV (geometry as WKT)"),
    "geojson": (GEOJSON, "GeoJSON (all features)"),
}


def landing(title: str) -> dict:
    """The landing page."""
    return {
        "title": title,
        "description": "Mining cadastre map layers: OGC API - Features, vector tiles, exports.",
        "links": self_links("/")
        + [
            link("service-desc", href("/openapi"), OPENAPI, "The API definition (OpenAPI 3.0)"),
            link("service-doc", href("/openapi", "f=html"), HTML, "The API documentation"),
            link("conformance", href("/conformance"), JSON, "Conformance classes"),
            link(OGC_REL + "conformance", href("/conformance"), JSON, "Conformance classes"),
            link("data", href("/collections"), JSON, "The feature collections"),
            link(OGC_REL + "data", href("/collections"), JSON, "The feature collections"),
            link(OGC_REL + "tiling-schemes", href("/tileMatrixSets"), JSON,
                 "Tile matrix sets"),
        ],
    }


def collection_doc(coll: Collection, bbox, interval) -> dict:
    """One collection's metadata, with the links GDAL, QGIS and OWSLib follow."""
    base = f"/collections/{coll.id}"
    links = self_links(base) + [
        # rel=items is a plain path: GDAL appends /{id} to it to fetch one feature.
        link("items", href(f"{base}/items"), GEOJSON, "The features"),
        link("items", href(f"{base}/items", "f=html"), HTML, "The features as HTML"),
        link(OGC_REL + "queryables", href(f"{base}/queryables"), SCHEMA, "Queryables"),
        link("describedBy", href(f"{base}/schema"), SCHEMA, "Schema of the features"),
        link(OGC_REL + "schema", href(f"{base}/schema"), SCHEMA, "Schema of the features"),
        link(OGC_REL + "tilesets-vector", href(f"{base}/tiles"), JSON, "Vector tilesets"),
        link("describedby", href(f"{base}/tiles/WebMercatorQuad/tilejson.json"), JSON,
             "TileJSON of the vector tiles"),
    ]
    for ext, (mime, label) in EXPORT_FORMATS.items():
        links.append(link("enclosure", href(f"{base}/export.{ext}"), mime, f"Export: {label}"))
    doc = {
        "id": coll.id,
        "title": coll.title,
        "description": coll.description,
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [bbox or [-180, -90, 180, 90]], "crs": CRS84}},
        "crs": URIS,
        "storageCrs": CRS84,
        "links": links,
    }
    if interval is not None:
        doc["extent"]["temporal"] = {
            "interval": [interval],
            "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
        }
    return doc


def property_schemas(coll: Collection) -> dict:
    """JSON Schema of each public property."""
    out = {}
    for p in coll.properties:
        schema = {"title": p.title, **JSON_SCHEMA_TYPES[p.type]}
        choices = p.choices()
        if choices:
            schema["enum"] = list(choices)
        out[p.name] = schema
    return out


def queryables(coll: Collection, url: str) -> dict:
    """Part 3 queryables: the properties a filter may use, the geometry included."""
    props = {"id": {"title": "Feature id", "type": "integer"}}
    props.update(property_schemas(coll))
    props["geometry"] = {
        "title": "Geometry",
        "format": f"geometry-{coll.geometry_type.lower()}",
        "x-ogc-role": "primary-geometry",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": coll.title,
        "properties": props,
        "additionalProperties": False,
    }


def feature_schema(coll: Collection, url: str) -> dict:
    """JSON Schema of a feature (GDAL reads field types from it)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "title": coll.title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"$ref": f"https://geojson.org/schema/{coll.geometry_type}.json"},
            "properties": {"type": "object", "properties": property_schemas(coll)},
        },
    }
