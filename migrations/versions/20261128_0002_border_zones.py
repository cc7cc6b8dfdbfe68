"""border zones: tier bands along the land borders

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 23:50:00
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_geospatial_table(
        "border_zones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("border", sa.String(length=160), nullable=False),
        sa.Column("min_km", sa.Float(), nullable=False),
        sa.Column("max_km", sa.Float(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["boundary_datasets.id"],
            name=op.f("fk_border_zones_dataset_id_boundary_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_border_zones")),
    )
    op.create_geospatial_index(
        "idx_border_zones_geom",
        "border_zones",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_border_zones_dataset_id"), "border_zones", ["dataset_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_border_zones_dataset_id"), table_name="border_zones")
    op.drop_geospatial_index(
        "idx_border_zones_geom",
        table_name="border_zones",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("border_zones")
