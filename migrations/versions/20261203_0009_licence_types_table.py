"""licence types as a table the profile fills, in place of a CHECK listing them

``licences.licence_type`` named one of five Sierra Leone types through a CHECK constraint, so
another type (or another country) needed a migration. The types now live in
``licence_types`` (name, label, colour, order, offered), which ``cadastre db upgrade`` keeps
equal to the profile (``cadastre.services.licence_types``), and ``licence_type`` is a
foreign key to it. This migration seeds the five types of the Sierra Leone profile as they
stood when it was written, so every existing licence satisfies the key; the profile's own
values replace them at the next sync. The application's role may only read the table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:30:00
"""

import sqlalchemy as sa
from alembic import context, op

from cadastre.db_roles import APP_ROLE, grant_app_role

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

#: The Sierra Leone types when this migration was written (name, label, colour).
_SEED = [
    ("reconnaissance", "Reconnaissance licence", "#8c6bb1"),
    ("exploration", "Exploration licence", "#2b8cbe"),
    ("artisanal", "Artisanal mining licence", "#d95f0e"),
    ("small_scale", "Small-scale mining licence", "#e6ab02"),
    ("large_scale", "Large-scale mining licence", "#1b7837"),
]
_OLD_CHECK = (
    "licence_type IN ('reconnaissance', 'exploration', 'artisanal', 'small_scale', 'large_scale')"
)


def upgrade() -> None:
    table = op.create_table(
        "licence_types",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("offered", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_licence_types")),
    )
    op.bulk_insert(
        table,
        [
            {"name": n, "label": label, "colour": c, "sort_order": i}
            for i, (n, label, c) in enumerate(_SEED)
        ],
    )
    # A type some licence names but the seed lacks (a register run on another profile) is
    # kept, as offered, under its own name until the next sync gives it a label and colour.
    op.execute(
        "INSERT INTO licence_types (name, label, colour, sort_order) "
        "SELECT DISTINCT licence_type, licence_type, '#888888', 100 FROM licences "
        "ON CONFLICT (name) DO NOTHING"
    )
    op.drop_constraint(op.f("ck_licences_licence_type"), "licences", type_="check")
    op.create_foreign_key(
        op.f("fk_licences_licence_type_licence_types"),
        "licences",
        "licence_types",
        ["licence_type"],
        ["name"],
    )
    grant_app_role(op.get_bind(), context.config.attributes.get("app_role") or APP_ROLE)


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_licences_licence_type_licence_types"), "licences", type_="foreignkey"
    )
    op.create_check_constraint(op.f("ck_licences_licence_type"), "licences", _OLD_CHECK)
    op.drop_table("licence_types")
