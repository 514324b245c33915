"""files: pledge memos carry five check letters, so a neighbour's cannot be forged

Revision ID: 0010_files
Revises: 0008_criteria_round2
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_files"
down_revision = "0008_criteria_round2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pledges") as batch:
        batch.add_column(
            sa.Column("memo_check", sa.String(length=8), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("pledges") as batch:
        batch.drop_column("memo_check")
