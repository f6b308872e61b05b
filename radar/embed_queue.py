"""The embedding queue shared by every worker: a Redis stream read by one consumer group.

The store stays the truth about what needs a vector (``items_to_embed``); the queue only spreads that
work. A feeder (any worker, at most one every ``FEED_GAP_S``) adds the items that have no vector and are
not queued yet, one entry per item with its text, so a consumer needs nothing from the store but the
write. Each worker reads entries with ``XREADGROUP``, embeds them, saves the vectors (an insert that
ignores a vector already there, so a repeat costs time, never correctness), then acknowledges and deletes
the entries. Entries a consumer took and never acknowledged (the worker was killed) stay pending in the
group; after ``reclaim_idle_s`` any other consumer takes them over with ``XAUTOCLAIM``.

Why items are queued from the store rather than by the collecting worker: items also arrive through
``radar collect`` and ``radar import``, and a lost or flushed queue is rebuilt from the store by the next
feed without any bookkeeping. Each queued item gets a marker key (expiring after ``MARKER_TTL_S``) so that
a feed does not queue again what is already waiting.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from radar.embedding import Embedder
from radar.errors import CacheError, StoreError
from radar.store import SqlStore

log = logging.getLogger(__name__)

GROUP = "embedders"
# At most one feed (one items_to_embed query) every this many seconds, whichever worker runs it.
FEED_GAP_S = 2.0
# How long "queued" is remembered for an item; past it, an item still without a vector is queued again.
MARKER_TTL_S = 3600
# Consumers that left nothing pending and were idle this long are removed from the group (old restarts).
FORGET_CONSUMER_AFTER_S = 86400


@dataclass(frozen=True, slots=True)
class Entry:
    entry_id: str
    item_id: str
    text: str


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class EmbedQueue:
    """One worker's handle on the queue of ``model``'s embedding work, as consumer ``consumer``."""

    def __init__(
        self,
        client: Any,
        prefix: str,
        model: str,
        consumer: str,
        *,
        reclaim_idle_s: float = 120.0,
        feed_limit: int = 5000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import redis

        self._client = client
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self.model = model
        self.stream = f"{prefix}embed:{model}"
        self._marker = f"{prefix}embed:queued:{model}:"
        self._feed_lock = f"{prefix}embed:feeding:{model}"
        self.consumer = consumer
        self.reclaim_idle_s = reclaim_idle_s
        self.feed_limit = feed_limit
        self._clock = clock
        self._next_reclaim = 0.0
        self._redis(self._create_group)

    def _redis(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except self._errors as exc:
            raise CacheError(f"embedding queue {self.stream!r}: {exc}") from exc

    def _create_group(self) -> None:
        import redis

        try:
            self._client.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):  # the group exists: another worker made it
                raise

    # -- producing -----------------------------------------------------------------------------------

    def feed(self, store: SqlStore, *, force: bool = False) -> int:
        """Queue stored items that have no vector from the model and are not queued; return how many.

        Skipped (0) when another feed ran less than ``FEED_GAP_S`` ago, or when the queue already holds
        half a feed's worth of entries, unless ``force``.
        """
        if not force:
            gap_ms = int(FEED_GAP_S * 1000)
            if not self._redis(lambda: self._client.set(self._feed_lock, "1", nx=True, px=gap_ms)):
                return 0
            if self.backlog() >= self.feed_limit // 2:
                return 0
        pending = store.items_to_embed(self.model, limit=self.feed_limit)
        if not pending:
            return 0

        def enqueue() -> int:
            marks = self._client.pipeline(transaction=False)
            for item_id, _ in pending:
                marks.set(self._marker + item_id, "1", nx=True, ex=MARKER_TTL_S)
            fresh = [pair for pair, marked in zip(pending, marks.execute(), strict=True) if marked]
            adds = self._client.pipeline(transaction=False)
            for item_id, text in fresh:
                adds.xadd(self.stream, {"item": item_id, "text": text})
            adds.execute()
            return len(fresh)

        added: int = self._redis(enqueue)
        return added

    # -- consuming -----------------------------------------------------------------------------------

    def take(self, count: int, block_ms: int = 1000) -> list[Entry]:
        """Up to ``count`` entries for this consumer: first any abandoned by a dead consumer (checked every
        half ``reclaim_idle_s``), else new ones, waiting up to ``block_ms`` for them."""
        now = self._clock()
        if now >= self._next_reclaim:
            self._next_reclaim = now + self.reclaim_idle_s / 2
            reclaimed = self._reclaim(count)
            if reclaimed:
                log.info("took over %d embedding entries left by a stopped worker", len(reclaimed))
                return reclaimed
        reply = self._redis(
            lambda: self._client.xreadgroup(
                GROUP, self.consumer, {self.stream: ">"}, count=count, block=block_ms
            )
        )
        if not reply:
            return []
        return [self._entry(entry_id, fields) for entry_id, fields in reply[0][1]]

    def _reclaim(self, count: int) -> list[Entry]:
        reply = self._redis(
            lambda: self._client.xautoclaim(
                self.stream, GROUP, self.consumer, int(self.reclaim_idle_s * 1000), "0-0", count=count
            )
        )
        # [next cursor, claimed entries, deleted ids]; a deleted entry comes back as None fields.
        return [self._entry(entry_id, fields) for entry_id, fields in reply[1] if fields]

    @staticmethod
    def _entry(entry_id: Any, fields: dict[Any, Any]) -> Entry:
        values = {_text(key): _text(value) for key, value in fields.items()}
        return Entry(_text(entry_id), values["item"], values["text"])

    def done(self, entries: list[Entry]) -> None:
        """Acknowledge and delete finished entries, and forget their items' markers."""
        if not entries:
            return
        ids = [entry.entry_id for entry in entries]

        def finish() -> None:
            pipe = self._client.pipeline(transaction=False)
            pipe.xack(self.stream, GROUP, *ids)
            pipe.xdel(self.stream, *ids)
            pipe.delete(*[self._marker + entry.item_id for entry in entries])
            pipe.execute()

        self._redis(finish)

    def work_once(self, store: SqlStore, embedder: Embedder, count: int, block_ms: int = 1000) -> int:
        """Take, embed, save and acknowledge one batch; return how many items it held (0: none came)."""
        entries = self.take(count, block_ms)
        if not entries:
            return 0
        vectors = embedder.embed([entry.text for entry in entries])
        pairs = [(entry.item_id, vectors[index]) for index, entry in enumerate(entries)]
        try:
            store.save_embeddings(self.model, pairs)
        except StoreError:
            # One bad row (an item purged since it was queued) must not block the rest forever.
            for pair in pairs:
                try:
                    store.save_embeddings(self.model, [pair])
                except StoreError as exc:
                    log.warning("embedding of item %s dropped: %s", pair[0], exc)
        self.done(entries)
        return len(entries)

    # -- inspecting ----------------------------------------------------------------------------------

    def backlog(self) -> int:
        """Entries in the stream: waiting, or taken and not yet finished."""
        return int(self._redis(lambda: self._client.xlen(self.stream)))

    def forget_idle_consumers(self, idle_s: float = FORGET_CONSUMER_AFTER_S) -> int:
        """Remove consumers that hold nothing and have been idle ``idle_s`` (earlier runs of workers)."""

        def forget() -> int:
            gone = 0
            for info in self._client.xinfo_consumers(self.stream, GROUP):
                name, pending, idle_ms = _text(info["name"]), int(info["pending"]), int(info["idle"])
                if name != self.consumer and pending == 0 and idle_ms >= idle_s * 1000:
                    self._client.xgroup_delconsumer(self.stream, GROUP, name)
                    gone += 1
            return gone

        forgotten: int = self._redis(forget)
        return forgotten


def limit_threads(threads: int) -> None:
    """Give the embedding model ``threads`` CPU threads in this process (0: leave the library default).

    With one worker per core, one thread each is faster in total than every worker fighting for every core.
    """
    if threads <= 0:
        return
    import torch

    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
