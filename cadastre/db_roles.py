"""Least privilege: the application's role reads and writes rows, the owner changes the schema.

The owner (``cadastre``; ``CADASTRE_OWNER_DATABASE_URL``) runs the migrations, training
resets, backups and restores and owns every table. The application (``cadastre_app``; the
user of ``CADASTRE_DATABASE_URL``) owns nothing: it may SELECT, INSERT, UPDATE and DELETE
rows and use sequences, so it cannot create, drop, alter, truncate a table or disable a
trigger. ``ALTER DEFAULT PRIVILEGES`` covers tables later migrations create.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

#: The application's role when ``CADASTRE_DATABASE_URL`` names no other.
APP_ROLE = "cadastre_app"
#: The schema owner's role when ``CADASTRE_OWNER_DATABASE_URL`` is not set.
OWNER_ROLE = "cadastre"
#: Schemas whose tables the application uses.
APP_SCHEMAS = ("public", "training")
#: History is written once and never changed: the application may only add to it.
INSERT_ONLY_TABLES = frozenset(
    {"licence_events", "holder_events", "ledger_events", "payment_allocations", "licence_stages"}
)
#: Money is never deleted: an order is cancelled, a payment reversed (both recorded); nor is
#: a document on file: a newer one supersedes it; nor a message in the outbox: it ends sent
#: or failed, never gone; nor an obligation: it is received or waived.
NO_DELETE_TABLES = frozenset(
    {"orders_to_pay", "payments", "licence_documents", "outbox_messages", "licence_obligations"}
)
#: Moved only by the history chain's triggers, which run with the owner's rights; and the
#: licence types, which only ``cadastre db upgrade`` (the owner) copies from the profile.
READ_ONLY_TABLES = frozenset({"history_head", "alembic_version", "licence_types"})

ROW_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
INSERT_RIGHTS = "SELECT, INSERT"
UPDATE_RIGHTS = "SELECT, INSERT, UPDATE"


def owner_url(url: str, owner: str | None = None) -> str:
    """``url`` as the owner: the user (and password) of ``owner`` when given, else ``cadastre``
    in place of the application's role; a URL naming any other user is taken as the owner's
    (a one-user set-up)."""
    base = make_url(url)
    if owner and "://" in owner:
        who = make_url(owner)
        base = base.set(username=who.username, password=who.password)
    elif owner:
        base = base._replace(username=owner, password=None)  # set() keeps a None password
    elif base.username == APP_ROLE:
        base = base._replace(username=OWNER_ROLE, password=None)
    return base.render_as_string(hide_password=False)


def url_user(url: str) -> str | None:
    """The user a database URL connects as."""
    return make_url(url).username


def _quote(conn: Connection, name: str) -> str:
    return conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one()


_OWNED = {
    "tables": "SELECT tablename FROM pg_tables WHERE schemaname = :s AND tableowner = current_user",
    "sequences": "SELECT sequencename FROM pg_sequences "
    "WHERE schemaname = :s AND sequenceowner = current_user",
}


def _owned(conn: Connection, schema: str, kind: str):
    """Names of the tables or sequences in ``schema`` that the connected role owns."""
    return conn.execute(text(_OWNED[kind]), {"s": schema}).scalars()


def grant_app_role(conn: Connection, role: str = APP_ROLE) -> bool:
    """Grant ``role`` row access to the tables the connected owner owns; False if no such role."""
    me = conn.execute(text("SELECT current_user")).scalar_one()
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if role == me or found is None:
        return False
    who = _quote(conn, role)
    for schema in APP_SCHEMAS:
        if conn.execute(text("SELECT to_regnamespace(:s)"), {"s": schema}).scalar() is None:
            continue
        conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {who}"))
        for table in _owned(conn, schema, "tables"):
            rights = (
                "SELECT"
                if table in READ_ONLY_TABLES
                else INSERT_RIGHTS
                if table in INSERT_ONLY_TABLES
                else UPDATE_RIGHTS
                if table in NO_DELETE_TABLES
                else ROW_RIGHTS
            )
            name = f"{schema}.{_quote(conn, table)}"
            conn.execute(text(f"REVOKE ALL ON {name} FROM {who}"))
            conn.execute(text(f"GRANT {rights} ON {name} TO {who}"))
        for seq in _owned(conn, schema, "sequences"):
            name = f"{schema}.{_quote(conn, seq)}"
            conn.execute(text(f"GRANT USAGE, SELECT ON SEQUENCE {name} TO {who}"))
        # Tables and sequences later migrations create are covered without another grant.
        conn.execute(
            text(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {ROW_RIGHTS} ON TABLES TO {who}"
            )
        )
        conn.execute(
            text(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
                f"GRANT USAGE, SELECT ON SEQUENCES TO {who}"
            )
        )
    return True
