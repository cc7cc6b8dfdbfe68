"""who may hold a licence type: holders' citizen members and local ownership; consents

``holders.citizen_members`` (a cooperative's: are all members citizens?) and
``holders.local_ownership_pct`` (a company's share owned by citizens) are what the
eligibility rule reads beside the kind and the nationality; both start unrecorded (NULL).
Nationalities written as common names ("Sierra Leone", "Sierra Leonean", "SL") become
ISO 3166 alpha-3 codes; other free text stays until the holder is edited.
``licence_consents`` records a holder's consent to an (artisanal) application on its
licence's ground: who gave it, when, and the document.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: Spellings found in registers -> code (the application normalises every new entry).
_CODES = {
    "SLE": ("sierra leone", "sierra leonean", "sl", "sle"),
    "GIN": ("guinea", "guinean", "gin"),
    "LBR": ("liberia", "liberian", "lbr"),
    "CIV": ("côte d'ivoire", "cote d'ivoire", "ivory coast", "ivorian", "civ"),
    "FRA": ("france", "french", "fra"),
    "GBR": ("united kingdom", "british", "uk", "gbr"),
    "CHN": ("china", "chinese", "chn"),
    "LBN": ("lebanon", "lebanese", "lbn"),
}


def upgrade() -> None:
    op.add_column("holders", sa.Column("citizen_members", sa.Boolean(), nullable=True))
    op.add_column(
        "holders",
        sa.Column("local_ownership_pct", sa.Numeric(precision=5, scale=2), nullable=True),
    )
    op.create_check_constraint(
        op.f("ck_holders_local_ownership_pct_share"),
        "holders",
        "local_ownership_pct BETWEEN 0 AND 100",
    )
    for code, names in _CODES.items():
        op.execute(
            sa.text(
                "UPDATE holders SET nationality = :code "
                "WHERE lower(btrim(nationality)) = ANY(:names) AND nationality <> :code"
            ).bindparams(code=code, names=list(names))
        )
    op.create_table(
        "licence_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("overlapped_id", sa.Integer(), nullable=False),
        sa.Column("given_by", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("document", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_licence_consents_licence_id_licences")
        ),
        sa.ForeignKeyConstraint(
            ["overlapped_id"],
            ["licences.id"],
            name=op.f("fk_licence_consents_overlapped_id_licences"),
        ),
        sa.ForeignKeyConstraint(
            ["given_by"], ["holders.id"], name=op.f("fk_licence_consents_given_by_holders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_consents")),
        sa.UniqueConstraint(
            "licence_id", "overlapped_id", name=op.f("uq_licence_consents_licence_id")
        ),
    )
    op.create_index(
        op.f("ix_licence_consents_licence_id"), "licence_consents", ["licence_id"], unique=False
    )
    op.create_index(
        op.f("ix_licence_consents_overlapped_id"),
        "licence_consents",
        ["overlapped_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_licence_consents_overlapped_id"), table_name="licence_consents")
    op.drop_index(op.f("ix_licence_consents_licence_id"), table_name="licence_consents")
    op.drop_table("licence_consents")
    op.drop_constraint(op.f("ck_holders_local_ownership_pct_share"), "holders", type_="check")
    op.drop_column("holders", "local_ownership_pct")
    op.drop_column("holders", "citizen_members")
