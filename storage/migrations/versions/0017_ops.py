"""ops: inbox leases, so several worker processes handle each chat one at a time, and
the installation-wide send slots

Revision ID: 0017_ops
Revises: 0013_demo
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0017_ops"
down_revision = "0013_demo"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_leases",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=40), nullable=False),
        sa.Column("expires_at", storage.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "chat_key", name=op.f("pk_inbox_leases")),
    )
    op.create_index(op.f("ix_inbox_leases_expires_at"), "inbox_leases", ["expires_at"], unique=False)
    op.create_table(
        "send_slots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("at", storage.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_send_slots")),
    )
    op.create_index("ix_send_slots_bot_at", "send_slots", ["bot_id", "at"], unique=False)
    op.create_index("ix_send_slots_chat_at", "send_slots", ["bot_id", "chat_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_send_slots_chat_at", table_name="send_slots")
    op.drop_index("ix_send_slots_bot_at", table_name="send_slots")
    op.drop_table("send_slots")
    op.drop_index(op.f("ix_inbox_leases_expires_at"), table_name="inbox_leases")
    op.drop_table("inbox_leases")
