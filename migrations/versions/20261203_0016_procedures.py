"""procedures: the stage each application waits at, the stages completed, the decision clock

``licences.stage`` names the stage of its type's procedure an application waits at (NULL
when it is in none) and ``licences.decision_due`` the last day for its decision;
``licence_stages`` records each completed stage, who completed it and when (append-only:
``cadastre.db_roles.INSERT_ONLY_TABLES``). Documents gain the kind ``application_form``.

Applications already in the register move into their procedure here, by the profile in
force (``CADASTRE_PROFILE``): one waiting for a decision at its first stage, one approved and
awaiting payment at the stage after the approval. Each move is a history event; nothing else
about them changes (``cadastre.services.procedure_placement``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "'surface_rent_agreement', 'environmental_management_plan', 'survey_sheet', "
    "'board_minutes', 'receipt', 'other'"
)
NEW_KINDS = "'application_form', " + OLD_KINDS
WAITING = "stage IS NOT NULL AND status IN ('application', 'approved')"


def upgrade() -> None:
    op.add_column("licences", sa.Column("stage", sa.String(length=40), nullable=True))
    op.add_column("licences", sa.Column("decision_due", sa.Date(), nullable=True))
    op.create_index(
        "ix_licences_waiting_stage",
        "licences",
        ["licence_type", "stage", "decision_due"],
        postgresql_where=sa.text(WAITING),
    )
    op.create_index(
        "ix_licences_decision_due", "licences", ["decision_due"], postgresql_where=sa.text(WAITING)
    )
    op.create_table(
        "licence_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("licence_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("completed_by", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column(
            "completed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_licence_stages_licence_id_licences")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_stages")),
        sa.UniqueConstraint("licence_id", "stage", name=op.f("uq_licence_stages_licence_id")),
    )
    op.create_index(op.f("ix_licence_stages_licence_id"), "licence_stages", ["licence_id"])
    op.drop_constraint(op.f("ck_licence_documents_kind"), "licence_documents", type_="check")
    op.create_check_constraint(
        op.f("ck_licence_documents_kind"), "licence_documents", f"kind IN ({NEW_KINDS})"
    )
    _place_waiting()


def _place_waiting() -> None:
    from cadastre.config import Settings
    from cadastre.profile import load_profile
    from cadastre.services.procedure_placement import place_waiting_applications

    place_waiting_applications(op.get_bind(), load_profile(Settings.from_env().profile))


def downgrade() -> None:
    op.drop_constraint(op.f("ck_licence_documents_kind"), "licence_documents", type_="check")
    op.create_check_constraint(
        op.f("ck_licence_documents_kind"), "licence_documents", f"kind IN ({OLD_KINDS})"
    )
    op.drop_table("licence_stages")
    op.drop_index("ix_licences_decision_due", table_name="licences")
    op.drop_index("ix_licences_waiting_stage", table_name="licences")
    op.drop_column("licences", "decision_due")
    op.drop_column("licences", "stage")
