"""One cache contract, run against real Redis and against the embedded file cache."""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from radar.cache import Cache, EmbeddedCache, RedisCache
from radar.errors import CacheError


@pytest.fixture(params=["embedded", "redis"])
def cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Cache]:
    made: Cache
    if request.param == "embedded":
        made = EmbeddedCache(tmp_path / "cache.sqlite3")
    else:
        url = request.getfixturevalue("redis_url")
        made = RedisCache(url, prefix=f"vigie-test-{uuid.uuid4().hex[:8]}:")
    yield made
    made.close()


def test_set_get_delete(cache: Cache) -> None:
    assert cache.get("k") is None
    cache.set("k", b"v1")
    assert cache.get("k") == b"v1"
    cache.set("k", b"v2")
    assert cache.get("k") == b"v2"
    cache.delete("k")
    assert cache.get("k") is None
    assert cache.ping()


def test_ttl_expires(cache: Cache) -> None:
    cache.set("short", b"x", ttl_s=1)
    cache.set("long", b"y", ttl_s=60)
    assert cache.get("short") == b"x"
    time.sleep(1.2)
    assert cache.get("short") is None
    assert cache.get("long") == b"y"


def test_binary_values_round_trip(cache: Cache) -> None:
    value = bytes(range(256)) * 10
    cache.set("bin", value)
    assert cache.get("bin") == value


def _writer(path: str, key: str, value: bytes) -> None:
    EmbeddedCache(Path(path)).set(key, value, ttl_s=60)


def test_embedded_cache_is_shared_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    reader = EmbeddedCache(path)
    process = multiprocessing.get_context("spawn").Process(
        target=_writer, args=(str(path), "k", b"from-child")
    )
    process.start()
    process.join(30)
    assert process.exitcode == 0
    assert reader.get("k") == b"from-child"


def test_unreachable_redis_raises_cache_error() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0")
    assert not cache.ping()
    with pytest.raises(CacheError):
        cache.get("k")
    with pytest.raises(CacheError):
        cache.set("k", b"v")
