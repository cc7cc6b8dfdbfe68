"""Read-only database access for the map endpoints, with the fewest round trips.

Map requests only read, one or two statements each. On the app's engine they run on an
autocommit connection (no BEGIN and ROLLBACK round trips per request); when the session
factory is bound to a connection instead (the tests' rolled-back transaction), they use
a session from it, so tests see their own uncommitted data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from cadastre.app import registry


@contextmanager
def reading() -> Iterator:
    """A connection (or session) to run read-only statements on."""
    sessions = registry().sessions
    bind = sessions.kw.get("bind")
    if isinstance(bind, Engine):
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn
    else:
        with sessions() as session:
            yield session
