"""licence notices before suspension or revocation; depth and mechanisation on the licence

``licence_notices`` records each notice a supervisor issues to a holder: the cause, the
breach, the remedy period (days, and where that number comes from), the last day to remedy
and, once remedied, who recorded it and when. Suspension and revocation rest on a notice
whose remedy period has run out unremedied. ``licences.max_depth_m`` and
``licences.mechanised`` are the working conditions recorded at grant (artisanal and
small-scale licences); existing granted licences get them from nothing: they stay NULL
until a grant records them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 12:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("licences", sa.Column("max_depth_m", sa.Float(), nullable=True))
    op.add_column("licences", sa.Column("mechanised", sa.Boolean(), nullable=True))
    op.create_table(
        "licence_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("breach", sa.Text(), nullable=False),
        sa.Column("remedy_days", sa.Integer(), nullable=False),
        sa.Column("remedy_source", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.Column("remedy_by", sa.Date(), nullable=False),
        sa.Column("remedied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remedied_by", sa.String(length=120), nullable=True),
        sa.Column("remedy_note", sa.Text(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("remedy_days > 0", name=op.f("ck_licence_notices_remedy_days_positive")),
        sa.CheckConstraint(
            "(remedied_at IS NULL) = (remedied_by IS NULL)",
            name=op.f("ck_licence_notices_remedied_by_whom"),
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["licences.id"],
            name=op.f("fk_licence_notices_licence_id_licences"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_notices")),
    )
    op.create_index(
        op.f("ix_licence_notices_licence_id"), "licence_notices", ["licence_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_licence_notices_licence_id"), table_name="licence_notices")
    op.drop_table("licence_notices")
    op.drop_column("licences", "mechanised")
    op.drop_column("licences", "max_depth_m")
