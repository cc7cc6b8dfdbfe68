"""With its database away the app answers 503 with Retry-After, never a 500 or the driver's
words: the API and the map layers in problem+json, pages as an HTML page."""

from __future__ import annotations

import socket
import threading
import time

import psycopg
import pytest
from licence_support import KONO, geojson, make_holder, make_token, rect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from cadastre.app import create_app
from cadastre.db import get_engine
from cadastre.models import Holder, User
from cadastre.queries.overlaps import EXCLUSIVE_INTAKE_LOCK

LEAKS = ("psycopg", "Connection refused", "connection failed", "127.0.0.1", "terminating")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def app_without_database(settings):
    url = f"postgresql+psycopg://cadastre@127.0.0.1:{closed_port()}/cadastre_gone"
    app = create_app(settings.__class__(**{**settings.__dict__, "database_url": url}))
    yield app
    get_engine(url).dispose()


def assert_unavailable(r, html: bool = False):
    assert r.status_code == 503, (r.status_code, r.get_data()[:300])
    assert int(r.headers["Retry-After"]) > 0
    text = r.get_data(as_text=True)
    assert not any(leak in text for leak in LEAKS), text
    if html:
        assert r.mimetype == "text/html" and "503" in text
    else:
        assert r.mimetype == "application/problem+json"
        assert r.get_json()["status"] == 503 and r.get_json()["detail"]


AREA = {"geometry": geojson(rect(*KONO, 500))}


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/licences"),
        ("get", "/api/licences/1"),
        ("get", "/api/holders"),
        ("post", "/api/availability"),
        ("get", "/api/border-risk"),  # with a token: checking it needs the database
        ("get", "/collections"),
        ("get", "/collections/licences/items"),
        ("get", "/collections/licences/items/1"),
        ("get", "/collections/countries/tiles/WebMercatorQuad/5/15/14"),
        ("get", "/collections/licences/export.csv"),
    ],
)
def test_api_and_map_layers_answer_503(app_without_database, method, path):
    client = app_without_database.test_client()
    kwargs = {"json": AREA} if method == "post" else {}
    kwargs["headers"] = {"Authorization": "Bearer some-token"} if "border" in path else {}
    assert_unavailable(getattr(client, method)(path, **kwargs))


def test_a_bearer_token_cannot_be_checked_so_writes_answer_503(app_without_database):
    client = app_without_database.test_client()
    r = client.post(
        "/api/holders",
        json={"name": "Sewa Mining Ltd", "kind": "company"},
        headers={"Authorization": "Bearer some-token"},
    )
    assert_unavailable(r)


@pytest.mark.parametrize("path", ["/collections?f=html", "/collections/licences/items?f=html"])
def test_pages_answer_a_503_page(app_without_database, path):
    client = app_without_database.test_client()
    assert_unavailable(client.get(path, headers={"Accept": "text/html"}), html=True)


def test_a_signed_in_officer_gets_a_503_page_when_the_database_goes(
    app, client, empty_register, settings
):
    from cadastre.db import session_factory
    from cadastre.services.users import add_user

    add_user(empty_register, "h2_officer", "officer", password="correct-horse-battery")
    empty_register.commit()
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    r = client.post("/login", data={"username": "h2_officer",
                                    "password": "correct-horse-battery", "csrf_token": csrf})
    assert r.status_code == 302 and client.get("/dashboard").status_code == 200
    url = f"postgresql+psycopg://cadastre@127.0.0.1:{closed_port()}/cadastre_gone"
    app.extensions["cadastre"].sessions = session_factory(url)  # the database goes away
    try:
        for path in ("/dashboard", "/licences", "/holders"):
            assert_unavailable(client.get(path, headers={"Accept": "text/html"}), html=True)
    finally:
        get_engine(url).dispose()


def _committed_officer_and_holder(url: str) -> tuple[str, int, list]:
    with Session(get_engine(url)) as session:
        holder_id = make_holder(session, "company", "Tongo Field Diamonds Ltd")
        token = make_token(session, "officer", "h2-gone-officer")
        session.commit()
        user_id = session.query(User.id).filter_by(username="h2-gone-officer").scalar()
    return token, holder_id, [user_id]


def test_a_database_that_goes_away_mid_request_gives_503(settings):
    """An application waits for the intake lock; its backend is terminated while it waits."""
    url = settings.database_url
    token, holder_id, user_ids = _committed_officer_and_holder(url)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    app = create_app(settings)
    result = {}
    try:
        with psycopg.connect(dsn, autocommit=True) as holder_of_lock:
            holder_of_lock.execute("SELECT pg_advisory_lock(%s)", (EXCLUSIVE_INTAKE_LOCK,))

            def apply():
                result["r"] = app.test_client().post(
                    "/api/licences",
                    json={
                        "licence_type": "exploration",
                        "holder_id": holder_id,
                        "commodities": ["diamond"],
                        **AREA,
                    },
                    headers={"Authorization": f"Bearer {token}"},
                )

            worker = threading.Thread(target=apply)
            worker.start()
            waiting = []
            for _ in range(200):
                waiting = holder_of_lock.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                ).fetchall()
                if waiting:
                    break
                time.sleep(0.05)
            assert waiting, "the application never waited for the intake lock"
            for (pid,) in waiting:
                holder_of_lock.execute("SELECT pg_terminate_backend(%s)", (pid,))
            worker.join(timeout=30)
        assert_unavailable(result["r"])
    finally:
        get_engine(url).dispose()
        with Session(get_engine(url)) as session:
            session.query(User).filter(User.id.in_(user_ids)).delete()
            session.query(Holder).filter_by(id=holder_id).delete()
            session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/collections/countries/items?offset=12116200144419",  # found by schemathesis
        "/collections/countries/items?offset=12116200144419&f=json",
    ],
)
def test_a_value_the_database_cannot_hold_is_a_400_not_a_500(client, path):
    r = client.get(path)
    assert r.status_code == 400, r.get_data()[:300]
    assert r.mimetype == "application/problem+json"
    assert "psycopg" not in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "method,path",
    [("get", "/login"), ("post", "/login"), ("get", "/dashboard"), ("get", "/holders")],
)
def test_pages_answer_503_when_the_stored_key_cannot_be_read(settings, method, path):
    # no CADASTRE_SECRET_KEY: a worker started while the database is away has no key yet
    url = f"postgresql+psycopg://cadastre@127.0.0.1:{closed_port()}/cadastre_gone"
    app = create_app(settings.__class__(**{**settings.__dict__, "database_url": url,
                                           "secret_key": ""}))
    try:
        client = app.test_client()
        kwargs = {"data": {"username": "a", "password": "b"}} if method == "post" else {}
        r = getattr(client, method)(path, headers={"Accept": "text/html"}, **kwargs)
        assert_unavailable(r, html=True)
        assert client.get("/healthz").status_code == 503
    finally:
        get_engine(url).dispose()
