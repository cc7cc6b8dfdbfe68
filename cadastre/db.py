"""One engine per process and a session per unit of work."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InvalidatePoolError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cadastre.errors import ConfigurationError

_engines: dict[str, Engine] = {}
#: Per engine, when a dropped connection was last seen (monotonic seconds).
_lost_at: dict[int, float] = {}

#: A pooled connection idle longer than this is pinged before use (see ``_ping_if_idle``).
IDLE_PING_SECONDS = 10.0
#: A template database with PostGIS installed (made by scripts/ensure-db.sh).
POSTGIS_TEMPLATE = "template_postgis"
#: Connections are replaced after this long, before a firewall or server timeout drops them.
POOL_RECYCLE_SECONDS = 1800


def get_engine(url: str) -> Engine:
    """Return the process-wide engine for ``url``, creating it once."""
    engine = _engines.get(url)
    if engine is None:
        engine = create_engine(
            url, pool_size=10, max_overflow=20, pool_recycle=POOL_RECYCLE_SECONDS
        )
        _watch_connections(engine)
        _engines[url] = engine
    return engine


def _watch_connections(engine: Engine) -> None:
    """Ping only connections that sat idle, instead of ``pool_pre_ping`` on every checkout.

    A busy connection proves itself on every use, so pinging it costs a round trip per
    request for nothing. One that sat idle may have been dropped (a PostgreSQL restart,
    an idle timeout): it is pinged, and a failed ping discards every pooled connection
    older than now. A connection that dies while in use raises a disconnect error: through
    SQLAlchemy that discards the pool; the map endpoints' raw reads call
    ``connections_lost`` instead, and retry once (``cadastre.ogc.reading``).
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        since = record.info.get("idle_since")
        if since is None:
            return  # a new connection
        if (
            time.monotonic() - since < IDLE_PING_SECONDS
            and since > _lost_at.get(id(engine), float("-inf"))
        ):
            return
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                raise InvalidatePoolError() from err  # the pool retries with a new connection
            raise


def connections_lost(engine: Engine) -> None:
    """A connection of ``engine`` was found dropped: ping every pooled one before reuse."""
    _lost_at[id(engine)] = time.monotonic()


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
            # Installing PostGIS needs a superuser; the owner role is none, so it clones the
            # template scripts/ensure-db.sh prepared with the extension, when there is one.
            template = conn.scalar(
                text("SELECT datname FROM pg_database WHERE datname = :t AND datistemplate"),
                {"t": POSTGIS_TEMPLATE},
            )
            clause = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{base.database}"{clause}'))
    finally:
        admin.dispose()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    finally:
        engine.dispose()
