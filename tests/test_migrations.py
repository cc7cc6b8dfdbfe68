"""The schema in migrations/ and the models agree exactly."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from cadastre.migrate import current_revision, head_revision, upgrade
from cadastre.models import Base
from tests.conftest import scratch_database

IGNORED_TABLES = {"spatial_ref_sys"}


def _include(obj, name, type_, reflected, compare_to):
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and name in IGNORED_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(database_url):
    url = scratch_database(database_url, "migrations")
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"include_object": _include, "compare_type": True}
            )
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(engine).get_table_names()) - IGNORED_TABLES - {"alembic_version"}
        assert tables == set(Base.metadata.tables)
        assert current_revision(engine) == head_revision(url)
    finally:
        engine.dispose()


def test_geometry_columns_have_gist_indexes(database_url):
    engine = create_engine(database_url)
    with engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(
            text("SELECT tablename, indexdef FROM pg_indexes WHERE indexdef ILIKE '%USING gist%'")
        ).all()
    engine.dispose()
    indexed = {t for t, _ in rows}
    assert {"licences", "countries", "border_lines"} <= indexed
