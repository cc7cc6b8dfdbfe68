"""Landing page, conformance, collections, queryables, schema and OpenAPI: shapes and links."""

from ogc.schemas import (
    COLLECTION,
    COLLECTIONS,
    CONFORMANCE,
    LANDING,
    QUERYABLES,
    bad_request,
    check,
)


def rels(doc):
    return {link["rel"]: link for link in doc["links"]}


def test_landing_links_service_desc_conformance_and_data(client):
    r = client.get("/", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    doc = check(r.get_json(), LANDING)
    links = rels(doc)
    assert links["service-desc"]["href"].endswith("/openapi")
    assert links["service-desc"]["type"].startswith("application/vnd.oai.openapi+json")
    assert links["conformance"]["href"].endswith("/conformance")
    assert links["data"]["href"].endswith("/collections")
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_html_by_accept_and_by_f(client):
    r = client.get("/collections", headers={"Accept": "text/html,*/*;q=0.8"})
    assert r.mimetype == "text/html" and "Mineral licences" in r.get_data(as_text=True)
    r = client.get("/conformance?f=html")
    assert r.mimetype == "text/html" and "ogcapi-features-1" in r.get_data(as_text=True)
    bad_request(client.get("/collections?f=xml"), "f")


def test_conformance_declares_the_parts_implemented(client):
    doc = check(client.get("/conformance").get_json(), CONFORMANCE)
    classes = set(doc["conformsTo"])
    for uri in (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    ):
        assert uri in classes


def test_collections_list_and_metadata(client, register):
    doc = check(client.get("/collections").get_json(), COLLECTIONS)
    ids = [c["id"] for c in doc["collections"]]
    assert {"licences", "borders", "countries"} <= set(ids)
    lic = check(client.get("/collections/licences").get_json(), COLLECTION)
    minx, miny, maxx, maxy = lic["extent"]["spatial"]["bbox"][0]
    assert -10.971 < minx < -10.969 and 8.639 < miny < 8.641 and maxx > minx and maxy > miny
    assert "http://www.opengis.net/def/crs/EPSG/0/32629" in lic["crs"]
    items = [link for link in lic["links"] if link["rel"] == "items"
             and link["type"] == "application/geo+json"]
    # GDAL appends /{id} to this href: it must be a plain path.
    assert items[0]["href"].endswith("/collections/licences/items")
    assert "?" not in items[0]["href"] and ".json" not in items[0]["href"]
    self_link = [link for link in lic["links"] if link["rel"] == "self"][0]
    assert "?" not in self_link["href"]
    assert any(link["href"].endswith("/tiles/WebMercatorQuad/tilejson.json")
               for link in lic["links"])
    assert lic["extent"]["temporal"]["interval"][0][0].startswith("2025-")


def test_unknown_collection_is_404_in_ogc_shape(client):
    r = client.get("/collections/nope")
    assert r.status_code == 404 and r.get_json()["code"] == "NotFound"


def test_queryables_and_schema(client):
    r = client.get("/collections/licences/queryables")
    assert r.mimetype == "application/schema+json"
    doc = check(r.get_json(), QUERYABLES)
    for name in ("status", "border_tier", "border_distance_km", "holder_name", "geometry"):
        assert name in doc["properties"]
    assert "holder_id" not in doc["properties"] and "notes" not in doc["properties"]
    schema = client.get("/collections/licences/schema").get_json()
    props = schema["properties"]["properties"]["properties"]
    assert props["granted_at"]["format"] == "date"
    assert props["commodities"]["type"] == "array"


def test_openapi_covers_every_path_and_lists_property_parameters(client):
    r = client.get("/openapi")
    assert r.mimetype == "application/vnd.oai.openapi+json"
    doc = r.get_json()
    assert doc["openapi"].startswith("3.0")
    paths = doc["paths"]
    for path in ("/", "/conformance", "/collections", "/collections/licences",
                 "/collections/licences/items", "/collections/licences/items/{featureId}",
                 "/collections/licences/queryables",
                 "/collections/licences/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}",
                 "/collections/licences/tiles/WebMercatorQuad/tilejson.json",
                 "/collections/borders/export.gpkg", "/collections/countries/export.shp.zip"):
        assert path in paths, path
    params = paths["/collections/licences/items"]["get"]["parameters"]
    names = {p.get("name") for p in params}
    refs = {p.get("$ref", "").rsplit("/", 1)[-1] for p in params}
    assert {"status", "code", "district"} <= names  # GDAL sends -where as ?field=value
    assert {"bbox", "crs", "bbox-crs", "filter", "datetime", "limit"} <= refs
    for ref in refs - {""}:
        assert ref in doc["components"]["parameters"]


def test_cors_preflight_on_read_endpoints(client):
    for path in ("/collections/licences/items", "/collections/licences/tiles/WebMercatorQuad/8/1/1",
                 "/collections/licences/export.csv"):
        r = client.options(path, headers={"Origin": "https://map.example",
                                          "Access-Control-Request-Method": "GET"})
        assert r.status_code == 204, path  # Flask's automatic OPTIONS, bodiless (cadastre.app)
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert "GET" in r.headers["Access-Control-Allow-Methods"]
        assert "ETag" in r.headers["Access-Control-Expose-Headers"]
