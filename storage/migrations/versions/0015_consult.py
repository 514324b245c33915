"""consultations (lấy ý kiến): questions, options, one vote per voter, group boards

Revision ID: 0015_consult
Revises: 0017_ops
"""

import sqlalchemy as sa
from alembic import op

import storage.types


revision = "0015_consult"
down_revision = "0017_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("consultations",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("code", sa.String(length=16), nullable=False),
    sa.Column("village_id", sa.Integer(), nullable=False),
    sa.Column("question", sa.Text(), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("allow_other", sa.Boolean(), nullable=False),
    sa.Column("voters", sa.String(length=16), nullable=False),
    sa.Column("names_public", sa.Boolean(), nullable=False),
    sa.Column("opens_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column("closes_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column("closed_at", storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("campaign_id", sa.Integer(), nullable=True),
    sa.Column("created_by_user_id", sa.Integer(), nullable=True),
    sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=op.f("fk_consultations_campaign_id_campaigns")),
    sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"], name=op.f("fk_consultations_created_by_user_id_users")),
    sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_consultations_village_id_villages")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    sa.UniqueConstraint("code", name=op.f("uq_consultations_code"))
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultations_closes_at"), ["closes_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultations_village_id"), ["village_id"], unique=False)

    op.create_table("consultation_boards",
    sa.Column("consultation_id", sa.Integer(), nullable=False),
    sa.Column("chat_id", sa.Integer(), nullable=False),
    sa.Column("message_id", sa.BigInteger(), nullable=True),
    sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column("button_url", sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(["chat_id"], ["chats.id"], name=op.f("fk_consultation_boards_chat_id_chats")),
    sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], name=op.f("fk_consultation_boards_consultation_id_consultations"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("consultation_id", "chat_id", name=op.f("pk_consultation_boards"))
    )
    op.create_table("consultation_options",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("consultation_id", sa.Integer(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
    sa.Column("label", sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], name=op.f("fk_consultation_options_consultation_id_consultations"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_options")),
    sa.UniqueConstraint("consultation_id", "position", name=op.f("uq_consultation_options_consultation_id"))
    )
    op.create_table("consultation_votes",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("consultation_id", sa.Integer(), nullable=False),
    sa.Column("voter_key", sa.String(length=32), nullable=False),
    sa.Column("household_id", sa.Integer(), nullable=True),
    sa.Column("user_id", sa.Integer(), nullable=True),
    sa.Column("voter_name", sa.String(length=200), nullable=False),
    sa.Column("choices", sa.JSON(), nullable=False),
    sa.Column("other_text", sa.Text(), nullable=False),
    sa.Column("changes", sa.Integer(), nullable=False),
    sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], name=op.f("fk_consultation_votes_consultation_id_consultations"), ondelete="CASCADE"),
    sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_consultation_votes_household_id_households")),
    sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_consultation_votes_user_id_users")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_votes")),
    sa.UniqueConstraint("consultation_id", "voter_key", name=op.f("uq_consultation_votes_consultation_id"))
    )
    with op.batch_alter_table("consultation_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consultation_votes_updated_at"), ["updated_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_consultation_votes_user_id"), ["user_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("consultation_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultation_votes_user_id"))
        batch_op.drop_index(batch_op.f("ix_consultation_votes_updated_at"))

    op.drop_table("consultation_votes")
    op.drop_table("consultation_options")
    op.drop_table("consultation_boards")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultations_village_id"))
        batch_op.drop_index(batch_op.f("ix_consultations_closes_at"))

    op.drop_table("consultations")
