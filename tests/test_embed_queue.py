"""The embedding queue on real Redis, with a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from radar.cache import EmbeddedCache
from radar.coordination.redis_locks import RedisLocks, redis_client
from radar.coordination.store_leases import SourceClaims
from radar.core import Radar
from radar.domain import Item
from radar.embed_queue import EmbedQueue, Entry
from radar.settings import load_config
from radar.store import SqlStore
from radar.store.records import Vector
from tests.conftest import utc
from tests.fakes import HashEmbedder

T0 = utc(2026, 11, 2, 9)
MODEL = HashEmbedder.name


class CountingEmbedder(HashEmbedder):
    """Records every text it embedded, from whichever thread."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter[str] = Counter()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vector:
        with self._lock:
            self.seen.update(texts)
        return super().embed(texts)


@pytest.fixture
def client(redis_url: str) -> Iterator[object]:
    opened = redis_client(redis_url)
    yield opened
    opened.close()


@pytest.fixture
def prefix(client: object) -> Iterator[str]:
    """This test's own keys; deleted afterwards (never FLUSHALL the shared Redis)."""
    name = f"vigie-test-{uuid.uuid4().hex[:10]}:"
    yield name
    for key in client.scan_iter(match=name + "*"):  # type: ignore[attr-defined]
        client.delete(key)  # type: ignore[attr-defined]


def _items(store: SqlStore, n: int) -> list[str]:
    store.sync_sources([("src", "feed", "https://src.example/feed")])
    items = [
        Item(
            id=f"it{i:04d}",
            source="src",
            url=f"https://src.example/{i}",
            guid=None,
            title=f"story {i} about {['bread', 'bikes', 'moss', 'vinyl'][i % 4]} number{i}",
            text=f"body{i} words{i * 7} more{i * 13}",
            published_at=T0 + timedelta(minutes=i),
            fetched_at=T0,
        )
        for i in range(n)
    ]
    assert store.add_items(items) == n
    return [item.id for item in items]


def test_feeding_queues_each_pending_item_once(store: SqlStore, client: object, prefix: str) -> None:
    _items(store, 30)
    queue = EmbedQueue(client, prefix, MODEL, "c1")
    assert queue.feed(store, force=True) == 30
    assert queue.feed(store, force=True) == 0  # all queued already
    assert queue.backlog() == 30
    assert queue.feed(store) == 0 or queue.feed(store) == 0  # a second feed within the gap is skipped


def test_consumers_share_the_queue_and_each_item_is_embedded_once(
    store: SqlStore, client: object, prefix: str
) -> None:
    ids = _items(store, 200)
    embedder = CountingEmbedder()
    feeder = EmbedQueue(client, prefix, MODEL, "feeder")
    assert feeder.feed(store, force=True) == 200
    done: dict[str, int] = {}

    def consume(name: str) -> None:
        queue = EmbedQueue(client, prefix, MODEL, name)
        total = 0
        while (got := queue.work_once(store, embedder, count=16, block_ms=300)) or queue.backlog():
            total += got
        done[name] = total

    threads = [threading.Thread(target=consume, args=(f"c{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(done.values()) == 200 and all(done.values()), done  # every consumer took a share
    assert max(embedder.seen.values()) == 1 and len(embedder.seen) == 200
    assert store.count_to_embed(MODEL) == 0
    assert feeder.backlog() == 0
    assert store.vectors_by_model() == {MODEL: len(ids)}
    assert feeder.feed(store, force=True) == 0  # nothing left to queue


def test_a_dead_consumers_entries_are_taken_over_after_the_idle_time(
    store: SqlStore, client: object, prefix: str
) -> None:
    _items(store, 20)
    dead = EmbedQueue(client, prefix, MODEL, "dead", reclaim_idle_s=0.5)
    dead.feed(store, force=True)
    taken = dead.take(8)  # ...and the worker is killed before embedding them
    assert len(taken) == 8
    alive = EmbedQueue(client, prefix, MODEL, "alive", reclaim_idle_s=0.5)
    first = alive.take(8)
    assert first and not {e.item_id for e in first} & {e.item_id for e in taken}  # not yet idle long enough
    _finish(alive, store, first)
    time.sleep(0.6)
    alive._next_reclaim = 0.0  # the next take checks for abandoned entries now
    reclaimed = alive.take(8)
    assert sorted(e.item_id for e in reclaimed) == sorted(e.item_id for e in taken)
    _finish(alive, store, reclaimed)
    while alive.work_once(store, HashEmbedder(), count=8, block_ms=100):
        pass
    assert store.count_to_embed(MODEL) == 0 and alive.backlog() == 0


def _finish(queue: EmbedQueue, store: SqlStore, entries: list[Entry]) -> None:
    vectors = HashEmbedder().embed([entry.text for entry in entries])
    store.save_embeddings(MODEL, [(entry.item_id, vectors[i]) for i, entry in enumerate(entries)])
    queue.done(entries)


def test_an_entry_for_a_vanished_item_does_not_block_the_batch(
    store: SqlStore, client: object, prefix: str
) -> None:
    _items(store, 5)
    queue = EmbedQueue(client, prefix, MODEL, "c1")
    queue.feed(store, force=True)
    client.xadd(queue.stream, {"item": "purged-item", "text": "gone"})  # type: ignore[attr-defined]
    assert queue.work_once(store, HashEmbedder(), count=10, block_ms=100) == 6
    assert store.count_to_embed(MODEL) == 0
    assert queue.backlog() == 0  # acknowledged, not retried forever


def test_the_worker_embeds_new_items_from_the_queue_and_stops_cleanly(
    home: Path, store: SqlStore, client: object, prefix: str
) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from radar.worker import Coordination, Worker

    config = load_config(home, {})
    embedder = CountingEmbedder()
    radar = Radar(config, store, EmbeddedCache(home / "cache.db"), embedder)
    queue = EmbedQueue(client, prefix, MODEL, "w1")
    coordination = Coordination("w1", SourceClaims(store, "w1", 60), RedisLocks(client, prefix), queue)
    worker = Worker(radar, BackgroundScheduler(timezone=UTC), coordination=coordination)
    worker.schedule()
    worker.scheduler.start()
    try:
        _items(store, 50)
        worker._new_items.set()  # as a collection that stored new items does
        deadline = time.monotonic() + 20
        while store.count_to_embed(MODEL) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert store.count_to_embed(MODEL) == 0
    finally:
        worker.request_stop()
        worker.close()
    assert len(embedder.seen) == 50 and queue.backlog() == 0
