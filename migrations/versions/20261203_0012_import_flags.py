"""flags on a licence for an officer; a legacy title's date of application may be unknown

``licences.flags`` holds, in words, why an imported title needs an officer's eye: it breaks
a rule of today's law (an area over the type's limit, a holder kind the type does not
allow, dates out of order...) yet exists in the world, so the import keeps it as found and
flags it. The officer list filters on it. ``licences.received_at`` may now be NULL: a
legacy title whose file gives neither a date of application nor a grant date has an
unknown priority date, which is recorded as unknown rather than as the day of the import.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 13:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "licences",
        sa.Column(
            "flags",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
    )
    op.create_index(
        "ix_licences_flagged",
        "licences",
        ["id"],
        postgresql_where=sa.text("cardinality(flags) > 0"),
    )
    op.alter_column("licences", "received_at", nullable=True)


def downgrade() -> None:
    op.execute("UPDATE licences SET received_at = created_at WHERE received_at IS NULL")
    op.alter_column("licences", "received_at", nullable=False)
    op.drop_index("ix_licences_flagged", table_name="licences")
    op.drop_column("licences", "flags")
