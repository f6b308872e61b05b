"""Several workers: named leases with an expiry.

A row is a lock held by ``holder`` until ``expires_at``: the analysis lock when there is no Redis, and the
record of which worker holds a source's fetch (the claim itself is the conditional update of
``sources.next_due_at``, see :mod:`radar.coordination`). An expired row is free for the next taker, so a
worker killed while holding one blocks nobody for longer than its lease.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("leases")
