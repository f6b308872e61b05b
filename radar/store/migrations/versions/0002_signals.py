"""Signal states with evidence, lineage, watch themes' members; topic kind, state and peak.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("topics") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="cluster"))
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="noise"))
        batch.add_column(sa.Column("score", sa.Float, nullable=False, server_default="0"))
        batch.add_column(sa.Column("peak_weekly", sa.Float, nullable=False, server_default="0"))
    op.create_table(
        "topic_states",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("topic_id", sa.String(32), sa.ForeignKey("topics.id"), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("previous_state", sa.String(16)),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
    )
    op.create_index("ix_topic_states_topic", "topic_states", ["topic_id", "run_id"])
    op.create_table(
        "topic_lineage",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("topic_id", sa.String(32), nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("other_id", sa.String(32), nullable=False),
    )
    op.create_index("ix_topic_lineage_topic", "topic_lineage", ["topic_id"])
    op.create_table(
        "theme_items",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("theme_id", sa.String(32), sa.ForeignKey("topics.id"), primary_key=True),
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("theme_items")
    op.drop_table("topic_lineage")
    op.drop_table("topic_states")
    with op.batch_alter_table("topics") as batch:
        for column in ("peak_weekly", "score", "state", "kind"):
            batch.drop_column(column)
