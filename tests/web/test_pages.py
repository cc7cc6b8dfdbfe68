"""The officer pages through Flask's test client: roles, CSRF, refusals that keep input."""

from __future__ import annotations

import io
import json
import re

import pytest
from shapely.geometry import box, mapping

from cadastre.domain.geometry import geodesic_area_ha
from cadastre.services.holders import create_holder
from tests.page_support import PASSWORD, login, new_licence_form, token


def test_login_page_labels_every_input(client):
    html = client.get("/login").get_data(as_text=True)
    for name in ("username", "password"):
        assert re.search(rf'<label[^>]*for="{name}"', html), name


def test_wrong_password_is_refused_with_a_message(client, register):
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"username": "t_officer", "password": "nope-nope", "csrf_token": token(page)}
    )
    assert response.status_code == 401
    assert "username or password is not right" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_without_csrf_token_is_refused(client, register):
    response = client.post("/login", data={"username": "t_officer", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_anonymous_pages_redirect_to_login(client):
    for path in ("/dashboard", "/licences", "/map", "/holders", "/licences/new", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_signed_in_pages_render(client, register):
    assert login(client, "officer").status_code == 302
    for path in (
        "/dashboard",
        "/licences",
        "/map",
        "/holders",
        "/licences/new",
        f"/licences/{register['licence']}",
        f"/licences/{register['licence']}/print",
        f"/holders/{register['holder']}",
        "/holders/new",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    assert register["code"] in client.get("/licences").get_data(as_text=True)


def test_dashboard_counts_and_waiting_applications(client, register):
    login(client, "viewer")
    html = client.get("/dashboard").get_data(as_text=True)
    assert register["code"] in html  # the one application is the one waiting longest
    assert "applications waiting" in html


def test_list_filters_and_csv(client, register, session, profile):
    login(client, "viewer")
    html = client.get("/licences?type=artisanal").get_data(as_text=True)
    assert register["code"] not in html
    html = client.get("/licences?type=small_scale&sort=area&dir=asc&page=abc&per_page=7").get_data(
        as_text=True
    )
    assert register["code"] in html
    csv_text = client.get("/licences.csv?status=application").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    # the licences layer's one CSV (cadastre/exports/writers.py, layer_csv): id, properties, wkt
    assert lines[0].startswith("id,code,licence_type,status,commodities,holder_name,")
    assert lines[0].endswith(",nearest_border,risk_level,max_depth_m,mechanised,wkt")
    assert len(lines) == 2 and lines[1].split(",")[1] == register["code"]
    assert client.get("/licences.csv?status=granted").get_data(as_text=True).count("\n") == 1


def test_viewer_sees_no_actions_and_is_refused_when_posting(client, register):
    login(client, "viewer")
    html = client.get(f"/licences/{register['licence']}").get_data(as_text=True)
    assert "Confirm grant" not in html and 'id="no-actions"' in html
    response = client.post(
        f"/licences/{register['licence']}/actions/grant",
        data={"grant-reason": "because", "grant-csrf_token": token(html)},
    )
    assert response.status_code == 403
    assert "You may not do this" in response.get_data(as_text=True)


def test_supervisor_acts_with_a_reason_and_no_button_skips_the_procedure(client, register):
    login(client, "supervisor")
    url = f"/licences/{register['licence']}"
    html = client.get(url).get_data(as_text=True)
    # the application waits at its procedure's first stage: the stage form, no grant button
    assert 'id="stage-form"' in html and "Confirm grant" not in html
    assert "Confirm refuse" in html  # the first stage allows a refusal
    asked = client.post(
        f"{url}/actions/grant",
        data={"grant-csrf_token": token(html), "grant-reason": "Looks fine", "grant-version": "1"},
    )
    assert asked.status_code == 422 and "waiting at &#39;lodged&#39;" in asked.get_data(True)
    # no reason: refused, nothing changes, message beside the field
    response = client.post(
        f"{url}/actions/refuse", data={"refuse-csrf_token": token(html), "refuse-version": "1"}
    )
    assert response.status_code == 422
    assert "Give a reason." in response.get_data(as_text=True)
    stale = client.post(
        f"{url}/actions/refuse",
        data={
            "refuse-csrf_token": token(html),
            "refuse-reason": "Incomplete file",
            "refuse-version": "7",
        },
    )
    assert stale.status_code == 422
    assert "has changed since you read it" in stale.get_data(as_text=True)
    assert "Incomplete file" in stale.get_data(as_text=True)  # the reason typed is kept
    response = client.post(
        f"{url}/actions/refuse",
        data={
            "refuse-csrf_token": token(html),
            "refuse-reason": "Incomplete file",
            "refuse-version": "1",
        },
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "tag-refused" in body and "Incomplete file" in body


def test_action_without_csrf_token_is_refused(client, register):
    login(client, "supervisor")
    response = client.post(
        f"/licences/{register['licence']}/actions/grant", data={"grant-reason": "x"}
    )
    assert response.status_code == 400


def test_refused_application_keeps_everything(client, register):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    corners = "7.95, -11.10\n7.95, -11.09\n7.96, -11.09\n7.96, -11.10"
    response = client.post(
        "/licences/new",
        data=new_licence_form(
            html,
            holder_id=str(register["holder"]),
            commodities=[],
            corners=corners,
            district="Kenema",
        ),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose at least one commodity." in body
    assert "7.95, -11.10" in body and 'value="Kenema"' in body
    assert re.search(r'value="small_scale" selected|selected value="small_scale"', body)


@pytest.mark.parametrize(
    "corners",
    [
        "",
        "garbage",
        "1 2\n3 4",
        "7.95 -11.10\n7.96 -11.09\n7.95 -11.09\n7.96 -11.10",
        "\x00\x01",
        "9" * 5000,
        "7.95, -11.10\n" * 3,
        "NaN NaN\ninf inf\n1e999 1e999",
    ],
)
def test_odd_corners_never_cause_a_server_error(client, register, corners):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    response = client.post(
        "/licences/new",
        data=new_licence_form(
            html, holder_id=str(register["holder"]), corners=corners, notation="auto"
        ),
    )
    assert response.status_code == 422
    assert 'class="field-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "fields",
    [
        {"holder_id": "abc"},
        {"holder_id": "999999"},
        {"licence_type": "dealer"},
        {"commodities": ["unobtainium"]},
        {"area_method": "telepathy"},
        {"holder_mode": "new"},
        {"area_method": "draw", "drawn_geometry": "{not json"},
        {
            "area_method": "draw",
            "drawn_geometry": json.dumps({"type": "Point", "coordinates": [0, 0]}),
        },
        {"area_method": "upload"},
        {"notation": "klingon"},
    ],
)
def test_odd_form_values_never_cause_a_server_error(client, register, fields):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    data = new_licence_form(
        html,
        holder_id=str(register["holder"]),
        corners="7.95, -11.10\n7.95, -11.09\n7.96, -11.09\n7.96, -11.10",
    )
    data.update(fields)
    response = client.post("/licences/new", data=data)
    assert response.status_code in (302, 422), response.get_data(as_text=True)[:500]


def test_register_by_uploaded_geojson(client, register, session):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    geojson = json.dumps(
        {
            "type": "Feature",
            "properties": {},
            "geometry": mapping(box(-11.10, 7.95, -11.095, 7.955)),
        }
    )
    data = new_licence_form(html, holder_id=str(register["holder"]), area_method="upload")
    data["upload"] = (io.BytesIO(geojson.encode()), "area.geojson")
    response = client.post("/licences/new", data=data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 302, body[body.find("error-summary") :][:1500]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "SML/" in page and "Apply" in page


def test_bad_upload_is_refused_beside_the_field(client, register):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    data = new_licence_form(html, holder_id=str(register["holder"]), area_method="upload")
    data["upload"] = (io.BytesIO(b"this is not a map"), "area.kml")
    response = client.post("/licences/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "could not be read" in response.get_data(as_text=True)


def test_swapped_axes_in_an_upload_are_named_for_its_format(client, register):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    ring = "7.95,-11.10 7.95,-11.095 7.955,-11.095 7.955,-11.10 7.95,-11.10"  # lat, lon
    kml = (
        '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark>'
        f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates>"
        "</LinearRing></outerBoundaryIs></Polygon></Placemark></kml>"
    )
    data = new_licence_form(html, holder_id=str(register["holder"]), area_method="upload")
    data["upload"] = (io.BytesIO(kml.encode()), "area.kml")
    response = client.post("/licences/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "KML wants longitude, latitude" in response.get_data(as_text=True)


def test_check_reports_conflict_and_free_part(client, register, session, walked):
    walked(register["licence"])
    session.commit()
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    corners = "7.884, -11.195\n7.884, -11.185\n7.894, -11.185\n7.894, -11.195"
    response = client.post(
        "/licences/check",
        data=new_licence_form(html, corners=corners),
        headers={"X-CSRFToken": token(html)},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert [c["code"] for c in body["conflicts"]] == [register["code"]]
    assert 0 < body["conflicts"][0]["overlap_ha"] < body["area_ha"]
    assert body["free"]["area_ha"] == pytest.approx(
        body["area_ha"] - body["conflicts"][0]["overlap_ha"], rel=0.01
    )
    assert body["overlaps"]["features"]
    assert body["border"]["tier"] in ("none", "watch", "elevated", "high")


def test_map_search_json(client, register):
    login(client, "viewer")
    results = client.get("/map/search?q=sewa").get_json()["results"]
    assert [r["code"] for r in results] == [register["code"]]
    assert client.get("/map/search?q=%").get_json()["results"] == []


def test_vendor_assets_are_served_locally(client):
    assert client.get("/vendor/maplibre-gl.js").status_code == 200
    assert client.get("/vendor/mapbox-gl-draw.js").status_code == 200
    assert client.get("/vendor/..%2fpackage.json").status_code == 404


def test_admin_adds_a_user_and_resets_a_password(client, register):
    login(client, "officer")
    assert client.get("/admin/users").status_code == 403
    client.post(
        "/logout", data={"csrf_token": token(client.get("/dashboard").get_data(as_text=True))}
    )
    login(client, "admin")
    html = client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": token(html),
            "username": "new_clerk",
            "role": "officer",
            "password": "long-enough-1",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/users",
        data={"csrf_token": token(html), "username": "x y", "role": "officer", "password": "short"},
    )
    assert response.status_code == 422


def _write_layer(tmp_path, driver: str, suffix: str, crs: str = "EPSG:4326") -> bytes:
    import zipfile

    import geopandas as gpd

    area = box(-11.40, 8.10, -11.395, 8.105)
    frame = gpd.GeoDataFrame({"name": ["plot"]}, geometry=[area], crs="EPSG:4326").to_crs(crs)
    path = tmp_path / f"area{suffix if suffix != '.zip' else '.shp'}"
    frame.to_file(path, driver=driver, engine="pyogrio")
    if suffix != ".zip":
        return path.read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in tmp_path.glob("area.*"):
            zf.write(part, f"parcel/{part.name}")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("driver", "suffix", "crs"),
    [
        ("KML", ".kml", "EPSG:4326"),
        ("ESRI Shapefile", ".zip", "EPSG:32629"),  # projected: reprojected on reading
        ("GPKG", ".gpkg", "EPSG:32629"),
    ],
)
def test_register_by_uploaded_kml_shapefile_geopackage(
    client, register, session, tmp_path, driver, suffix, crs
):
    from cadastre.models import Licence

    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    data = new_licence_form(html, holder_id=str(register["holder"]), area_method="upload")
    data["upload"] = (io.BytesIO(_write_layer(tmp_path, driver, suffix, crs)), f"area{suffix}")
    response = client.post("/licences/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    lid = int(response.headers["Location"].rsplit("/", 1)[1])
    area = session.get(Licence, lid).area_ha
    expected = geodesic_area_ha(box(-11.40, 8.10, -11.395, 8.105))
    assert area == pytest.approx(expected, rel=1e-3)


def test_uploaded_area_survives_a_refusal(client, register):
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    geojson = json.dumps(mapping(box(-11.10, 7.95, -11.095, 7.955)))
    data = new_licence_form(
        html, holder_id=str(register["holder"]), area_method="upload", licence_type=""
    )
    data["upload"] = (io.BytesIO(geojson.encode()), "area.geojson")
    response = client.post("/licences/new", data=data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    kept = re.search(r'name="uploaded_geometry" type="hidden" value="([^"]+)"', body)
    assert kept, "the uploaded area was not kept"
    data = new_licence_form(body, holder_id=str(register["holder"]), area_method="upload")
    data["uploaded_geometry"] = kept.group(1).replace("&#34;", '"').replace("&quot;", '"')
    response = client.post("/licences/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302


def test_transfer_and_partial_relinquish_through_the_forms(client, register, session, walked):
    from cadastre.models import Licence

    walked(register["licence"])
    other = create_holder(session, {"name": "Bonthe Sands Ltd", "kind": "company"})
    session.commit()
    login(client, "supervisor")
    url = f"/licences/{register['licence']}"
    html = client.get(url).get_data(as_text=True)
    assert "Bonthe Sands Ltd" in html  # offered as the new holder
    # no holder chosen: refused beside the field
    response = client.post(
        f"{url}/actions/transfer",
        data={"transfer-csrf_token": token(html), "transfer-reason": "Sale of shares"},
    )
    assert response.status_code == 422
    assert "Choose the new holder." in response.get_data(as_text=True)
    response = client.post(
        f"{url}/actions/transfer",
        data={
            "transfer-csrf_token": token(html),
            "transfer-reason": "Sale of shares",
            "transfer-holder_id": str(other.id),
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Licence, register["licence"]).holder_id == other.id
    # partial relinquishment: a kept area inside the licence
    html = client.get(url).get_data(as_text=True)
    kept = "7.880, -11.200\n7.880, -11.195\n7.889, -11.195\n7.889, -11.200"
    response = client.post(
        f"{url}/actions/relinquish",
        data={
            "relinquish-csrf_token": token(html),
            "relinquish-reason": "Give up the east half",
            "relinquish-kept_corners": kept,
            "relinquish-notation": "dd",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    session.expire_all()
    lic = session.get(Licence, register["licence"])
    assert lic.status == "granted" and lic.area_ha < 60
    # a kept area outside the licence is refused next to the corners, nothing changes
    html = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/actions/relinquish",
        data={
            "relinquish-csrf_token": token(html),
            "relinquish-reason": "again",
            "relinquish-kept_corners": "8.0, -11.0\n8.0, -10.99\n8.01, -10.99",
            "relinquish-notation": "dd",
        },
    )
    assert response.status_code == 422
    assert "again" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Licence, register["licence"]).area_ha == lic.area_ha


def test_new_application_preselects_the_holder(client, register):
    login(client, "officer")
    html = client.get(f"/licences/new?holder={register['holder']}").get_data(as_text=True)
    # the only choice offered, chosen: no list of every holder
    radio = f'name="holder_id" type="radio" value="{register["holder"]}"'
    assert re.findall(r'<input[^>]*name="holder_id"[^>]*>', html) == [
        f'<input checked id="holder_id-0" {radio}>'
    ]
    assert "Sewa Alluvial Ltd (company)" in html


def test_the_holder_search_without_scripts_keeps_the_form(client, register, session):
    for i in range(25):
        create_holder(session, {"name": f"Sewa Trader {i:02}", "kind": "individual"})
    session.commit()
    login(client, "officer")
    html = client.get("/licences/new").get_data(as_text=True)
    assert 'name="holder_id"' not in html  # nothing listed before a search
    r = client.post(
        "/licences/new",
        data=new_licence_form(
            html, holder_q="sewa", find_holder="1", district="Kenema", corners="x"
        ),
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "was not registered" not in page
    assert len(re.findall(r'name="holder_id"', page)) == 20  # at most 20 matches
    assert "Sewa Alluvial Ltd (company)" in page
    assert 'value="Kenema"' in page and 'value="sewa"' in page
    r = client.post(
        "/licences/new", data=new_licence_form(page, holder_q="nobody here", find_holder="1")
    )
    assert "No holder matches" in r.get_data(as_text=True)


def test_the_holder_page_lists_the_history_of_its_details(client, register, session):
    from cadastre.services.holders import update_holder

    update_holder(
        session,
        register["holder"],
        {"name": "Sewa Alluvial Mining Ltd"},
        actor="t_supervisor",
        role="supervisor",
        reason="Renamed by special resolution",
    )
    session.commit()
    login(client, "viewer")
    html = client.get(f"/holders/{register['holder']}").get_data(as_text=True)
    assert "History of these details" in html
    assert "Name: Sewa Alluvial Ltd → Sewa Alluvial Mining Ltd" in html
    assert "by t_supervisor" in html and "Renamed by special resolution" in html
