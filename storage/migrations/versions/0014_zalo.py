"""zalo: channel-neutral addresses (channel, platform id as text, chat type ↔ the
internal integer id), the numbered menus pending on channels without buttons, and
each channel's monthly usage.
Existing Telegram users and group chats get their address rows (identity-mapped).

Revision ID: 0014_zalo
Revises: 0010_files
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014_zalo"
down_revision = "0010_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("platform_id", sa.String(length=64), nullable=False),
        sa.Column("chat_type", sa.String(length=16), nullable=False),
        sa.Column("internal_id", sa.BigInteger(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_addresses")),
        sa.UniqueConstraint("channel", "platform_id", name=op.f("uq_channel_addresses_channel")),
        sa.UniqueConstraint("internal_id", name=op.f("uq_channel_addresses_internal_id")),
    )
    op.create_table(
        "pending_menus",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("message_text", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel", "chat_id", name=op.f("pk_pending_menus")),
    )
    op.create_table(
        "channel_usage",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("sent", sa.BigInteger(), nullable=False),
        sa.Column("quota_hits", sa.BigInteger(), nullable=False),
        sa.Column("last_quota_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("channel", "month", name=op.f("pk_channel_usage")),
    )
    # The data: every Telegram person and group already known gets its address row.
    cast = "VARCHAR(64)"
    op.execute(
        "INSERT INTO channel_addresses (channel, platform_id, chat_type, internal_id, display_name, created_at) "
        f"SELECT 'telegram', CAST(platform_user_id AS {cast}), 'private', platform_user_id, "
        "SUBSTR(full_name, 1, 200), created_at FROM users WHERE platform = 'telegram'"
    )
    op.execute(
        "INSERT INTO channel_addresses (channel, platform_id, chat_type, internal_id, display_name, created_at) "
        f"SELECT 'telegram', CAST(platform_chat_id AS {cast}), 'group', platform_chat_id, "
        "SUBSTR(title, 1, 200), CURRENT_TIMESTAMP FROM chats WHERE platform = 'telegram'"
    )


def downgrade() -> None:
    op.drop_table("channel_usage")
    op.drop_table("pending_menus")
    op.drop_table("channel_addresses")
