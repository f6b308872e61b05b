"""The cache of derived views (snapshots, deltas) for the API and dashboard.

Contract of :class:`Cache`, kept by both implementations and checked by the same tests:

- ``get`` returns the bytes last ``set`` under that key, or ``None`` when absent or expired;
- ``set`` with ``ttl_s`` makes the key disappear after that many seconds;
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

    def ping(self) -> bool: ...

    def close(self) -> None: ...


__all__ = ["Cache", "EmbeddedCache", "RedisCache"]
