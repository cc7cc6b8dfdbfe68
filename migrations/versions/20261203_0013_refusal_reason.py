"""a refused application is kept on record with the reason it was refused

``licences.refusal_reason`` says in words why an application was refused: by the register
itself when it arrived (its ground overlaps an earlier right or application, or lies outside
the country), or by a supervisor's decision. Applications refused before this revision keep
their reason in their history only: the column stays NULL for them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("licences", sa.Column("refusal_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("licences", "refusal_reason")
