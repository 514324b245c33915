"""demo: conversation (FSM) state in the database, so a half-done pledge survives a
restart when there is no Redis

Revision ID: 0013_demo
Revises: 0008_criteria_round2
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013_demo"
down_revision = "0008_criteria_round2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fsm_states",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_fsm_states")),
    )


def downgrade() -> None:
    op.drop_table("fsm_states")
