"""Alerts: the outbox.

One row per alert per destination, written before it is sent. ``(dedupe_key, destination)`` is unique, so
the same transition of the same topic is recorded, and so sent, once per destination however many times a
run is evaluated. ``status`` and ``next_attempt_at`` carry delivery across restarts (see
:mod:`radar.alerts.outbox`).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("destination", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("topic_id", sa.String(32)),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("holder", sa.String(128)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ux_alerts_dedupe", "alerts", ["dedupe_key", "destination"], unique=True)
    op.create_index("ix_alerts_due", "alerts", ["status", "next_attempt_at"])
    op.create_index("ix_alerts_topic", "alerts", ["topic_id", "created_at"])


def downgrade() -> None:
    op.drop_table("alerts")
