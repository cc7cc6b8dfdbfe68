"""Read-only database access for the map endpoints, with the fewest round trips.

Map requests only read, one statement each in the common case. Their SQL is compiled by
SQLAlchemy once per statement shape (``compile_sql``) and then sent as text with bound
values (``fetch_one``), so a request pays neither SQLAlchemy's compile-cache lookup nor
its result machinery, and psycopg prepares the statements a connection sees repeatedly.

On the app's engine the statement runs on a pooled psycopg connection switched to
autocommit for the call (no BEGIN and ROLLBACK round trips); a connection found dropped
(PostgreSQL restarted, backend terminated) is discarded and the read retried once, which
is safe because it only reads. When the session factory is bound to a connection instead
(the tests' rolled-back transaction), statements run there, so tests see their own
uncommitted data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine

from cadastre.db import connections_lost
from cadastre.state import registry

#: Compiles like the app's engine (psycopg, ``%(name)s`` parameters).
_DIALECT = postgresql.psycopg.dialect()


@dataclass(frozen=True)
class Sql:
    """A statement compiled once: its text and the values of the parameters it fixes."""

    text: str
    fixed: dict[str, Any]

    def params(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every parameter: the fixed ones, overridden by this request's ``values``."""
        return {**self.fixed, **values} if values else self.fixed


def compile_sql(stmt) -> Sql:
    """Compile ``stmt`` for psycopg; its bound values become the defaults of ``Sql.params``."""
    compiled = stmt.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    fixed = dict(compiled.params)
    processors = getattr(compiled, "_bind_processors", None) or {}
    for name, process in processors.items():  # none for our types; kept for safety
        if name in fixed and fixed[name] is not None and callable(process):
            fixed[name] = process(fixed[name])
    return Sql(str(compiled), fixed)


def fetch_one(sql: Sql, values: dict[str, Any] | None = None) -> tuple | None:
    """The first row of ``sql`` run with ``values`` (None when it returns no row)."""
    params = sql.params(values)
    sessions = registry().sessions
    bind = sessions.kw.get("bind")
    if isinstance(bind, Engine):
        return _fetch_pooled(bind, sql.text, params)
    with sessions() as session:
        row = session.connection().exec_driver_sql(sql.text, params).first()
        return tuple(row) if row is not None else None


def _fetch_pooled(engine: Engine, text: str, params: dict[str, Any]) -> tuple | None:
    dialect = engine.dialect
    for attempt in (1, 2):
        pooled = engine.raw_connection()
        conn = pooled.driver_connection
        try:
            conn.autocommit = True
            try:
                return conn.execute(text, params).fetchone()
            finally:
                if not conn.closed:
                    conn.autocommit = False  # pooled connections are shared with sessions
        except dialect.loaded_dbapi.Error as err:
            if attempt == 2 or not dialect.is_disconnect(err, conn, None):
                raise
            pooled.invalidate(err)
            connections_lost(engine)  # the others may be dead too: ping them before use
        finally:
            pooled.close()
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def autocommit_reads() -> Iterator:
    """A connection for statements built per request (extents, metadata): autocommit on the
    app's engine (no BEGIN and ROLLBACK round trips), the bound session under the tests."""
    sessions = registry().sessions
    bind = sessions.kw.get("bind")
    if isinstance(bind, Engine):
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn
    else:
        with sessions() as session:
            yield session
