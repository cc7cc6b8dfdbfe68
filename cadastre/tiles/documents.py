"""OGC API - Tiles documents: the WebMercatorQuad definition, tileset metadata, TileJSON."""

from __future__ import annotations

import math

from cadastre.ogc.collections import Collection
from cadastre.ogc.http import HTML, JSON, href, link

MVT = "application/vnd.mapbox-vector-tile"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
HALF = 20037508.3427892
MVT_TYPES = {"string": "String", "integer": "Number", "number": "Number", "date": "String",
             "date-time": "String", "array": "String"}


def web_mercator_quad(max_zoom: int = 24) -> dict:
    """The WebMercatorQuad tile matrix set (OGC 2DTMS JSON)."""
    return {
        "id": "WebMercatorQuad",
        "title": "Google Maps Compatible for the World",
        "uri": TMS_URI,
        "crs": CRS_3857,
        "orderedAxes": ["E", "N"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": [
            {
                "id": str(z),
                "scaleDenominator": 559082264.028717 / 2**z,
                "cellSize": 156543.033928041 / 2**z,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-HALF, HALF],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": 2**z,
                "matrixHeight": 2**z,
            }
            for z in range(max_zoom + 1)
        ],
        "links": [link("self", href("/tileMatrixSets/WebMercatorQuad"), JSON)],
    }


def _template(coll: Collection) -> str:
    base = href(f"/collections/{coll.id}/tiles/WebMercatorQuad")
    return base + "/{tileMatrix}/{tileRow}/{tileCol}"


def _col(lon: float, n: int) -> int:
    return min(n - 1, max(0, int((lon + 180) / 360 * n)))


def _row(lat: float, n: int) -> int:
    lat = max(-85.0511, min(85.0511, lat))
    r = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return min(n - 1, max(0, int(r)))


def _limits(coll: Collection, bbox) -> list[dict]:
    out = []
    for z in range(coll.minzoom, coll.maxzoom + 1):
        n = 2**z
        if bbox:
            limits = (_row(bbox[3], n), _row(bbox[1], n), _col(bbox[0], n), _col(bbox[2], n))
        else:
            limits = (0, n - 1, 0, n - 1)
        out.append({"tileMatrix": str(z), "minTileRow": limits[0], "maxTileRow": limits[1],
                    "minTileCol": limits[2], "maxTileCol": limits[3]})
    return out


def tileset(coll: Collection, bbox) -> dict:
    """Tileset metadata for the collection in WebMercatorQuad."""
    base = f"/collections/{coll.id}/tiles/WebMercatorQuad"
    return {
        "title": f"{coll.title} (vector tiles)",
        "dataType": "vector",
        "crs": CRS_3857,
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": _limits(coll, bbox),
        "boundingBox": {"lowerLeft": (bbox or [-180, -85])[:2],
                        "upperRight": (bbox or [0, 0, 180, 85])[2:],
                        "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"},
        "layers": [{
            "id": coll.id,
            "title": coll.title,
            "dataType": "vector",
            "geometryDimension": 2 if "Polygon" in coll.geometry_type else 1,
            "minTileMatrix": str(coll.minzoom),
            "maxTileMatrix": str(coll.maxzoom),
            "propertiesSchema": {"type": "object", "properties": {
                p.name: {"type": "string" if p.type in ("array", "date", "date-time")
                         else p.type} for p in coll.properties if p.in_tiles}},
        }],
        "links": [
            link("self", href(base), JSON, "This tileset"),
            link(OGC_REL + "tiling-scheme", href("/tileMatrixSets/WebMercatorQuad"), JSON,
                 "WebMercatorQuad definition"),
            link("item", _template(coll), MVT, "Mapbox vector tiles", templated=True),
            link("describedby", href(f"{base}/tilejson.json"), JSON, "TileJSON"),
            link("collection", href(f"/collections/{coll.id}"), JSON, coll.title),
        ],
    }


def tilesets(coll: Collection) -> dict:
    """The tileset list of a collection (one: WebMercatorQuad)."""
    base = f"/collections/{coll.id}/tiles"
    return {
        "tilesets": [{
            "title": f"{coll.title} (vector tiles)",
            "dataType": "vector",
            "crs": CRS_3857,
            "tileMatrixSetURI": TMS_URI,
            "links": [
                link("self", href(f"{base}/WebMercatorQuad"), JSON, "Tileset metadata"),
                link(OGC_REL + "tiling-scheme", href("/tileMatrixSets/WebMercatorQuad"), JSON),
                link("item", _template(coll), MVT, "Mapbox vector tiles", templated=True),
            ],
        }],
        "links": [link("self", href(base), JSON), link("alternate", href(base, "f=html"), HTML)],
    }


def tilejson(coll: Collection, bbox) -> dict:
    """TileJSON 3.0.0 for MapLibre and other web maps."""
    bounds = bbox or [-180, -85.0511, 180, 85.0511]
    centre = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2,
              min(coll.maxzoom, coll.minzoom + 2)]
    url = href(f"/collections/{coll.id}/tiles/WebMercatorQuad") + "/{z}/{y}/{x}"
    return {
        "tilejson": "3.0.0",
        "name": coll.id,
        "description": coll.description,
        "scheme": "xyz",
        "tiles": [url],
        "minzoom": coll.minzoom,
        "maxzoom": coll.maxzoom,
        "bounds": bounds,
        "center": centre,
        "vector_layers": [{
            "id": coll.id,
            "description": coll.title,
            "minzoom": coll.minzoom,
            "maxzoom": coll.maxzoom,
            "fields": {p.name: MVT_TYPES[p.type] for p in coll.properties if p.in_tiles},
        }],
    }
