"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 23:31:10.833813
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("application_number_seq")))
    op.create_table(
        "boundary_datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("uncertainty_km", sa.Float(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boundary_datasets")),
        sa.UniqueConstraint("name", "version", name="name_version"),
    )
    op.create_table(
        "holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("registration_number", sa.String(length=60), nullable=True),
        sa.Column("nationality", sa.String(length=60), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('company', 'individual', 'cooperative')", name=op.f("ck_holders_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holders")),
        sa.UniqueConstraint("registration_number", name=op.f("uq_holders_registration_number")),
    )
    op.create_index(
        "ix_holders_name_lower", "holders", [sa.literal_column("lower(name)")], unique=False
    )
    op.create_table(
        "licence_code_counters",
        sa.Column("prefix", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", "year", name=op.f("pk_licence_code_counters")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "role IN ('viewer', 'officer', 'supervisor', 'admin')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"], unique=False)
    op.create_geospatial_table(
        "border_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("country_a", sa.String(length=3), nullable=False),
        sa.Column("country_b", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTILINESTRING",
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
            name=op.f("fk_border_lines_dataset_id_boundary_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_border_lines")),
        sa.UniqueConstraint("dataset_id", "country_a", "country_b", name="pair"),
    )
    op.create_geospatial_index(
        "idx_border_lines_geom",
        "border_lines",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "countries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("iso_a3", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
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
            name=op.f("fk_countries_dataset_id_boundary_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_countries")),
        sa.UniqueConstraint("dataset_id", "iso_a3", name="dataset_iso"),
    )
    op.create_geospatial_index(
        "idx_countries_geom",
        "countries",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "licences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column(
            "application_number",
            sa.Integer(),
            server_default=sa.text("nextval('application_number_seq')"),
            nullable=False,
        ),
        sa.Column("licence_type", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("commodities", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
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
        sa.Column("area_ha", sa.Float(), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("granted_at", sa.Date(), nullable=True),
        sa.Column("expires_at", sa.Date(), nullable=True),
        sa.Column("renewals", sa.Integer(), nullable=False),
        sa.Column("district", sa.String(length=60), nullable=True),
        sa.Column("notes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("border_distance_km", sa.Float(), nullable=True),
        sa.Column("border_tier", sa.String(length=20), nullable=True),
        sa.Column("nearest_border", sa.String(length=120), nullable=True),
        sa.Column("boundary_source", sa.String(length=120), nullable=True),
        sa.Column("uncertainty_km", sa.Float(), nullable=True),
        sa.Column("risk_level", sa.String(length=20), nullable=True),
        sa.Column("risk_reasons", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("poi_distance_km", sa.Float(), nullable=True),
        sa.Column("nearest_poi", sa.String(length=120), nullable=True),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "licence_type IN ('reconnaissance', 'exploration', 'artisanal', 'small_scale', 'large_scale')",
            name=op.f("ck_licences_licence_type"),
        ),
        sa.CheckConstraint(
            "status IN ('application', 'granted', 'refused', 'withdrawn', 'suspended', 'revoked', 'relinquished', 'expired')",
            name=op.f("ck_licences_status"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["holders.id"], name=op.f("fk_licences_holder_id_holders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licences")),
        sa.UniqueConstraint("application_number", name=op.f("uq_licences_application_number")),
        sa.UniqueConstraint("code", name=op.f("uq_licences_code")),
    )
    op.create_geospatial_index(
        "idx_licences_geom",
        "licences",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_licences_border_tier", "licences", ["border_tier"], unique=False)
    op.create_index(
        "ix_licences_commodities", "licences", ["commodities"], unique=False, postgresql_using="gin"
    )
    op.create_index(op.f("ix_licences_expires_at"), "licences", ["expires_at"], unique=False)
    op.create_index(op.f("ix_licences_holder_id"), "licences", ["holder_id"], unique=False)
    op.create_index("ix_licences_status_type", "licences", ["status", "licence_type"], unique=False)
    op.create_table(
        "licence_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_licence_events_licence_id_licences")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_events")),
    )
    op.create_index(
        op.f("ix_licence_events_licence_id"), "licence_events", ["licence_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_licence_events_licence_id"), table_name="licence_events")
    op.drop_table("licence_events")
    op.drop_index("ix_licences_status_type", table_name="licences")
    op.drop_index(op.f("ix_licences_holder_id"), table_name="licences")
    op.drop_index(op.f("ix_licences_expires_at"), table_name="licences")
    op.drop_index("ix_licences_commodities", table_name="licences", postgresql_using="gin")
    op.drop_index("ix_licences_border_tier", table_name="licences")
    op.drop_geospatial_index(
        "idx_licences_geom", table_name="licences", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("licences")
    op.drop_geospatial_index(
        "idx_countries_geom", table_name="countries", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("countries")
    op.drop_geospatial_index(
        "idx_border_lines_geom",
        table_name="border_lines",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("border_lines")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("licence_code_counters")
    op.drop_index("ix_holders_name_lower", table_name="holders")
    op.drop_table("holders")
    op.drop_table("boundary_datasets")
    op.execute(sa.schema.DropSequence(sa.Sequence("application_number_seq")))
