"""Run Alembic migrations from code (used by ``cadastre db upgrade`` and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from cadastre.config import ROOT
from cadastre.profile import Profile


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at ``migrations/`` and the given database."""
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(
    url: str, revision: str = "head", *, app_role: str | None = None, profile: Profile | None = None
) -> None:
    """Upgrade the database to ``revision`` (as its owner), granting ``app_role`` row rights;
    then, given a profile, copy its licence types into ``licence_types`` (the one place that
    does: ``cadastre db upgrade`` and ``cadastre training reset`` both come through here)."""
    cfg = alembic_config(url)
    if app_role:
        cfg.attributes["app_role"] = app_role
    command.upgrade(cfg, revision)
    if profile is not None:
        from sqlalchemy.orm import Session

        from cadastre.db import get_engine
        from cadastre.services.licence_types import sync_licence_types
        from cadastre.services.procedure_placement import place_waiting_applications

        with Session(get_engine(url)) as session:
            sync_licence_types(session, profile)
            # a type the profile has just given a procedure: its waiting files enter it
            place_waiting_applications(session.connection(), profile)
            session.commit()


def head_revision(url: str) -> str | None:
    """The newest revision in ``migrations/``."""
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_and_grant(owner_url: str, app_role: str | None, profile: Profile | None = None) -> bool:
    """Upgrade as the owner, then grant ``app_role`` row rights (True when granted).

    The grant runs again after the migrations because the role may have been created
    after the migration that first granted it.
    """
    from cadastre.db import get_engine
    from cadastre.db_roles import grant_app_role

    upgrade(owner_url, app_role=app_role, profile=profile)
    if not app_role:
        return False
    with get_engine(owner_url).begin() as conn:
        return grant_app_role(conn, app_role)
