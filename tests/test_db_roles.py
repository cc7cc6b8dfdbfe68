"""Least privilege: the application's role reads and writes rows and can do nothing else;
the owner migrates (issue 14: the set-up made the application's role a superuser)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from licence_support import KONO, geojson, grant_paid, square_ha
from psycopg.errors import InsufficientPrivilege
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

from cadastre.app import create_app
from cadastre.db_roles import APP_ROLE
from tests.conftest import scratch_database

REFUSED = {
    "create a table": "CREATE TABLE public.mine (id int)",
    "drop a table": "DROP TABLE licences",
    "alter a table": "ALTER TABLE licences ADD COLUMN note text",
    "truncate a table": "TRUNCATE licences",
    "disable a trigger": "ALTER TABLE licence_events DISABLE TRIGGER ALL",
    "index a table": "CREATE INDEX ON licences (code)",
    "rewrite history": "UPDATE licence_events SET reason = 'edited'",
    "delete history": "DELETE FROM licence_events",
    "grant itself more": "ALTER ROLE current_user SUPERUSER",
}


@pytest.fixture(scope="module")
def app_role(database_url) -> str:
    """The application's role, as scripts/ensure-db.sh creates it."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}):
                return APP_ROLE
            can = conn.scalar(
                text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
            )
            if not can:
                pytest.skip(f"no role {APP_ROLE}: run scripts/ensure-db.sh")
            conn.execute(
                text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT")
            )
            return APP_ROLE
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def roles_register(database_url, settings, app_role):
    """A register migrated by `cadastre db upgrade` as the owner, then used as the app role."""
    owner = scratch_database(database_url, "h5roles")
    app_url = make_url(owner).set(username=app_role, password=None)
    app_url = app_url.render_as_string(hide_password=False)
    app = create_app(
        replace(settings, database_url=app_url, owner_database_url=owner, training_database_url="")
    )
    runner = app.test_cli_runner()
    done = runner.invoke(args=["db", "upgrade"])
    assert done.exit_code == 0, done.output
    # The register's everyday commands run as the application's role.
    done = runner.invoke(args=["boundaries", "load"])
    assert done.exit_code == 0, done.output
    return {"owner": owner, "app": app_url, "flask": app}


def _as(url: str):
    return create_engine(url, poolclass=NullPool)


def test_the_app_role_is_no_superuser_and_owns_nothing(roles_register):
    with _as(roles_register["app"]).connect() as conn:
        row = conn.execute(
            text(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, rolinherit, current_user AS me "
                "FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        assert row.me == APP_ROLE
        assert not (row.rolsuper or row.rolcreatedb or row.rolcreaterole or row.rolinherit)
        owned = conn.scalar(
            text("SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole")
        )
        assert owned == 0


@pytest.mark.parametrize("doing", sorted(REFUSED))
def test_the_app_role_cannot_change_the_schema_or_history(roles_register, doing):
    with _as(roles_register["app"]).connect() as conn:
        with pytest.raises(ProgrammingError) as refused:
            conn.execute(text(REFUSED[doing]))
        assert isinstance(refused.value.orig, InsufficientPrivilege), refused.value


def test_the_app_serves_the_register_as_the_app_role(roles_register):
    runner = roles_register["flask"].test_cli_runner()
    tokens = {}
    for role in ("viewer", "officer", "supervisor", "finance"):
        made = runner.invoke(args=["users", "add", f"sia-{role}", "--role", role])
        assert made.exit_code == 0, made.output
        tokens[role] = {"Authorization": f"Bearer {made.output.strip().splitlines()[-1]}"}
    headers = tokens["supervisor"]
    client = roles_register["flask"].test_client()
    holder = client.post("/api/holders", json={"name": "Role Test Ltd", "kind": "company"},
                         headers=headers)  # fmt: skip
    assert holder.status_code == 201, holder.get_json()
    body = {
        "licence_type": "exploration",
        "holder_id": holder.get_json()["id"],
        "commodities": ["gold"],
        "geometry": geojson(square_ha(*KONO, 200)),
    }
    lic = client.post("/api/licences", json=body, headers=headers)
    assert lic.status_code == 201, lic.get_json()
    lid = lic.get_json()["id"]
    # its procedure walked over the API: documents filed, fees paid, each stage completed
    granted = grant_paid(client, tokens.get, lid, reason="ok")
    assert granted.status_code == 200, granted.get_json()
    history = client.get(f"/api/licences/{lid}/history", headers=headers).get_json()
    actions = [e["action"] for e in history["events"]]
    assert actions[0] == "apply" and actions[-1] == "finalise" and "stage" in actions
    with _as(roles_register["app"]).connect() as conn:
        stages = conn.scalar(text("SELECT count(*) FROM licence_stages WHERE licence_id = :i"),
                             {"i": lid})  # fmt: skip
    assert stages == actions.count("stage") + 2  # and the two decisions
    with _as(roles_register["app"]).connect() as conn:
        status = conn.scalar(text("SELECT status FROM licences WHERE id = :i"), {"i": lid})
    assert status == "granted"


def test_tables_a_later_migration_creates_are_covered(roles_register):
    with _as(roles_register["owner"]).begin() as conn:
        conn.execute(text("CREATE TABLE public.later_table (id serial PRIMARY KEY, v text)"))
    with _as(roles_register["app"]).begin() as conn:
        conn.execute(text("INSERT INTO later_table (v) VALUES ('x')"))
        assert conn.scalar(text("SELECT count(*) FROM later_table")) == 1


def test_the_owner_url_is_derived_from_the_apps_only_for_the_app_role():
    from cadastre.db_roles import owner_url

    app = "postgresql+psycopg://cadastre_app:s3cret@db.example:5432/register"
    assert owner_url(app) == "postgresql+psycopg://cadastre@db.example:5432/register"
    one_user = "postgresql+psycopg://registrar:pw@db.example/register"
    assert owner_url(one_user) == one_user
    owner = "postgresql+psycopg://boss:pw2@elsewhere/other"
    assert owner_url(app, owner) == "postgresql+psycopg://boss:pw2@db.example:5432/register"
