"""Odd input never makes a 5xx: NUL characters, numbers past the database's integers,
coordinates outside what a CRS can express. Each is a 4xx that says what is wrong (problem+json
for API and OGC callers, an HTML page for the officer pages) or a normal answer."""

from __future__ import annotations

import pytest
import requests
from licence_support import make_token

from tests.conftest import serving
from tests.page_support import PASSWORD, login, new_licence_form, seed_register, token

HUGE = "99999999999999999999"  # past bigint too
UTM = "http://www.opengis.net/def/crs/EPSG/0/32628"
ITEMS = "/collections/licences/items"
PROBLEM = "application/problem+json"

#: (URL, expected status) for anonymous OGC API, tile and export requests.
PUBLIC = [
    (f"{ITEMS}/99999999999999999", 404),  # past integer, within the items lane's 18 digits
    (f"{ITEMS}/{HUGE}", 404),
    (f"{ITEMS}/{HUGE}?f=html", 404),
    (f"{ITEMS}?offset={10**12}", 400),
    (f"{ITEMS}?offset={10**30}", 400),
    (f"{ITEMS}?offset={10**12}&f=html", 400),
    (f"{ITEMS}?limit={10**30}", 200),  # a larger limit is not an error (Part 1)
    (f"{ITEMS}?filter=id%3D{HUGE}", 400),
    (f"{ITEMS}?filter=id%3E2147483648", 400),
    (f"{ITEMS}?filter=id%20IN%20(1,{HUGE})", 400),
    (f"{ITEMS}?filter=id%20BETWEEN%201%20AND%20{HUGE}", 400),
    (f"{ITEMS}?id={HUGE}", 400),
    (f'{ITEMS}?filter-lang=cql2-json&filter={{"op":"=","args":[{{"property":"id"}},{HUGE}]}}', 400),
    (f"{ITEMS}?bbox=-1e20,-1e20,1e20,1e20&bbox-crs={UTM}", 400),
    (f"{ITEMS}?bbox=0,0,1e8,1e8&bbox-crs={UTM}", 400),
    (f"{ITEMS}?bbox=-1e20,-1e20,1e20,1e20", 400),
    (f"{ITEMS}?bbox=nan,nan,nan,nan", 400),
    (f"{ITEMS}?bbox=-inf,-inf,inf,inf&bbox-crs={UTM}", 400),
    (f"{ITEMS}?bbox=1e400,0,1e401,1", 400),
    (
        f"{ITEMS}?bbox=-1e300,-1e300,1e300,1e300"
        "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/3857",
        None,
    ),
    (f"{ITEMS}?bbox=200000,800000,300000,900000&bbox-crs={UTM}&crs={UTM}", 200),
    (f"{ITEMS}?crs=http://www.opengis.net/def/crs/EPSG/0/3857&bbox=-1e20,-1e20,1e20,1e20", 400),
    (f"{ITEMS}?filter=S_INTERSECTS(geometry,POINT(1e20%201e20))&filter-crs={UTM}", 400),
    (f"{ITEMS}?filter=BBOX(geometry,-1e20,-1e20,1e20,1e20)&filter-crs={UTM}", 400),
    (f"{ITEMS}?filter=S_DWITHIN(geometry,POINT(0%20100),10)", 400),
    (
        f'{ITEMS}?filter-lang=cql2-json&filter={{"op":"s_intersects","args":[{{"property":'
        f'"geometry"}},{{"type":"Point","coordinates":[1e20,1e20]}}]}}&filter-crs={UTM}',
        400,
    ),
    (f"{ITEMS}?filter=area_ha%3E1e400", None),
    ("/collections/countries/items?crs=" + UTM, 200),
    ("/collections/borders/items?crs=http://www.opengis.net/def/crs/EPSG/0/32629", 200),
    (f"{ITEMS}?datetime=0001-01-01T00:00:00%2B14:00/..", None),
    (f"{ITEMS}?datetime=9999-12-31T23:59:59-14:00", None),
    (f"{ITEMS}?received_at=0001-01-01T00:00:00%2B14:00", None),
    (f"{ITEMS}?filter=received_at%3CTIMESTAMP('0001-01-01T00:00:00%2B14:00')", None),
    (f"{ITEMS}?filter=granted_at%3E%27-99999-01-01%27", None),
    (f"{ITEMS}?q=%00", 400),
    (f"{ITEMS}?holder_name=%00", 400),
    (f"{ITEMS}?filter=holder_name%3D%27a%00b%27", 400),
    (f"/collections/licences/export.csv?filter=id%3D{HUGE}", 400),
    (f"/collections/licences/export.csv?bbox=-1e20,-1e20,1e20,1e20&bbox-crs={UTM}", 400),
    (f"/collections/licences/export.gpkg?bbox=-1e20,-1e20,1e20,1e20&bbox-crs={UTM}", 400),
    ("/collections/licences/export.csv?holder_name=%00", 400),
    (f"/collections/licences/tiles/WebMercatorQuad/3/{HUGE}/1", 404),
    (f"/collections/licences/tiles/WebMercatorQuad/{HUGE}/1/1", 404),
]

