"""One engine per process and a session per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cadastre.errors import ConfigurationError

_engines: dict[str, Engine] = {}


def get_engine(url: str) -> Engine:
    """Return the process-wide engine for ``url``, creating it once."""
    engine = _engines.get(url)
    if engine is None:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
        _engines[url] = engine
    return engine


def session_factory(url: str) -> sessionmaker[Session]:
    """A sessionmaker bound to the engine for ``url``."""
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def check_database(url: str) -> dict[str, str]:
    """Connect and report versions; raise a ConfigurationError that says what to do."""
    try:
        with get_engine(url).connect() as conn:
            pg = conn.execute(text("SHOW server_version")).scalar_one()
            try:
                postgis = conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
            except Exception as exc:  # noqa: BLE001 - any failure means PostGIS is absent
                raise ConfigurationError(
                    f"The database at {safe_url(url)} has no PostGIS extension. "
                    "Run `make db` (Debian) or `CREATE EXTENSION postgis;` as a superuser."
                ) from exc
    except OperationalError as exc:
        raise ConfigurationError(
            f"Cannot reach the database at {safe_url(url)}: {exc.orig}. "
            "Start PostgreSQL (`make db` on Debian) or set CADASTRE_DATABASE_URL."
        ) from exc
    return {"postgresql": pg, "postgis": postgis}


def safe_url(url: str) -> str:
    """The URL without its password, fit for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def recreate_database(url: str) -> None:
    """Drop and create the database ``url`` names, with PostGIS (tests' and benches' scratch)."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{base.database}"'))
    finally:
        admin.dispose()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    finally:
        engine.dispose()
