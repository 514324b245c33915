"""zalo2: one person on two channels is one user. ``user_accounts`` lists every
address of a person whose accounts were linked; ``link_codes`` are the short codes
shown on one channel and typed on the other. No data to move: nobody is linked yet.

Revision ID: 0020_zalo2
Revises: 0020_multibot
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0020_zalo2"
down_revision = "0020_multibot"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.BigInteger(), nullable=False),
        sa.Column("linked_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_accounts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_accounts")),
        sa.UniqueConstraint("platform_user_id", name=op.f("uq_user_accounts_platform_user_id")),
    )
    op.create_index(op.f("ix_user_accounts_user_id"), "user_accounts", ["user_id"])
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("used_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_link_codes_user_id_users")),
        sa.ForeignKeyConstraint(
            ["claimed_by_user_id"], ["users.id"], name=op.f("fk_link_codes_claimed_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_link_codes_code")),
    )
    op.create_index(op.f("ix_link_codes_user_id"), "link_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_link_codes_user_id"), table_name="link_codes")
    op.drop_table("link_codes")
    op.drop_index(op.f("ix_user_accounts_user_id"), table_name="user_accounts")
    op.drop_table("user_accounts")
