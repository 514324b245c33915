"""files: pledge memos carry five check letters, so a neighbour's cannot be forged;
the bot's last getMe, for offline commands

Revision ID: 0010_files
Revises: 0015_consult
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010_files"
down_revision = "0015_consult"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pledges") as batch:
        batch.add_column(
            sa.Column("memo_check", sa.String(length=8), server_default="", nullable=False)
        )
    op.create_table(
        "bot_identity",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("seen_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", name=op.f("pk_bot_identity")),
    )


def downgrade() -> None:
    op.drop_table("bot_identity")
    with op.batch_alter_table("pledges") as batch:
        batch.drop_column("memo_check")
