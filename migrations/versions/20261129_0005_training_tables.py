"""training workspace bookkeeping (training.state, training.answers) under Alembic

Until now the training reset created these two tables itself (CREATE ... IF NOT EXISTS), so
the schema lived outside the migrations. A training database that already has them keeps
them: they are adopted as they are, with the constraint names the models give.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 06:20:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: The names the reset's own DDL gave (PostgreSQL's defaults), renamed to the models' names.
_ADOPT = """
DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT * FROM (VALUES ('state', 'state_pkey', 'pk_state'),
                                   ('state', 'state_id_check', 'ck_state_one_row'),
                                   ('answers', 'answers_pkey', 'pk_answers')) AS v(tab, old, new)
    LOOP
        IF EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                   WHERE n.nspname = 'training' AND c.conname = r.old) THEN
            EXECUTE format('ALTER TABLE training.%I RENAME CONSTRAINT %I TO %I',
                           r.tab, r.old, r.new);
        END IF;
    END LOOP;
END $$
"""


def upgrade() -> None:
    op.execute("CREATE SCHEMA IF NOT EXISTS training")
    if sa.inspect(op.get_bind()).has_table("state", schema="training"):
        op.execute(_ADOPT)
        return
    op.create_table(
        "state",
        sa.Column("id", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("keys", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "reset_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_state_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state")),
        schema="training",
    )
    op.create_table(
        "answers",
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("username", "scenario", "task", name=op.f("pk_answers")),
        schema="training",
    )


def downgrade() -> None:
    op.drop_table("answers", schema="training")
    op.drop_table("state", schema="training")
    op.execute("DROP SCHEMA IF EXISTS training")
