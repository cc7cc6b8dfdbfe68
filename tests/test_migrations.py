"""The schema in migrations/ and the models agree exactly."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from cadastre.migrate import current_revision, head_revision, upgrade
from cadastre.models import Base
from tests.conftest import scratch_database

IGNORED_TABLES = {"spatial_ref_sys"}
#: Schemas the models use besides the default one.
SCHEMAS = {"training"}


def _include_name(name, type_, parent_names):
    if type_ == "schema":
        return name is None or name in SCHEMAS
    return True


def _include(obj, name, type_, reflected, compare_to):
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and name in IGNORED_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


COMPARE_OPTS = {
    "include_object": _include,
    "include_name": _include_name,
    "include_schemas": True,
    "compare_type": True,
}


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(database_url):
    url = scratch_database(database_url, "migrations")
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts=COMPARE_OPTS)
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        inspector = inspect(engine)
        tables = set(inspector.get_table_names()) - IGNORED_TABLES - {"alembic_version"}
        for schema in SCHEMAS:
            tables |= {f"{schema}.{t}" for t in inspector.get_table_names(schema=schema)}
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


#: What the training reset created itself before migration 0005.
OLD_TRAINING_DDL = (
    "CREATE SCHEMA training",
    "CREATE TABLE training.state (id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),"
    " scenario text NOT NULL, as_of date NOT NULL, keys jsonb NOT NULL,"
    " reset_at timestamptz NOT NULL DEFAULT clock_timestamp())",
    "CREATE TABLE training.answers (username text NOT NULL, scenario text NOT NULL,"
    " task text NOT NULL, answer text NOT NULL,"
    " at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (username, scenario, task))",
    "INSERT INTO training.answers VALUES ('t1', 's', 'q', 'kept')",
)
TRAINING_CONSTRAINTS = (
    "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace"
    " WHERE n.nspname = 'training'"
)


def test_a_training_database_made_before_0005_keeps_its_tables(database_url):
    """The reset used to create training.state/answers itself: 0005 adopts them as they are."""
    from alembic import command
    from sqlalchemy import text

    from cadastre.migrate import alembic_config

    url = scratch_database(database_url, "migrations_training")
    upgrade(url)
    command.downgrade(alembic_config(url), "0004")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for ddl in OLD_TRAINING_DDL:
                conn.execute(text(ddl))
        upgrade(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT answer FROM training.answers")).scalar() == "kept"
            names = set(conn.execute(text(TRAINING_CONSTRAINTS)).scalars())
            ctx = MigrationContext.configure(conn, opts=COMPARE_OPTS)
            assert compare_metadata(ctx, Base.metadata) == []
        assert names == {"pk_state", "ck_state_one_row", "pk_answers"}
    finally:
        engine.dispose()
