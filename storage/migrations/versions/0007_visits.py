"""visits: household visit plans (cadence, due day, QR token), visits, needs

Revision ID: 0007_visits
Revises: 0006_contributions
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0007_visits"
down_revision = "0006_contributions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "household_visit_plans",
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=True),
        sa.Column("qr_token", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("last_visited_on", sa.Date(), nullable=True),
        sa.Column("snoozed_to", sa.Date(), nullable=True),
        sa.Column("nudged_for", sa.Date(), nullable=True),
        sa.Column("escalated_for", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_household_visit_plans_household_id_households")),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_household_visit_plans")),
        sa.UniqueConstraint("qr_token", name=op.f("uq_household_visit_plans_qr_token")),
    )
    op.create_index("ix_household_visit_plans_due_on", "household_visit_plans", ["due_on"])
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("photo_file_id", sa.String(length=255), nullable=True),
        sa.Column("recorded_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_visits_household_id_households")),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_visits_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    op.create_index(op.f("ix_visits_member_id"), "visits", ["member_id"])
    op.create_index("ix_visits_household", "visits", ["household_id", "visited_on"])
    op.create_table(
        "visit_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("raised_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["household_id"], ["households.id"], name=op.f("fk_visit_needs_household_id_households")),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], name=op.f("fk_visit_needs_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_needs")),
    )
    op.create_index(op.f("ix_visit_needs_household_id"), "visit_needs", ["household_id"])
    op.create_index(op.f("ix_visit_needs_visit_id"), "visit_needs", ["visit_id"])
    op.create_index("ix_visit_needs_unnotified", "visit_needs", ["notified_at"])


def downgrade() -> None:
    op.drop_table("visit_needs")
    op.drop_table("visits")
    op.drop_index("ix_household_visit_plans_due_on", table_name="household_visit_plans")
    op.drop_table("household_visit_plans")
