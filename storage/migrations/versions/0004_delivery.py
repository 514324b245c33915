"""delivery: the outbox becomes generic (kind, ref, dedupe key, priority, payload,
channel; recipients addressed at send time) and the durable inbox

Revision ID: 0004_delivery
Revises: 0003_criteria
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004_delivery"
down_revision = "0003_criteria"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=False, server_default="telegram"))
        batch_op.add_column(sa.Column("kind", sa.String(length=40), nullable=False, server_default="broadcast"))
        batch_op.add_column(sa.Column("ref", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="30"))
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.alter_column("run_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_dedupe_key"), ["dedupe_key"])
        batch_op.create_index("ix_outbox_due", ["status", "priority", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_outbox_ref", ["ref"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        for column in ("channel", "kind", "ref", "priority", "payload"):
            batch_op.alter_column(column, server_default=None)

    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_key", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("received_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("handled_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("bot_id", "update_id", name=op.f("uq_inbox_bot_id")),
    )
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_open", ["status", "chat_key", "update_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbox_handled_at"), ["handled_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_handled_at"))
        batch_op.drop_index("ix_inbox_open")
    op.drop_table("inbox")
    op.execute("DELETE FROM outbox WHERE run_id IS NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_ref")
        batch_op.drop_index("ix_outbox_due")
        batch_op.drop_constraint(batch_op.f("uq_outbox_dedupe_key"), type_="unique")
        batch_op.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("run_id", existing_type=sa.Integer(), nullable=False)
        for column in ("payload", "priority", "dedupe_key", "ref", "kind", "channel"):
            batch_op.drop_column(column)
