"""workspace identity (register or training) and the application role's row rights

Each database records what it is in a one-row ``workspace`` table, so ``cadastre training
reset`` can refuse the register however its URL is spelt. A database that already holds a
loaded training scenario is marked 'training'; one that holds licences, holders or users is
marked 'register'; an empty one stays unmarked until a command claims it.

The application's role (``cadastre_app``, when it exists) gets row rights on every table the
owner owns, and default privileges for tables later migrations create.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:30:00
"""

import sqlalchemy as sa
from alembic import context, op

from cadastre.db_roles import APP_ROLE, grant_app_role

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_MARK = """
INSERT INTO workspace (kind)
SELECT CASE WHEN EXISTS (SELECT 1 FROM training.state) THEN 'training' ELSE 'register' END
WHERE EXISTS (SELECT 1 FROM training.state)
   OR EXISTS (SELECT 1 FROM licences) OR EXISTS (SELECT 1 FROM holders)
   OR EXISTS (SELECT 1 FROM users)
"""


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_workspace_one_row")),
        sa.CheckConstraint("kind IN ('register', 'training')", name=op.f("ck_workspace_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspace")),
    )
    op.execute(_MARK)
    grant_app_role(op.get_bind(), context.config.attributes.get("app_role") or APP_ROLE)


def downgrade() -> None:
    op.drop_table("workspace")