#: (URL, expected status) for the officer pages, signed in as an admin.
WEB = [
    ("/holders?q=%00", 400),
    ("/licences?q=%00", 400),
    ("/map/search?q=%00", 400),
    ("/licences.csv?q=%00", 400),
    (f"/licences/{HUGE}", 404),
    ("/licences/2147483648", 404),
    (f"/licences/{HUGE}/print", 404),
    (f"/holders/{HUGE}", 404),
    (f"/admin/import/{HUGE}", 404),
    (f"/admin/import/{HUGE}/report.csv", 404),
    (f"/licences?holder={HUGE}", 200),  # the filter is ignored, and the page says so
    (f"/licences.csv?holder={HUGE}", 200),
    (f"/licences/new?holder={HUGE}", 200),
    (f"/licences?page={HUGE}", None),
    (f"/holders?page={HUGE}", None),
]


@pytest.fixture
def register(session, profile, empty_register):
    return seed_register(session, profile)


def _is_problem(response, status: int) -> dict:
    assert response.mimetype == PROBLEM, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


@pytest.mark.parametrize(("url", "status"), PUBLIC)
def test_odd_public_requests_are_refused_not_failed(client, register, url, status):
    response = client.get(url)
    text = response.get_data(as_text=True)
    assert response.status_code < 500, text[:500]
    if status is not None:
        assert response.status_code == status, text[:500]
    if response.status_code >= 400:
        body = _is_problem(response, response.status_code)
        assert "psycopg" not in text and "out of range" not in body["title"]


def test_a_nul_is_named_with_its_parameter(client, register):
    body = _is_problem(client.get(f"{ITEMS}?holder_name=a%00b"), 400)
    assert body["errors"] == [{"field": "holder_name", "message": body["errors"][0]["message"]}]
    assert "NUL" in body["detail"]


@pytest.mark.parametrize(("url", "status"), WEB)
def test_odd_page_requests_are_refused_not_failed(client, register, url, status):
    login(client, "admin")
    response = client.get(url)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if status is not None:
        assert response.status_code == status
    if response.status_code >= 400:
        assert response.mimetype == "text/html"


def test_nul_in_the_login_form_comes_back_beside_the_field(client, register):
    for fields, field in (
        ({"username": "t_officer\x00", "password": PASSWORD}, "username"),
        ({"username": "t_officer", "password": PASSWORD + "\x00"}, "password"),
    ):
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={**fields, "csrf_token": token(page)})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'class="field-error"' in html and "NUL character" in html
        assert f'id="{field}"' in html  # the form, redisplayed
    # and nobody was signed in
    assert client.get("/dashboard").status_code == 302


