"""contributions: campaigns, goals per kind, pledges, receipts

Revision ID: 0006_contributions
Revises: 0004_delivery
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006_contributions"
down_revision = "0004_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("bank_bin", sa.String(length=8), nullable=False),
        sa.Column("bank_name", sa.String(length=120), nullable=False),
        sa.Column("account_number", sa.String(length=32), nullable=False),
        sa.Column("account_holder", sa.String(length=120), nullable=False),
        sa.Column("names_public", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("board_chat_id", sa.Integer(), nullable=True),
        sa.Column("board_message_id", sa.BigInteger(), nullable=True),
        sa.Column("board_updated_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["board_chat_id"], ["chats.id"], name=op.f("fk_campaigns_board_chat_id_chats")),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"], name=op.f("fk_campaigns_created_by_user_id_users")),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_campaigns_village_id_villages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("code", name=op.f("uq_campaigns_code")),
    )
    op.create_index(op.f("ix_campaigns_village_id"), "campaigns", ["village_id"])
    op.create_table(
        "campaign_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("goal", sa.BigInteger(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_goals_campaign_id_campaigns"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_goals")),
        sa.UniqueConstraint("campaign_id", "kind", name=op.f("uq_campaign_goals_campaign_id")),
    )
    op.create_table(
        "pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("household_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("material", sa.String(length=120), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contributor_name", sa.String(length=200), nullable=False),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("stop_reminders", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_pledges_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_pledges_household_id_households")),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["users.id"], name=op.f("fk_pledges_recorded_by_user_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_pledges_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledges")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_pledges_idempotency_key")),
    )
    op.create_index(op.f("ix_pledges_campaign_id"), "pledges", ["campaign_id"])
    op.create_index(op.f("ix_pledges_user_id"), "pledges", ["user_id"])
    op.create_table(
        "receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.String(length=120), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["pledge_id"], ["pledges.id"], name=op.f("fk_receipts_pledge_id_pledges")),
        sa.ForeignKeyConstraint(["recorded_by_user_id"], ["users.id"], name=op.f("fk_receipts_recorded_by_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
        sa.UniqueConstraint("source_ref", name=op.f("uq_receipts_source_ref")),
    )
    op.create_index(op.f("ix_receipts_pledge_id"), "receipts", ["pledge_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_receipts_pledge_id"), table_name="receipts")
    op.drop_table("receipts")
    op.drop_index(op.f("ix_pledges_user_id"), table_name="pledges")
    op.drop_index(op.f("ix_pledges_campaign_id"), table_name="pledges")
    op.drop_table("pledges")
    op.drop_table("campaign_goals")
    op.drop_index(op.f("ix_campaigns_village_id"), table_name="campaigns")
    op.drop_table("campaigns")
