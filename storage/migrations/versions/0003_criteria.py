"""criteria: village statuses with history, residents' questions, saved FAQ entries

Revision ID: 0003_criteria
Revises: 0002_broadcasts
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0003_criteria"
down_revision = "0002_broadcasts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "criterion_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("set_code", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["set_by_user_id"], ["users.id"], name=op.f("fk_criterion_statuses_set_by_user_id_users")),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_criterion_statuses_village_id_villages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion_statuses")),
    )
    op.create_index("ix_criterion_statuses_lookup", "criterion_statuses", ["village_id", "set_code", "number", "id"])
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("set_code", sa.String(length=64), nullable=False),
        sa.Column("guess_number", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("forwarded_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_user_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("faq_saved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["answered_by_user_id"], ["users.id"], name=op.f("fk_questions_answered_by_user_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_questions_user_id_users")),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_questions_village_id_villages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(op.f("ix_questions_user_id"), "questions", ["user_id"])
    op.create_index(op.f("ix_questions_village_id"), "questions", ["village_id"])
    op.create_table(
        "saved_faqs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_code", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"], name=op.f("fk_saved_faqs_created_by_user_id_users")),
        sa.ForeignKeyConstraint(["village_id"], ["villages.id"], name=op.f("fk_saved_faqs_village_id_villages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_faqs")),
    )


def downgrade() -> None:
    op.drop_table("saved_faqs")
    op.drop_index(op.f("ix_questions_village_id"), table_name="questions")
    op.drop_index(op.f("ix_questions_user_id"), table_name="questions")
    op.drop_table("questions")
    op.drop_index("ix_criterion_statuses_lookup", table_name="criterion_statuses")
    op.drop_table("criterion_statuses")
