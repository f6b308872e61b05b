"""The store contract, against real SQLite and real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from radar.domain import Item
from radar.errors import StoreError
from radar.store import AnalysisResult, SqlStore, TopicRecord
from radar.store.engine import current_revision, upgrade
from tests.conftest import utc

T0 = utc(2026, 11, 1, 9)


def _item(n: int, source: str = "alpha", url: str | None = None, guid: str | None = None, **kw: Any) -> Item:
    return Item(
        id=f"id{n}",
        source=source,
        url=url if url is not None else f"https://example.org/{n}",
        guid=guid,
        title=f"title {n}",
        text=f"text {n}",
        published_at=kw.pop("published_at", T0 + timedelta(days=n)),
        fetched_at=T0,
        **kw,
    )


def _sources(store: SqlStore) -> None:
    store.sync_sources([("alpha", "feed", "https://a/"), ("beta", "feed", "https://b/")])


def test_migrations_reach_head_and_match_schema(store: SqlStore) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from radar.store.schema import metadata

    assert current_revision(store.engine) == "0008"
    upgrade(store.engine)  # applying again is a no-op
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_items_are_deduplicated(store: SqlStore) -> None:
    _sources(store)
    assert store.add_items([_item(1), _item(2)]) == 2
    assert store.add_items([_item(1)]) == 0  # same id
    assert store.add_items([_item(3, source="beta", url="https://example.org/1")]) == 0  # same URL elsewhere
    assert store.add_items([_item(4, url="", guid="g-1"), _item(5, url="", guid="g-1")]) == 1  # same guid
    assert store.stats()["items"] == 3


def test_datetimes_come_back_aware_utc(store: SqlStore) -> None:
    _sources(store)
    paris = datetime(2026, 11, 2, 12, tzinfo=UTC).astimezone()
    store.add_items([_item(1, published_at=paris)])
    latest = store.latest_published()
    assert latest == paris and latest is not None and latest.tzinfo is not None
    with pytest.raises(StoreError):
        store.add_items([_item(2, published_at=datetime(2026, 11, 2))])  # naive is refused
    assert store.stats()["items"] == 1  # and the refused write left nothing behind


def test_embeddings_and_window(store: SqlStore) -> None:
    _sources(store)
    store.add_items([_item(n) for n in range(5)])
    assert store.count_to_embed("m") == 5
    pending = store.items_to_embed("m", limit=3)
    assert [item_id for item_id, _ in pending] == ["id0", "id1", "id2"]
    store.save_embeddings("m", [(i, np.full(4, n, dtype=np.float32)) for n, (i, _) in enumerate(pending)])
    assert store.count_to_embed("m") == 2
    assert store.count_to_embed("other-model") == 5  # vectors of two models never mix
    window = store.window("m", T0 + timedelta(days=1), T0 + timedelta(days=10))
    assert window.ids == ["id1", "id2"]
    assert window.vectors.shape == (2, 4) and float(window.vectors[1, 0]) == 2.0
    assert window.contents[0] == "title 1. text 1"


def _record(topic_id: str, day: date, size: int = 2) -> TopicRecord:
    return TopicRecord(
        id=topic_id,
        label=f"Label {topic_id}",
        keywords=["a", "b"],
        size=size,
        first_seen=day,
        last_seen=day,
        growth=1.5,
        centroid=np.ones(4, dtype=np.float32),
        daily={day: size},
    )


def test_runs_persist_topics_and_keep_first_seen(store: SqlStore) -> None:
    _sources(store)
    store.add_items([_item(n) for n in range(4)])
    run1 = store.start_run(as_of=T0, window_days=30, model="m")
    store.finish_run(
        run1,
        AnalysisResult(
            topics=[_record("t1", date(2026, 11, 2))],
            assignments=[("id0", "t1", 0.9), ("id1", "t1", None)],
            n_items=4,
            snapshot={"x": 1},
        ),
    )
    run2 = store.start_run(as_of=T0 + timedelta(days=7), window_days=30, model="m")
    store.finish_run(
        run2,
        AnalysisResult(
            topics=[_record("t1", date(2026, 11, 5), size=1)],
            assignments=[("id2", "t1", 0.5)],
            n_items=4,
        ),
    )
    topics = store.topics()
    assert [t.id for t in topics] == ["t1"]
    assert topics[0].first_seen == date(2026, 11, 2)  # identity keeps its history
    assert topics[0].size == 1 and topics[0].run_id == run2
    assert store.topics(run1)[0].size == 2
    assert store.snapshot(run1) == {"x": 1}
    assert [row["id"] for row in store.tracked_topics(date(2026, 1, 1))] == ["t1"]
    assert store.stats()["topics"] == 1


def test_failed_run_is_not_served(store: SqlStore) -> None:
    _sources(store)
    store.add_items([_item(1)])
    run_ok = store.start_run(as_of=T0, window_days=30, model="m")
    store.finish_run(
        run_ok,
        AnalysisResult(
            topics=[_record("t1", date(2026, 11, 2), 1)], assignments=[("id1", "t1", None)], n_items=1
        ),
    )
    run_bad = store.start_run(as_of=T0, window_days=30, model="m")
    with pytest.raises(StoreError):
        # A membership pointing at an unknown item violates a foreign key: the whole run rolls back.
        store.finish_run(
            run_bad,
            AnalysisResult(
                topics=[_record("t2", date(2026, 11, 2), 1)], assignments=[("missing", "t2", None)], n_items=1
            ),
        )
    store.fail_run(run_bad, "boom")
    latest = store.latest_run()
    assert latest is not None and latest.id == run_ok
    assert [t.id for t in store.topics()] == ["t1"]
    assert store.latest_run("failed") is not None


def test_source_fetch_state(store: SqlStore) -> None:
    _sources(store)
    store.record_fetch_error("alpha", at=T0, error="HTTP 500")
    store.record_fetch_error("alpha", at=T0, error="HTTP 500")
    state = store.source_state("alpha")
    assert state is not None and state.consecutive_errors == 2 and state.last_error == "HTTP 500"
    store.record_fetch_success("alpha", at=T0, etag='"v1"', last_modified=None, new_items=3)
    state = store.source_state("alpha")
    assert state is not None and (state.consecutive_errors, state.etag, state.items_total) == (0, '"v1"', 3)
    store.sync_sources([("alpha", "feed", "https://a/new")])  # a new URL forgets old validators
    state = store.source_state("alpha")
    assert state is not None and state.etag is None and state.url == "https://a/new"


def test_unreachable_database_is_a_store_error() -> None:
    from radar.store import open_store

    with pytest.raises(StoreError, match="cannot migrate"):
        open_store("postgresql+psycopg://nobody@127.0.0.1:1/none")


def test_sqlite_uses_wal(tmp_path: Any) -> None:
    from radar.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()
