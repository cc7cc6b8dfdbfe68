"""Alembic environment: the models' metadata, PostGIS's own tables left alone."""

from alembic import context
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine

from cadastre.config import Settings
from cadastre.models import Base

config = context.config
target_metadata = Base.metadata

POSTGIS_TABLES = {"spatial_ref_sys", "layer", "topology"}


def include_object(obj, name, type_, reflected, compare_to):
    """Leave PostGIS's own tables out of comparisons."""
    if type_ == "table" and name in POSTGIS_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def database_url() -> str:
    # Migrations change the schema, so they run as its owner, never as the application.
    return config.attributes.get("url") or Settings.from_env().owner_url()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(database_url())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        process_revision_directives=alembic_helpers.writer,
        render_item=alembic_helpers.render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
