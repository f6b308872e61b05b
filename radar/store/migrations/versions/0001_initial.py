"""Initial store: sources, items, embeddings, runs, topics, membership, daily counts, snapshots.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_fetch_at", TZ),
        sa.Column("last_success_at", TZ),
        sa.Column("last_error", sa.Text),
        sa.Column("consecutive_errors", sa.Integer, nullable=False),
        sa.Column("items_total", sa.Integer, nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("source", sa.String(64), sa.ForeignKey("sources.name"), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("guid", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("lang", sa.String(8)),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.Column("date_from_fetch", sa.Boolean, nullable=False),
        sa.Column("engagement", sa.JSON),
    )
    op.create_index("ix_items_url", "items", ["url"], unique=True)
    op.create_index("ix_items_source_guid", "items", ["source", "guid"], unique=True)
    op.create_index("ix_items_published_at", "items", ["published_at"])
    op.create_table(
        "embeddings",
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("model", sa.String(128), primary_key=True),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("finished_at", TZ),
        sa.Column("as_of", TZ, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("window_days", sa.Integer, nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("n_items", sa.Integer, nullable=False),
        sa.Column("n_topics", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "topics",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("keywords", sa.JSON, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.Date, nullable=False),
        sa.Column("last_seen", sa.Date, nullable=False),
        sa.Column("growth", sa.Float, nullable=False),
        sa.Column("centroid", sa.LargeBinary),
        sa.Column("created_run", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("updated_run", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
    )
    op.create_table(
        "topic_items",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item_id", sa.String(32), sa.ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("topic_id", sa.String(32), sa.ForeignKey("topics.id"), nullable=False),
        sa.Column("probability", sa.Float),
    )
    op.create_index("ix_topic_items_topic", "topic_items", ["topic_id", "run_id"])
    op.create_table(
        "topic_daily",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("topic_id", sa.String(32), sa.ForeignKey("topics.id"), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("items", sa.Integer, nullable=False),
    )
    op.create_table(
        "snapshots",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("payload", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "snapshots",
        "topic_daily",
        "topic_items",
        "topics",
        "runs",
        "embeddings",
        "items",
        "sources",
    ):
        op.drop_table(table)
