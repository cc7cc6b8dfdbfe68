"""import report stored as json (lz4-compressed): a 100,000-row report is written in a
fraction of a second, where jsonb's parse took seconds; nobody queries inside it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 04:10:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: lz4 where the server has it (PostgreSQL 14+ built with lz4, as Debian's is); else pglz.
_LZ4 = """
DO $$ BEGIN
    ALTER TABLE import_runs ALTER COLUMN report SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
END $$
"""


def upgrade() -> None:
    op.alter_column(
        "import_runs",
        "report",
        type_=postgresql.JSON(astext_type=sa.Text()),
        existing_type=postgresql.JSONB(astext_type=sa.Text()),
        existing_nullable=False,
        postgresql_using="report::json",
    )
    op.execute(_LZ4)


def downgrade() -> None:
    op.alter_column(
        "import_runs",
        "report",
        type_=postgresql.JSONB(astext_type=sa.Text()),
        existing_type=postgresql.JSON(astext_type=sa.Text()),
        existing_nullable=False,
        postgresql_using="report::jsonb",
    )
