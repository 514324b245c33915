"""planner runs: when each planner last ran in the installation, so that with several
worker processes an interval planner fires once per interval (issue 18).

Revision ID: 0018_planner_runs
Revises: 0014_zalo
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0018_planner_runs"
down_revision = "0014_zalo"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "planner_runs",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("last_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_planner_runs")),
    )


def downgrade() -> None:
    op.drop_table("planner_runs")
