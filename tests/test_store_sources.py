"""The store's source methods on real SQLite and PostgreSQL: due times and recent item counts."""

from __future__ import annotations

from datetime import timedelta

from radar.domain import Item
from radar.store import SqlStore
from tests.conftest import utc

NOW = utc(2026, 11, 29, 12)


def test_fetch_records_keep_the_next_due_time(store: SqlStore) -> None:
    store.sync_sources([("a", "feed", "https://a.example/")])
    due = NOW + timedelta(hours=1, seconds=42, microseconds=5)
    store.record_fetch_success("a", at=NOW, etag=None, last_modified=None, new_items=0, next_due_at=due)
    state = store.source_state("a")
    assert state is not None and state.next_due_at == due and state.next_due_at.tzinfo is not None
    later = NOW + timedelta(hours=2)
    store.record_fetch_error("a", at=NOW + timedelta(hours=1), error="boom", next_due_at=later)
    state = store.source_state("a")
    assert state is not None and state.next_due_at == later and state.consecutive_errors == 1
    store.record_fetch_error("a", at=NOW + timedelta(hours=2), error="boom")
    assert store.source_states()[0].next_due_at is None  # not given: derived from last_fetch_at


def test_items_per_source_counts_by_publication_time(store: SqlStore) -> None:
    store.sync_sources([("a", "feed", "https://a.example/"), ("b", "feed", "https://b.example/")])
    published = {
        "a": [NOW - timedelta(days=d) for d in (0.5, 3, 6.9, 7.1)],
        "b": [NOW - timedelta(days=10), NOW + timedelta(hours=1)],  # one too old, one in the future
    }
    store.add_items(
        [
            Item(f"{name}{n}", name, f"https://{name}.example/{n}", f"t{n}", "x", when, NOW)
            for name, times in published.items()
            for n, when in enumerate(times)
        ]
    )
    assert store.items_per_source(NOW - timedelta(days=7), NOW) == {"a": 3}
    assert store.items_per_source(NOW - timedelta(days=30), NOW + timedelta(days=1)) == {"a": 4, "b": 2}
