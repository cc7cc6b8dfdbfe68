"""imports: import runs and the legacy overlaps (licence conflicts) they flag

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("file_format", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_index(op.f("ix_import_runs_checksum"), "import_runs", ["checksum"], unique=False)
    op.create_table(
        "licence_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_a", sa.Integer(), nullable=False),
        sa.Column("licence_b", sa.Integer(), nullable=False),
        sa.Column("overlap_ha", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint("licence_a < licence_b", name=op.f("ck_licence_conflicts_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["import_run_id"], ["import_runs.id"],
            name=op.f("fk_licence_conflicts_import_run_id_import_runs"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["licence_a"], ["licences.id"],
            name=op.f("fk_licence_conflicts_licence_a_licences"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["licence_b"], ["licences.id"],
            name=op.f("fk_licence_conflicts_licence_b_licences"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_conflicts")),
        sa.UniqueConstraint("licence_a", "licence_b", name="licence_pair"),
    )
    op.create_index(
        op.f("ix_licence_conflicts_licence_b"), "licence_conflicts", ["licence_b"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_licence_conflicts_licence_b"), table_name="licence_conflicts")
    op.drop_table("licence_conflicts")
    op.drop_index(op.f("ix_import_runs_checksum"), table_name="import_runs")
    op.drop_table("import_runs")
