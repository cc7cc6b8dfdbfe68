"""The app survives its database connections being dropped (PostgreSQL restart, terminated
backends) without pinging every connection on checkout."""

import psycopg
import pytest
from sqlalchemy.engine import make_url

from cadastre import db
from cadastre.app import create_app
from cadastre.db import get_engine

TILE = "/collections/countries/tiles/WebMercatorQuad/5/15/14"


def drop_connections(url: str) -> int:
    """Terminate every other backend of the test database, as a restart would."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        ).fetchall()
    return len(rows)


@pytest.fixture
def engine_app(settings):
    """The app on the process engine itself (not a test transaction): committed data only."""
    engine = get_engine(settings.database_url)
    yield create_app(settings)
    engine.dispose()  # leave no dead connection to the next test


def _get_all(client, fid):
    paths = ["/collections/countries/items?limit=2", f"/collections/countries/items/{fid}", TILE]
    return [client.get(p).status_code for p in paths]


def test_map_reads_retry_once_on_a_dropped_connection(engine_app):
    client = engine_app.test_client()
    fid = client.get("/collections/countries/items?limit=1").get_json()["features"][0]["id"]
    assert _get_all(client, fid) == [200, 200, 200]
    assert drop_connections(engine_app.extensions["cadastre"].settings.database_url) >= 1
    # Within the idle window, so no ping: the read meets the dead connection and retries.
    assert _get_all(client, fid) == [200, 200, 200]
    assert _get_all(client, fid) == [200, 200, 200]


def test_idle_connections_are_pinged_before_use(engine_app, monkeypatch):
    client = engine_app.test_client()
    assert client.get("/collections").status_code == 200  # SQLAlchemy's own path
    drop_connections(engine_app.extensions["cadastre"].settings.database_url)
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    assert client.get("/collections").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_busy_connections_are_not_pinged(engine_app, monkeypatch):
    """A connection used moments ago is handed out without a ping round trip."""
    engine = get_engine(engine_app.extensions["cadastre"].settings.database_url)
    pings = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    client = engine_app.test_client()
    for _ in range(5):
        assert client.get(TILE).status_code == 200
        assert client.get("/collections").status_code == 200
    assert pings == []
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    assert client.get("/collections").status_code == 200
    assert pings == [1]
