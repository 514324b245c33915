"""multibot: several Telegram bots in one installation. A commune is bound to its bot
(the org file's ``bot``), a person and a group are written to by the bot they last wrote
to or were seen with, and an outbox row names the bot that sends it. NULL everywhere means the installation's
default bot (the only one with ``BOT_TOKEN``), so every existing row keeps its meaning.

Revision ID: 0020_multibot
Revises: 0018_planner_runs
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_multibot"
down_revision = "0018_planner_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("communes") as batch:
        batch.add_column(sa.Column("bot_key", sa.String(length=32), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("bot_key", sa.String(length=32), nullable=True))
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("bot_key", sa.String(length=32), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("bot_key", sa.String(length=32), nullable=True))
        batch.create_index("ix_outbox_bot_due", ["bot_key", "status", "priority", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_bot_due")
        batch.drop_column("bot_key")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("bot_key")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("bot_key")
    with op.batch_alter_table("communes") as batch:
        batch.drop_column("bot_key")
