"""The cache of derived views (snapshots, deltas) for the API and dashboard.

Contract of :class:`Cache`, kept by both implementations and checked by the same tests:

- ``get`` returns the bytes last ``set`` under that key, or ``None`` when absent or expired;
- ``set`` with ``ttl_s`` makes the key disappear after that many seconds;
- ``incr`` adds one to the counter under a key atomically (no lost update across threads and processes),
  creating it at 1 with ``ttl_s`` when absent or expired, and returns the new count; the TTL is set when
  the counter is created and not extended by later increments (fixed windows for rate limits);
- values written by one process are visible to every other process sharing the backend;
- a backend failure raises :class:`radar.errors.CacheError`; callers treat it as a miss, since the store
  holds the truth and the cache is rebuilt from it.
"""

from __future__ import annotations

from typing import Protocol

from radar.cache.embedded import EmbeddedCache
from radar.cache.redis_cache import RedisCache


class Cache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes, ttl_s: int | None = None) -> None: ...

    def delete(self, key: str) -> None: ...

    def incr(self, key: str, ttl_s: int) -> int: ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...


__all__ = ["Cache", "EmbeddedCache", "RedisCache"]
