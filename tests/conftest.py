"""Layered fixtures over a real PostGIS: database (once), app, client, runner, session.

Each test runs inside a transaction that is rolled back, so tests see the boundaries
loaded once per run and nothing else; fixture row counts are asserted at the start.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from cadastre.app import create_app
from cadastre.config import Settings
from cadastre.db import get_engine, recreate_database
from cadastre.migrate import upgrade
from cadastre.models import Base, BorderLine, Country, Licence
from cadastre.profile import load_profile
from cadastre.services.boundaries import load_natural_earth

#: The real-client scripts in ../shared/clients (beside the clone, as CI lays it out).
SHARED_CLIENTS = next(
    (
        p
        for p in (
            Path(__file__).resolve().parents[1].parent / "shared" / "clients",
            Path("/work/shared/clients"),
        )
        if p.is_dir()
    ),
    Path(__file__).resolve().parents[1].parent / "shared" / "clients",
)

# The Makefile exports the owner's URL of the register it runs (`cadastre`); the tests work on
# their own databases, whose owner is derived from each URL (cadastre.db_roles.owner_url).
os.environ.pop("CADASTRE_OWNER_DATABASE_URL", None)

TEST_DATABASE_URL = os.environ.get(
    "CADASTRE_TEST_DATABASE_URL",
    "postgresql+psycopg://cadastre@127.0.0.1:5432/cadastre_test",
)


def reset_schema(url: str) -> None:
    """Drop the registry's tables so every run starts from migrations."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        for table in reversed(Base.metadata.sorted_tables):
            schema = f'"{table.schema}".' if table.schema else ""
            conn.execute(text(f'DROP TABLE IF EXISTS {schema}"{table.name}" CASCADE'))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        conn.execute(text("DROP SEQUENCE IF EXISTS application_number_seq"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> str:
    """A migrated test database with the Natural Earth boundaries loaded, once per run."""
    url = TEST_DATABASE_URL
    reset_schema(url)
    upgrade(url)
    settings = Settings.from_env(database_url=url)
    profile = load_profile(settings.profile)
    engine = get_engine(url)
    with Session(engine) as session:
        load_natural_earth(session, profile, settings.world_atlas)
        session.commit()
    return url


@pytest.fixture(scope="session")
def settings(database_url, tmp_path_factory) -> Settings:
    import licence_support

    documents_dir = str(tmp_path_factory.mktemp("documents"))
    licence_support.DOCUMENTS_DIR = documents_dir  # where the procedure walk files documents
    return Settings.from_env(
        database_url=database_url, testing=True, secret_key="test", documents_dir=documents_dir
    )


@pytest.fixture(scope="session")
def profile(settings):
    return load_profile(settings.profile)


@pytest.fixture
def connection(database_url):
    """A connection in an outer transaction, rolled back after the test."""
    conn = get_engine(database_url).connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def sessions(connection) -> sessionmaker[Session]:
    """Sessions whose commits only release savepoints inside the test's transaction."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def session(sessions) -> Session:
    with sessions() as s:
        yield s


@pytest.fixture
def app(settings, sessions):
    """The app, its sessions bound to the test's transaction."""
    application = create_app(settings)
    application.extensions["cadastre"].sessions = sessions
    return application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def empty_register(session):
    """Assert the starting state every test relies on: boundaries, no licences."""
    assert session.scalar(select(func.count()).select_from(Licence)) == 0
    assert session.scalar(select(func.count()).select_from(Country)) == 4
    assert session.scalar(select(func.count()).select_from(BorderLine)) == 5
    return session


def scratch_database(url: str, suffix: str) -> str:
    """Create (or recreate) an empty PostGIS database beside the test one; returns its URL."""
    base = make_url(url)
    new_url = base.set(database=f"{base.database}_{suffix}").render_as_string(hide_password=False)
    recreate_database(new_url)
    return new_url


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 and a free port in a background thread; yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


#: Debian's Chromium, never a downloaded browser; no background traffic on the closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless (never a downloaded browser)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup-system.sh --test)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        yield b
        b.close()


def fail_once(monkeypatch, owner, name: str) -> list:
    """Make ``owner.name`` raise on its first call only (a connection lost once); returns
    the list of failed calls' arguments, for the test to count."""
    real = getattr(owner, name)
    failures: list = []

    def flaky(*args, **kwargs):
        if not failures:
            failures.append(args)
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return failures
