"""The Redis cache, for deployments with several processes or machines."""

from __future__ import annotations

from typing import Any

from radar.errors import CacheError


class RedisCache:
    """Keys live under ``prefix`` so that one Redis can serve several installations."""

    def __init__(self, url: str, prefix: str = "vigie:") -> None:
        import redis

        self.prefix = prefix
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._client: Any = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def get(self, key: str) -> bytes | None:
        try:
            value = self._client.get(self.prefix + key)
        except self._errors as exc:
            raise CacheError(f"redis read failed: {exc}") from exc
        return bytes(value) if value is not None else None

    def set(self, key: str, value: bytes, ttl_s: int | None = None) -> None:
        try:
            self._client.set(self.prefix + key, value, ex=ttl_s or None)
        except self._errors as exc:
            raise CacheError(f"redis write failed: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self._client.delete(self.prefix + key)
        except self._errors as exc:
            raise CacheError(f"redis delete failed: {exc}") from exc

    def incr(self, key: str, ttl_s: int) -> int:
        name = self.prefix + key
        try:
            # SET NX EX creates the counter with its TTL only when absent; INCR then counts. MULTI/EXEC
            # keeps the two together, so a counter never exists without its expiry.
            pipe = self._client.pipeline(transaction=True)
            pipe.set(name, 0, ex=ttl_s, nx=True)
            pipe.incr(name)
            _, count = pipe.execute()
        except self._errors as exc:
            raise CacheError(f"redis incr failed: {exc}") from exc
        return int(count)

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except self._errors:
            return False

    def close(self) -> None:
        self._client.close()
