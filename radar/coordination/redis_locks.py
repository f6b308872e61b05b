"""Locks in Redis: ``SET NX PX`` with the holder's token; renewal and release check the token first.

A plain ``DEL`` could delete a lock that expired and was taken by another holder meanwhile; the Lua
scripts compare and act in one step, which Redis runs atomically.
"""

from __future__ import annotations

from typing import Any

from radar.errors import CacheError

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLocks:
    """:class:`radar.coordination.Locks` in Redis, keys under ``{prefix}lock:``."""

    def __init__(self, client: Any, prefix: str) -> None:
        import redis

        self._client = client
        self._prefix = prefix + "lock:"
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    def acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        try:
            return bool(self._client.set(self._prefix + name, holder, nx=True, px=_ms(ttl_s)))
        except self._errors as exc:
            raise CacheError(f"redis lock {name!r} failed: {exc}") from exc

    def renew(self, name: str, holder: str, ttl_s: float) -> bool:
        try:
            return bool(self._renew(keys=[self._prefix + name], args=[holder, _ms(ttl_s)]))
        except self._errors as exc:
            raise CacheError(f"redis lock {name!r} renewal failed: {exc}") from exc

    def release(self, name: str, holder: str) -> bool:
        try:
            return bool(self._release(keys=[self._prefix + name], args=[holder]))
        except self._errors as exc:
            raise CacheError(f"redis lock {name!r} release failed: {exc}") from exc

    def holder(self, name: str) -> str | None:
        try:
            value = self._client.get(self._prefix + name)
        except self._errors as exc:
            raise CacheError(f"redis lock {name!r} read failed: {exc}") from exc
        return value.decode() if isinstance(value, bytes) else value


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


def redis_client(url: str) -> Any:
    """A client for locks and queues: a read timeout above the queue's blocking reads (1 s)."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=3)
