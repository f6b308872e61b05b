"""The stored originals that new items are compared with for near-duplicates, kept between calls.

Reading every recent original for each ``add_items`` call made ingest quadratic: a 50k-entry ingest read
486k candidate rows over 100 calls, three quarters of its time (bench/ingest_speed.py). The store now keeps
one in-memory :class:`NearIndex` over a span of publication dates and, on later calls, reads only the
originals *fetched* since its last read (items other processes stored, or this one in another thread).

Reading by fetch time is exact within one process (its threads share the cache). Across workers it relies
on their clocks agreeing within ``FETCH_CLOCK_MARGIN``, and it lags by up to ``READ_EVERY_S``: an item
stored by another worker in the last half minute, or by one whose clock runs further behind, can be missed
as a near-duplicate candidate, and a story would then be analysed twice, which is the cost of a missed
duplicate, never of a lost item. A failed transaction drops the cache, since it may hold rows that were
never committed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from collectors.neardup import WINDOW, NearIndex
from radar.domain import Item
from radar.store import schema as t

# Extra publication dates loaded around a batch's needs, so that the next batches reuse the index.
SPAN_PAD = timedelta(days=7)
FETCH_CLOCK_MARGIN = timedelta(minutes=10)
# Other processes' originals are read at most this often: a bulk collect calls add_items many times a
# second, and each read covers the margin above. Threads of this process share the cache and need no read.
READ_EVERY_S = 30.0


@dataclass(slots=True)
class _Loaded:
    index: NearIndex
    lo: datetime
    hi: datetime
    mark: datetime | None  # the latest fetched_at read; None when the store had no item
    read_at: float = 0.0  # time.monotonic() of the last read
    keys: set[str] = field(default_factory=set)


class NearCache:
    """Thread-safe holder of the recent originals' fingerprints for one store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def drop(self) -> None:
        with self._lock:
            self._loaded = None

    def find_or_add(
        self, conn: Connection, items: Sequence[Item], item: Item, value: int, inserted: Collection[str]
    ) -> str | None:
        """The original that ``item`` (fingerprint ``value``) nearly repeats, or None after recording
        ``item`` as an original itself. ``inserted`` are the ids of the batch that ``conn``'s transaction
        has just inserted: they are not read from the store, since only the batch order decides which of
        them are originals."""
        with self._lock:
            loaded = self._current(conn, items, inserted=inserted)
            original = loaded.index.find(value, item.published_at)
            if original is None and item.id not in loaded.keys:
                loaded.index.add(value, item.published_at, item.id)
                loaded.keys.add(item.id)
            return original

    def _current(self, conn: Connection, items: Sequence[Item], *, inserted: Collection[str]) -> _Loaded:
        lo = min(item.published_at for item in items) - WINDOW
        hi = max(item.published_at for item in items) + WINDOW
        loaded = self._loaded
        if loaded is None or lo < loaded.lo or hi > loaded.hi:
            loaded = _Loaded(NearIndex(), lo - SPAN_PAD, hi + SPAN_PAD, mark=None)
            self._read(conn, loaded, since=None, inserted=inserted)
            self._loaded = loaded
        elif time.monotonic() - loaded.read_at >= READ_EVERY_S:
            since = loaded.mark - FETCH_CLOCK_MARGIN if loaded.mark is not None else None
            self._read(conn, loaded, since=since, inserted=inserted)
        return loaded

    @staticmethod
    def _read(
        conn: Connection, loaded: _Loaded, *, since: datetime | None, inserted: Collection[str]
    ) -> None:
        query = select(t.items.c.id, t.items.c.simhash, t.items.c.published_at).where(
            t.items.c.published_at >= loaded.lo,
            t.items.c.published_at <= loaded.hi,
            t.items.c.simhash.is_not(None),
            t.items.c.duplicate_of.is_(None),
        )
        if since is not None:
            query = query.where(t.items.c.fetched_at >= since)
        # In publication order, the index searches only each item's window (see NearIndex).
        found = conn.execute(query.order_by(t.items.c.published_at))
        # The batch just inserted is left out: the caller adds its originals in the batch's order.
        rows = [row for row in found if row.id not in loaded.keys and row.id not in inserted]
        loaded.index.extend((row.simhash, row.published_at, row.id) for row in rows)
        loaded.keys.update(row.id for row in rows)
        latest = conn.execute(select(func.max(t.items.c.fetched_at))).scalar()
        if latest is not None:
            loaded.mark = latest
        loaded.read_at = time.monotonic()
