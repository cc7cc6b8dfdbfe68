"""licence documents: files on a licence's file, kept by checksum outside the database

``licence_documents`` records each document (kind, title, the file's name, media type, size
and SHA-256, who uploaded it and when); the file itself lives in the document store under
its checksum. A document is superseded by a newer one (``superseded_by_id``), never deleted:
the application's role may not DELETE from it (``cadastre.db_roles.NO_DELETE_TABLES``).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KINDS = (
    "'surface_rent_agreement', 'environmental_management_plan', 'survey_sheet', "
    "'board_minutes', 'receipt', 'other'"
)


def upgrade() -> None:
    op.create_table(
        "licence_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column(
            "uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_licence_documents_kind")),
        sa.CheckConstraint(
            "sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_licence_documents_sha256_hex")
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_licence_documents_size_positive")),
        sa.CheckConstraint(
            "superseded_by_id IS NULL OR superseded_by_id <> id",
            name=op.f("ck_licence_documents_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_licence_documents_licence_id_licences")
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["licence_documents.id"],
            name=op.f("fk_licence_documents_superseded_by_id_licence_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_documents")),
        sa.UniqueConstraint("superseded_by_id", name=op.f("uq_licence_documents_superseded_by_id")),
    )
    op.create_index(op.f("ix_licence_documents_licence_id"), "licence_documents", ["licence_id"])
    op.create_index(op.f("ix_licence_documents_sha256"), "licence_documents", ["sha256"])


def downgrade() -> None:
    op.drop_table("licence_documents")
