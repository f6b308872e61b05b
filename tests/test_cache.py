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


def test_incr_counts_from_one_and_expires(cache: Cache) -> None:
    assert [cache.incr("hits", ttl_s=1) for _ in range(3)] == [1, 2, 3]
    assert cache.get("hits") == b"3"  # the same bytes on both backends
    assert cache.incr("other", ttl_s=60) == 1  # counters are independent
    time.sleep(1.2)
    assert cache.incr("hits", ttl_s=60) == 1  # an expired window starts again
    assert cache.get("other") == b"1"


def test_incr_does_not_extend_the_window(cache: Cache) -> None:
    cache.incr("window", ttl_s=1)
    time.sleep(0.6)
    cache.incr("window", ttl_s=1)  # would survive past 1.2 s if this reset the TTL
    time.sleep(0.6)
    assert cache.get("window") is None


def _hammer(kind: str, where: str, n: int) -> None:
    made: Cache
    if kind == "embedded":
        made = EmbeddedCache(Path(where))
    else:
        url, prefix = where.split("|")
        made = RedisCache(url, prefix=prefix)
    for _ in range(n):
        made.incr("shared", ttl_s=60)
    made.close()


def test_incr_is_atomic_across_processes(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    for kind in ("embedded", "redis"):
        if kind == "embedded":
            where = str(tmp_path / "counted.sqlite3")
            reader: Cache = EmbeddedCache(Path(where))
        else:
            prefix = f"vigie-test-{uuid.uuid4().hex[:8]}:"
            url = request.getfixturevalue("redis_url")
            where = f"{url}|{prefix}"
            reader = RedisCache(url, prefix=prefix)
        workers = [multiprocessing.Process(target=_hammer, args=(kind, where, 50)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert reader.get("shared") == b"200", kind  # no lost update
        reader.close()
