"""criteria round 2: saved FAQ entries scoped to a village or commune, residents' picks
as labelled examples, indicator levels filled in by the offices

Revision ID: 0008_criteria_round2
Revises: 0007_visits
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0008_criteria_round2"
down_revision = "0007_visits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("saved_faqs") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(length=16), server_default="village", nullable=False)
        )
        batch.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_saved_faqs_commune_id_communes"), "communes", ["commune_id"], ["id"]
        )
    op.create_table(
        "criteria_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_code", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_examples")),
        sa.UniqueConstraint("set_code", "number", "text", name="uq_criteria_examples"),
    )
    op.create_table(
        "criteria_levels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_code", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_levels")),
        sa.UniqueConstraint("set_code", "indicator", "key", name="uq_criteria_levels"),
    )


def downgrade() -> None:
    op.drop_table("criteria_levels")
    op.drop_table("criteria_examples")
    with op.batch_alter_table("saved_faqs") as batch:
        batch.drop_constraint(op.f("fk_saved_faqs_commune_id_communes"), type_="foreignkey")
        batch.drop_column("commune_id")
        batch.drop_column("scope")
