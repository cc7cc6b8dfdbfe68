"""sign-in security: shared secrets, session epochs, token revocation, failed sign-ins

``app_secrets`` keeps the cookie-signing key every worker and restart reads when
CADASTRE_SECRET_KEY is unset; ``users.session_epoch`` lets sign-out, password resets and
deactivation end sessions signed in earlier; ``api_tokens.revoked_at`` revokes a token
without deleting it; ``sign_in_failures`` is the throttle's memory, shared by all workers.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secrets")),
    )
    op.add_column(
        "users",
        sa.Column("session_epoch", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("api_tokens", sa.Column("revoked_at", sa.DateTime(timezone=True)))
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("account", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column(
            "failed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index(
        "ix_sign_in_failures_account_failed_at", "sign_in_failures", ["account", "failed_at"]
    )
    op.create_index(
        "ix_sign_in_failures_address_failed_at", "sign_in_failures", ["address", "failed_at"]
    )


def downgrade() -> None:
    op.drop_table("sign_in_failures")
    op.drop_column("api_tokens", "revoked_at")
    op.drop_column("users", "session_epoch")
    op.drop_table("app_secrets")
