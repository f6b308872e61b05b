"""Tables of the store (SQLAlchemy Core). Migrations in ``migrations/`` must produce exactly this."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, whatever the backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_fetch_at", UTCDateTime()),
    Column("last_success_at", UTCDateTime()),
    Column("last_error", Text),
    Column("consecutive_errors", Integer, nullable=False, default=0),
    Column("items_total", Integer, nullable=False, default=0),
    Column("next_due_at", UTCDateTime()),
    Column("cursor", Text),
)

items = Table(
    "items",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("source", String(64), ForeignKey("sources.name"), nullable=False),
    Column("url", Text),
    Column("guid", Text),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("author", Text),
    Column("lang", String(8)),
    Column("published_at", UTCDateTime(), nullable=False),
    Column("fetched_at", UTCDateTime(), nullable=False),
    Column("date_from_fetch", Boolean, nullable=False, default=False),
    Column("engagement", JSON),
    Column("simhash", BigInteger),
    Column("duplicate_of", String(32)),
    # A canonical URL appears once in the store, whichever source delivered it first.
    Index("ix_items_url", "url", unique=True),
    Index("ix_items_source_guid", "source", "guid", unique=True),
    Index("ix_items_published_at", "published_at"),
    Index("ix_items_duplicate_of", "duplicate_of"),
    Index("ix_items_fetched_at", "fetched_at"),
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(128), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

# Where each item sat in the reduced space of the last fit (derived data: losing it costs one cold fit).
item_positions = Table(
    "item_positions",
    metadata,
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(128), primary_key=True),
    Column("position", LargeBinary, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("as_of", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("window_days", Integer, nullable=False),
    Column("model", String(128), nullable=False),
    Column("n_items", Integer, nullable=False, default=0),
    Column("n_topics", Integer, nullable=False, default=0),
    Column("error", Text),
)

topics = Table(
    "topics",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("label", Text, nullable=False),
    Column("keywords", JSON, nullable=False),
    Column("size", Integer, nullable=False),
    Column("first_seen", Date, nullable=False),
    Column("last_seen", Date, nullable=False),
    Column("growth", Float, nullable=False),
    Column("centroid", LargeBinary),
    Column("created_run", Integer, ForeignKey("runs.id"), nullable=False),
    Column("updated_run", Integer, ForeignKey("runs.id"), nullable=False),
    Column("kind", String(16), nullable=False, server_default="cluster"),
    Column("state", String(16), nullable=False, server_default="noise"),
    Column("score", Float, nullable=False, server_default="0"),
    Column("peak_weekly", Float, nullable=False, server_default="0"),
)

topic_states = Table(
    "topic_states",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", String(32), ForeignKey("topics.id"), primary_key=True),
    Column("state", String(16), nullable=False),
    Column("previous_state", String(16)),
    Column("score", Float, nullable=False),
    Column("evidence", JSON, nullable=False),
    Index("ix_topic_states_topic", "topic_id", "run_id"),
)

topic_lineage = Table(
    "topic_lineage",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("topic_id", String(32), nullable=False),
    Column("relation", String(16), nullable=False),
    Column("other_id", String(32), nullable=False),
    Index("ix_topic_lineage_topic", "topic_id"),
)

theme_items = Table(
    "theme_items",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", String(32), ForeignKey("topics.id"), primary_key=True),
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
)

topic_items = Table(
    "topic_items",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(32), ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", String(32), ForeignKey("topics.id"), nullable=False),
    Column("probability", Float),
    Index("ix_topic_items_topic", "topic_id", "run_id"),
)

topic_daily = Table(
    "topic_daily",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", String(32), ForeignKey("topics.id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("items", Integer, nullable=False),
)

snapshots = Table(
    "snapshots",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("payload", JSON, nullable=False),
)

# One radar snapshot per brand profile per run, and what changed since that profile's previous snapshot.
value_snapshots = Table(
    "value_snapshots",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("profile", String(64), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("payload", JSON, nullable=False),
    Index("ix_value_snapshots_profile", "profile", "run_id"),
)

value_deltas = Table(
    "value_deltas",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("profile", String(64), primary_key=True),
    Column("previous_run_id", Integer),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("payload", JSON, nullable=False),
    Index("ix_value_deltas_profile", "profile", "run_id"),
)

# -- the topics API (migration 0006) ---------------------------------------------------------------------

# API keys are stored hashed (sha256 of a high-entropy random key); ``prefix`` is the key's first
# characters, shown in listings and accepted by `radar keys revoke`, never enough to use the key.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("scope", String(8), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    Index("ix_api_keys_key_hash", "key_hash", unique=True),
    Index("ix_api_keys_prefix", "prefix"),
)

# An analyst's current verdict on a topic. ``dismissed_state`` is the topic's state when it was
# dismissed: the topic stays muted while it keeps that state (see radar.triage.is_muted).
triage = Table(
    "triage",
    metadata,
    Column("topic_id", String(32), ForeignKey("topics.id"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("note", Text),
    Column("dismissed_state", String(16)),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("updated_by", String(64)),
)

triage_history = Table(
    "triage_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic_id", String(32), ForeignKey("topics.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text),
    Column("topic_state", String(16)),
    Column("at", UTCDateTime(), nullable=False),
    Column("by", String(64)),
    Index("ix_triage_history_topic", "topic_id", "id"),
)

backtest_jobs = Table(
    "backtest_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("params", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("started_at", UTCDateTime()),
    Column("finished_at", UTCDateTime()),
    Column("summary", JSON),
    Column("error", Text),
    Column("created_by", String(64)),
)

# -- several workers (migration 0007) --------------------------------------------------------------------

# Named locks held until ``expires_at`` (see radar.coordination): the analysis lock without Redis, and who
# holds each source's current fetch. An expired row is free: a killed holder blocks no one past its lease.
leases = Table(
    "leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

# -- alerts (migration 0008) -----------------------------------------------------------------------------

# The outbox: one row per alert per destination, written before it is sent (see radar.alerts.outbox).
# The unique (dedupe_key, destination) is what keeps a transition from being alerted twice.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(300), nullable=False),
    Column("destination", String(64), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("topic_id", String(32)),
    Column("facts", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("holder", String(128)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("next_attempt_at", UTCDateTime()),
    Column("sent_at", UTCDateTime()),
    Column("last_error", Text),
    Index("ux_alerts_dedupe", "dedupe_key", "destination", unique=True),
    Index("ix_alerts_due", "status", "next_attempt_at"),
    Index("ix_alerts_topic", "topic_id", "created_at"),
)
