"""Items: paging links, bbox (+bbox-crs), crs, datetime, properties, sortby, equality filters."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from pyproj import Transformer
from shapely.geometry import box, shape

from ogc.schemas import FEATURE, FEATURE_COLLECTION, bad_request, check

ITEMS = "/collections/licences/items"


def get_fc(client, query="", **headers):
    r = client.get(f"{ITEMS}?{query}", headers=headers)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/geo+json"
    return check(r.get_json(), FEATURE_COLLECTION)


@pytest.fixture
def everything(client, register):
    fc = get_fc(client, "limit=1000")
    assert fc["numberMatched"] == len(register) == 12
    return fc["features"]


def link(fc, rel):
    found = [lk for lk in fc["links"] if lk["rel"] == rel]
    return found[0] if found else None


def test_paging_by_next_and_prev_links_as_plain_paths(client, everything):
    seen, url, pages = [], f"{ITEMS}?limit=5", 0
    while url:
        fc = get_fc(client, url.split("?", 1)[1])
        assert fc["numberMatched"] == 12 and fc["numberReturned"] == len(fc["features"])
        seen += [f["id"] for f in fc["features"]]
        for rel in ("self", "next", "prev"):
            if link(fc, rel):
                assert "f=" not in link(fc, rel)["href"] and ".json" not in link(fc, rel)["href"]
        nxt = link(fc, "next")
        url = urlsplit(nxt["href"]).path + "?" + urlsplit(nxt["href"]).query if nxt else None
        pages += 1
        if pages == 2:
            assert parse_qs(urlsplit(link(fc, "prev")["href"]).query)["offset"] == ["0"]
    assert pages == 3 and seen == [f["id"] for f in everything]
    assert len(set(seen)) == 12


def test_limit_default_clamp_and_errors(client, everything, app):
    assert get_fc(client)["numberReturned"] == 12
    app.extensions["cadastre"].settings = app.extensions["cadastre"].settings.__class__(
        **{**app.extensions["cadastre"].settings.__dict__, "max_page_size": 4}
    )
    assert get_fc(client, "limit=50")["numberReturned"] == 4  # Part 1: clamp, not an error
    bad_request(client.get(f"{ITEMS}?limit=0"), "limit")
    bad_request(client.get(f"{ITEMS}?limit=ten"), "limit")
    bad_request(client.get(f"{ITEMS}?offset=-1"), "offset")


def ids_in(features, area):
    return {f["id"] for f in features if shape(f["geometry"]).intersects(area)}


def test_bbox_in_crs84_epsg4326_and_utm(client, everything):
    area = (-10.9705, 8.6395, -10.9355, 8.6455)
    expected = ids_in(everything, box(*area))
    assert 0 < len(expected) < 12
    fc = get_fc(client, "bbox=" + ",".join(map(str, area)))
    assert {f["id"] for f in fc["features"]} == expected
    latlon = f"{area[1]},{area[0]},{area[3]},{area[2]}"
    fc = get_fc(client, f"bbox={latlon}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326")
    assert {f["id"] for f in fc["features"]} == expected
    to_utm = Transformer.from_crs(4326, 32629, always_xy=True)
    x1, y1 = to_utm.transform(area[0], area[1])
    x2, y2 = to_utm.transform(area[2], area[3])
    fc = get_fc(client, f"bbox={x1},{y1},{x2},{y2}&bbox-crs=EPSG:32629")
    assert {f["id"] for f in fc["features"]} == expected
    for bad in ("1,2,3", "a,b,c,d", "-10,9,-11,8", "0,0,1,100"):
        bad_request(client.get(f"{ITEMS}?bbox={bad}"), "bbox")
    bad_request(client.get(f"{ITEMS}?bbox=1,2,3,4&bbox-crs=EPSG:2000"), "bbox-crs")


def test_crs_reprojects_in_sql_with_content_crs(client, everything):
    first = everything[0]
    lon, lat = first["geometry"]["coordinates"][0][0][0]
    r = client.get(f"{ITEMS}?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/4326")
    assert r.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/4326>"
    assert r.get_json()["features"][0]["geometry"]["coordinates"][0][0][0] == [lat, lon]
    r = client.get(f"{ITEMS}?limit=1&crs=http://www.opengis.net/def/crs/EPSG/0/32629")
    x, y = r.get_json()["features"][0]["geometry"]["coordinates"][0][0][0]
    ex, ey = Transformer.from_crs(4326, 32629, always_xy=True).transform(lon, lat)
    assert abs(x - ex) < 0.05 and abs(y - ey) < 0.05
    r = client.get(f"{ITEMS}?limit=1")
    assert r.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    bad_request(client.get(f"{ITEMS}?crs=EPSG:27700"), "crs")


def valid_on(feature, start, end):
    p = feature["properties"]
    if p["granted_at"] is None:
        return False
    granted = date.fromisoformat(p["granted_at"])
    expires = date.fromisoformat(p["expires_at"]) if p["expires_at"] else None
    return (end is None or granted <= end) and (
        start is None or expires is None or expires >= start
    )


def test_datetime_against_grant_and_expiry(client, everything):
    cases = [
        ("2025-02-15/2025-03-01", date(2025, 2, 15), date(2025, 3, 1)),
        ("../2025-02-20", None, date(2025, 2, 20)),
        ("2025-02-25T00:00:00Z", date(2025, 2, 25), date(2025, 2, 25)),
    ]
    for text, start, end in cases:
        expected = {f["id"] for f in everything if valid_on(f, start, end)}
        got = {f["id"] for f in get_fc(client, f"datetime={text}&limit=100")["features"]}
        assert got == expected, text
    assert {f["id"] for f in get_fc(client, "datetime=2020-01-01/..")["features"]} == {
        f["id"] for f in everything if f["properties"]["granted_at"]
    }
    for bad in ("yesterday", "2025-13-01", "../..", "2025-03-01/2025-02-01"):
        bad_request(client.get(f"{ITEMS}?datetime={bad}"), "datetime")


def test_properties_sortby_and_equality_filters(client, everything):
    fc = get_fc(client, "properties=code,status&limit=3")
    assert all(set(f["properties"]) == {"code", "status"} for f in fc["features"])
    bad_request(client.get(f"{ITEMS}?properties=code,holder_id"), "properties")
    codes = [f["properties"]["code"] for f in get_fc(client, "sortby=-code")["features"]]
    assert codes == sorted(codes, reverse=True) and len(codes) == 12
    bad_request(client.get(f"{ITEMS}?sortby=geometry"), "sortby")
    granted = {f["id"] for f in everything if f["properties"]["status"] == "granted"}
    assert {f["id"] for f in get_fc(client, "status=granted")["features"]} == granted
    gold = {f["id"] for f in everything if "gold" in f["properties"]["commodities"]}
    assert {f["id"] for f in get_fc(client, "commodities=gold")["features"]} == gold
    high = {f["id"] for f in everything if f["properties"]["border_tier"] == "high"}
    assert {f["id"] for f in get_fc(client, "border_tier=high")["features"]} == high
    bad_request(client.get(f"{ITEMS}?area_ha=big"), "area_ha")
    bad_request(client.get(f"{ITEMS}?colour=red"), "colour")


def test_every_licence_public_attributes_only(client, everything):
    statuses = {f["properties"]["status"] for f in everything}
    assert {"application", "granted"} <= statuses  # pending applications are shown too
    props = set(everything[0]["properties"])
    assert {"border_tier", "border_distance_km", "risk_level", "holder_name"} <= props
    assert not props & {"holder_id", "notes", "risk_reasons", "version", "application_number"}


def test_holder_kind_and_only_a_company_registration_number_are_published(
    client, empty_register, profile
):
    from cadastre.services.holders import create_holder
    from cadastre.services.licences import register_application

    session = empty_register
    holders = [("Koidu Gems Ltd", "company"), ("Sia Bangura", "individual")]
    for i, (name, kind) in enumerate(holders):
        holder = create_holder(
            session,
            {
                "name": name,
                "kind": kind,
                "registration_number": f"REG-{kind}",
                "nationality": "SLE",
            },
        )
        register_application(
            session, profile, holder_id=holder.id, licence_type="small_scale",
            commodities=["diamond"], actor="test:ogc",
            geometry=box(-10.97 + i * 0.01, 8.64, -10.9695 + i * 0.01, 8.6405),
        )  # fmt: skip
    session.flush()
    published = {
        f["properties"]["holder_name"]: (
            f["properties"]["holder_kind"], f["properties"]["holder_registration"]
        )
        for f in get_fc(client)["features"]
    }  # fmt: skip
    assert published == {
        "Koidu Gems Ltd": ("company", "REG-company"),
        "Sia Bangura": ("individual", None),  # an identity number is personal data
    }
    assert get_fc(client, "holder_registration=REG-individual")["numberMatched"] == 0


def test_single_item_and_404(client, everything):
    fid = everything[3]["id"]
    r = client.get(f"{ITEMS}/{fid}")
    assert r.status_code == 200 and r.mimetype == "application/geo+json"
    feature = check(r.get_json(), FEATURE)
    assert feature["id"] == fid and feature["properties"] == everything[3]["properties"]
    assert any(
        lk["rel"] == "self" and lk["href"].endswith(f"/items/{fid}") for lk in feature["links"]
    )
    assert client.get(f"{ITEMS}/999999").status_code == 404
    assert client.get(f"{ITEMS}/abc").get_json()["code"] == "NotFound"
    html = client.get(f"{ITEMS}/{fid}?f=html")
    assert html.mimetype == "text/html" and everything[3]["properties"]["code"] in html.text


def test_conditional_get_etag_and_last_modified(client, everything, sessions, profile):
    r = client.get(f"{ITEMS}?limit=5")
    etag = r.headers["ETag"]
    assert r.headers["Last-Modified"] and r.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get(f"{ITEMS}?limit=5", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(
        f"{ITEMS}?limit=5", headers={"If-Modified-Since": r.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    other = client.get(f"{ITEMS}?limit=6", headers={"If-None-Match": etag})
    assert other.status_code == 200
    from cadastre.services.licences import perform_action

    pending = next(int(f["id"]) for f in everything if f["properties"]["status"] == "application")
    with sessions() as s:
        perform_action(s, profile, pending, "refuse", actor="test", reason="test")
        s.commit()
    changed = client.get(f"{ITEMS}?limit=5", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_html_items_page(client, everything):
    r = client.get(f"{ITEMS}?limit=3", headers={"Accept": "text/html"})
    assert r.mimetype == "text/html"
    assert everything[0]["properties"]["code"] in r.get_data(as_text=True)
