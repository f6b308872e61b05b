"""The brand-values radar: one snapshot and one set of deltas per brand profile per analysis run.

Both are derived data (placement of the run's topics against a profile's values, and what changed since
the profile's previous snapshot), kept as JSON so the cache can be rebuilt from the store after a Redis
flush without re-embedding anything. ``previous_run_id`` records which run the deltas compare against,
since a run that failed or predates a profile leaves gaps in run ids.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "value_snapshots",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("profile", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    op.create_index("ix_value_snapshots_profile", "value_snapshots", ["profile", "run_id"])
    op.create_table(
        "value_deltas",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("profile", sa.String(64), primary_key=True),
        sa.Column("previous_run_id", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    op.create_index("ix_value_deltas_profile", "value_deltas", ["profile", "run_id"])


def downgrade() -> None:
    op.drop_index("ix_value_deltas_profile", table_name="value_deltas")
    op.drop_table("value_deltas")
    op.drop_index("ix_value_snapshots_profile", table_name="value_snapshots")
    op.drop_table("value_snapshots")
