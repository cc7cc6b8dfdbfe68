"""Secrets generated once and kept in the database, so every worker and restart shares them.

The first process to need one inserts a random value with ``ON CONFLICT DO NOTHING`` and
everyone, the first included, reads back the row that won: two workers starting together
end up with the same value.
"""

from __future__ import annotations

import secrets

from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from cadastre.db import get_engine
from cadastre.errors import ConfigurationError

#: The key that signs session cookies and CSRF tokens when CADASTRE_SECRET_KEY is unset.
SESSION_KEY = "session-signing-key"


def shared_secret(database_url: str, name: str = SESSION_KEY) -> str:
    """The secret ``name`` stored in the database at ``database_url``, made on first use."""
    try:
        return _read_or_make(database_url, name)
    except ProgrammingError as exc:  # no app_secrets table: the database is not migrated
        raise ConfigurationError(
            "The database has no table app_secrets for the cookie-signing key. "
            "Run `cadastre db upgrade`, or set CADASTRE_SECRET_KEY."
        ) from exc


def _read_or_make(database_url: str, name: str) -> str:
    with get_engine(database_url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_secrets (name, value) VALUES (:name, :value) "
                "ON CONFLICT (name) DO NOTHING"
            ),
            {"name": name, "value": secrets.token_hex(32)},
        )
        # A new statement sees the winner's committed row (READ COMMITTED), ours or theirs.
        return conn.execute(
            text("SELECT value FROM app_secrets WHERE name = :name"), {"name": name}
        ).scalar_one()