def test_nul_in_a_holder_name_is_refused_beside_the_field(client, register, session):
    login(client, "officer")
    page = client.get("/holders/new").get_data(as_text=True)
    response = client.post(
        "/holders/new",
        data={"name": "Bad\x00Name Ltd", "kind": "company", "csrf_token": token(page)},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="field-error"' in html and "NUL character" in html
    assert "Bad" not in client.get("/holders").get_data(as_text=True)


def test_nul_in_a_licence_action_reason_is_refused_beside_the_field(client, register):
    login(client, "supervisor")
    page = client.get(f"/licences/{register['licence']}").get_data(as_text=True)
    response = client.post(
        f"/licences/{register['licence']}/actions/refuse",
        data={"refuse-reason": "No\x00 good", "csrf_token": token(page)},
    )
    assert response.status_code == 422
    assert "NUL character" in response.get_data(as_text=True)


def test_the_api_never_repeats_the_database_driver(client, register, session):
    bearer = {"Authorization": f"Bearer {make_token(session, 'officer')}"}
    response = client.post(
        "/api/holders", json={"name": "Bad\x00Name Ltd", "kind": "company"}, headers=bearer
    )
    text = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, text
    assert response.mimetype == PROBLEM
    for driver_words in ("0x00", "psycopg", "PostgreSQL", "NumericValueOutOfRange"):
        assert driver_words not in text


def test_a_value_the_database_refuses_is_a_422_in_our_words(app, client):
    """The safety net behind the checks: a DataError anywhere is a 422, never the driver's text."""
    from sqlalchemy import text as sql

    from cadastre.state import registry

    def out_of_range():
        with registry().sessions() as s:
            s.execute(sql("SELECT CAST(:v AS integer)"), {"v": HUGE})
        return "unreachable"

    app.add_url_rule("/odd/out-of-range", "odd_out_of_range", out_of_range)
    response = client.get("/odd/out-of-range")
    body = _is_problem(response, 422)
    assert "out of range" in body["detail"]
    assert "psycopg" not in response.get_data(as_text=True)
    assert "integer" not in response.get_data(as_text=True)


def test_odd_requests_through_a_real_server(app, register):
    """The production path: the items lane in front of Flask, a real HTTP client."""
    with serving(app) as url:
        for path, status in [
            (f"{ITEMS}/99999999999999999", 404),
            (f"{ITEMS}?holder_name=%00", 400),
            (f"{ITEMS}?offset={10**12}", 400),
            (f"{ITEMS}?bbox=-1e20,-1e20,1e20,1e20&bbox-crs={UTM}", 400),
            (f"/collections/licences/tiles/WebMercatorQuad/3/{HUGE}/1", 404),
        ]:
            response = requests.get(url + path, timeout=30)
            assert response.status_code == status, (path, response.text[:300])
            assert response.headers["Content-Type"] == PROBLEM


@pytest.mark.parametrize("holder_id", ["²", "١٢", HUGE, "2147483648", "0"])
def test_odd_holder_ids_on_the_application_form_come_back_beside_the_field(
    client, register, holder_id
):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    corners = "7.95, -11.10\n7.95, -11.09\n7.96, -11.09\n7.96, -11.10"
    data = new_licence_form(html, holder_id=holder_id, corners=corners)
    response = client.post("/licences/new", data=data)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert "Choose a holder" in response.get_data(as_text=True)
    assert client.post("/licences/check", data=data).status_code == 200  # the area alone
    assert client.get(f"/licences/new?holder={holder_id}").status_code == 200


@pytest.mark.parametrize("user_id", ["²", HUGE, ""])
def test_odd_user_ids_on_the_password_reset_come_back_beside_the_field(client, register, user_id):
    login(client, "admin")
    html = client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users/password",
        data={"csrf_token": token(html), "user_id": user_id, "password": "long-enough-123"},
    )
    assert response.status_code == 422
    assert "Choose a user." in response.get_data(as_text=True)
