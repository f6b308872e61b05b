"""Claims and locks shared by several workers, on real SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from radar.cache import EmbeddedCache
from radar.coordination import Locks, analysis_slot, renewing
from radar.coordination.redis_locks import RedisLocks, redis_client
from radar.coordination.store_leases import SourceClaims, StoreLocks
from radar.core import Radar
from radar.settings import load_config
from radar.store import SqlStore
from tests.conftest import utc
from tests.fakes import HashEmbedder

T0 = utc(2026, 11, 2, 9)


class Clock:
    """A settable clock shared by the objects under test."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards (never FLUSHALL a shared Redis)."""
    prefix = f"vigie-test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis_client(redis_url)
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    client.close()


# -- the Locks contract, for both implementations -------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def locks_and_wait(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[Locks, Callable[[float], None]]]:
    """A Locks implementation and a way to let ``seconds`` pass for it (a clock for the store, real time
    for Redis, whose expiry is Redis's own)."""
    if request.param != "redis":
        from radar.settings import Settings
        from radar.store import open_store

        raw = f"sqlite:///{tmp_path / 'radar.sqlite3'}"
        if request.param == "postgresql":
            raw = request.getfixturevalue("pg_url")
        store = open_store(Settings(home=tmp_path, database_url=raw).store_url)
        clock = Clock(T0)
        yield StoreLocks(store, now=clock), clock.advance
        store.close()
    else:
        url: str = request.getfixturevalue("redis_url")
        prefix: str = request.getfixturevalue("redis_prefix")
        client = redis_client(url)
        yield RedisLocks(client, prefix), time.sleep
        client.close()


def test_a_lock_has_one_holder_until_released_or_expired(
    locks_and_wait: tuple[Locks, Callable[[float], None]],
) -> None:
    locks, wait = locks_and_wait
    assert locks.acquire("analysis", "a", 0.5)
    assert not locks.acquire("analysis", "b", 0.5)
    assert locks.holder("analysis") == "a"
    assert locks.acquire("other", "b", 0.5)  # names are independent
    # Only the holder renews or releases.
    assert not locks.release("analysis", "b") and not locks.renew("analysis", "b", 5)
    assert locks.release("analysis", "a")
    assert locks.holder("analysis") is None
    assert locks.acquire("analysis", "b", 0.3)
    # Never released (its holder was killed): free once the lease has passed, not before.
    assert not locks.acquire("analysis", "c", 0.3)
    wait(0.45)
    assert locks.acquire("analysis", "c", 5)
    assert not locks.release("analysis", "b")  # the old holder cannot release the new holder's lock
    assert locks.holder("analysis") == "c"


def test_renewal_extends_only_the_holders_lease(
    locks_and_wait: tuple[Locks, Callable[[float], None]],
) -> None:
    locks, wait = locks_and_wait
    assert locks.acquire("analysis", "a", 0.3)
    wait(0.2)
    assert locks.renew("analysis", "a", 0.3)
    wait(0.2)  # 0.4 s after the acquisition: alive only thanks to the renewal
    assert not locks.acquire("analysis", "b", 0.3)
    wait(0.2)
    assert locks.acquire("analysis", "b", 0.3)
    assert not locks.renew("analysis", "a", 0.3)


def test_renewing_keeps_a_lock_through_work_longer_than_its_lease(redis_url: str, redis_prefix: str) -> None:
    client = redis_client(redis_url)
    locks = RedisLocks(client, redis_prefix)
    try:
        assert locks.acquire("analysis", "a", 0.3)
        with renewing(locks, "analysis", "a", 0.3):
            for _ in range(8):  # 0.8 s of work under a 0.3 s lease
                time.sleep(0.1)
                assert not locks.acquire("analysis", "b", 0.3)
        time.sleep(0.4)  # renewal stopped with the block: the lease runs out
        assert locks.acquire("analysis", "b", 0.3)
    finally:
        client.close()


def test_concurrent_acquisitions_have_one_winner(store: SqlStore) -> None:
    holders = [f"w{i}" for i in range(12)]
    barrier = threading.Barrier(len(holders))

    def attempt(holder: str) -> bool:
        locks = StoreLocks(store)
        barrier.wait()
        return locks.acquire("analysis", holder, 60)

    with ThreadPoolExecutor(len(holders)) as pool:
        won = list(pool.map(attempt, holders))
    assert won.count(True) == 1


def test_analysis_slots_are_aligned_on_the_epoch() -> None:
    six_hours = 6 * 3600
    assert analysis_slot(utc(2026, 11, 2, 5, 59), six_hours) == int(utc(2026, 11, 2, 0).timestamp())
    assert analysis_slot(utc(2026, 11, 2, 6, 0), six_hours) == int(utc(2026, 11, 2, 6).timestamp())


# -- source claims -------------------------------------------------------------------------------------


def _sources(store: SqlStore, n: int) -> list[str]:
    names = [f"s{i:03d}" for i in range(n)]
    store.sync_sources((name, "feed", f"https://{name}.example/feed") for name in names)
    return names


def test_a_due_slot_is_claimed_once_whatever_the_number_of_workers(store: SqlStore) -> None:
    names = _sources(store, 40)
    clock = Clock(T0)
    workers = [SourceClaims(store, f"w{i}", lease_s=60, now=clock) for i in range(6)]
    barrier = threading.Barrier(len(workers))

    def claim_all(claims: SourceClaims) -> list[str]:
        barrier.wait()
        return [name for name in names if claims.claim(name)]

    with ThreadPoolExecutor(len(workers)) as pool:
        won = list(pool.map(claim_all, workers))
    claimed = [name for names_won in won for name in names_won]
    assert sorted(claimed) == names  # every source once: none twice, none left
    holders = workers[0].holders()
    assert {holders[name] for name in won[0]} <= {"w0"} and len(holders) == len(names)


def test_a_claim_waits_for_the_due_time_and_a_dead_holders_lease(store: SqlStore) -> None:
    (name,) = _sources(store, 1)
    clock = Clock(T0)
    alive = SourceClaims(store, "alive", lease_s=60, now=clock)
    dead = SourceClaims(store, "dead", lease_s=60, now=clock)
    assert dead.claim(name)  # never fetched: due at once
    state = store.source_state(name)
    assert state is not None and state.next_due_at == T0 + timedelta(seconds=60)
    # The holder is killed mid-fetch: nothing is recorded, and nobody may take the slot during the lease.
    clock.advance(59)
    assert not alive.claim(name)
    clock.advance(1)
    assert alive.claim(name)  # the lease is over: the slot is fetched, once
    assert not dead.claim(name)
    assert alive.holders() == {name: "alive"}
    # The fetch records its next due time; until then the source is not due.
    store.record_fetch_success(
        name, at=clock(), etag=None, last_modified=None, new_items=0, next_due_at=clock() + timedelta(hours=1)
    )
    alive.release(name)
    assert alive.holders() == {}
    clock.advance(3599)
    assert not dead.claim(name) and not alive.claim(name)
    clock.advance(1)
    assert dead.claim(name)


# -- two workers in one store ----------------------------------------------------------------------------


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title><link>https://{name}.example/</link>
<item><title>Post from {name}</title><link>https://{name}.example/1</link><guid>{name}-1</guid>
<pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"""


def test_two_workers_fetch_each_due_slot_once_and_analyse_once_per_slot(
    home: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from radar import worker as worker_module
    from radar.store import open_store

    names = [f"feed{i}" for i in range(6)]
    hits: dict[str, list[float]] = {name: [] for name in names}
    lock = threading.Lock()

    def handler(name: str) -> Callable[[Request], Response]:
        def respond(_request: Request) -> Response:
            with lock:
                hits[name].append(time.time())
            time.sleep(0.2)  # a fetch that takes a while: both workers' jobs fire during it
            return Response(RSS.format(name=name), content_type="application/rss+xml")

        return respond

    for name in names:
        httpserver.expect_request(f"/{name}").respond_with_handler(handler(name))
    (home / "config" / "sources.toml").write_text(
        "".join(
            f'[[source]]\nname = "{n}"\nurl = "{httpserver.url_for("/" + n)}"\ninterval = "2s"\n'
            "allow_private = true\n\n"
            for n in names
        ),
        encoding="utf-8",
    )
    (home / "config" / "settings.toml").write_text(
        '[radar]\nanalysis_interval = "2s"\nfetch_deadline_s = 1\nworker_lease_s = 5\n', encoding="utf-8"
    )
    analyses: list[str] = []
    monkeypatch.setattr(worker_module, "analyze_now", lambda radar: analyses.append("run") or time.sleep(0.3))

    config = load_config(home, {})
    radars = [
        Radar(config, open_store(config.settings.store_url), EmbeddedCache(home / "cache.db"), HashEmbedder())
        for _ in range(2)
    ]
    workers = [
        worker_module.Worker(radar, BackgroundScheduler(timezone=UTC), jitter=lambda: 0.0) for radar in radars
    ]
    started = time.time()
    for worker in workers:
        worker.schedule()
        worker.scheduler.start()
    time.sleep(7.2)
    for worker in workers:
        worker.request_stop()
    for worker in workers:
        worker.close()
    elapsed = time.time() - started
    for radar in radars:
        radar.close()

    for name, times in hits.items():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # One fetch per 2 s slot: never two close together, never a slot skipped.
        assert all(1.9 <= gap <= 3.0 for gap in gaps), (name, gaps)
        assert len(times) >= int(elapsed / 2.6), (name, times)
    # Both workers fire at every 2 s boundary; each slot is analysed once.
    assert 2 <= len(analyses) <= int(elapsed / 2) + 1


def test_an_analysis_slot_runs_once_and_never_beside_another(
    home: Path, store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from radar import worker as worker_module

    runs: list[int] = []
    monkeypatch.setattr(worker_module, "analyze_now", lambda radar: runs.append(1))
    clock = Clock(utc(2026, 11, 2, 6, 0, 5))  # 5 s into a 6 h slot
    config = load_config(home, {})
    radar = Radar(config, store, EmbeddedCache(home / "cache.db"), HashEmbedder())
    one, two = (
        worker_module.Worker(radar, BackgroundScheduler(timezone=UTC), now=clock, jitter=lambda: 0.0)
        for _ in range(2)
    )
    try:
        assert one.run_analysis()
        clock.advance(60)
        assert not two.run_analysis() and not one.run_analysis()  # same slot: done
        # While one analyses (it holds the lock), the other's turn at the next slot waits for it.
        clock.advance(6 * 3600)
        assert one.coordination.locks.acquire("analysis", one.coordination.holder, 30)
        assert not two.run_analysis()
        one.coordination.locks.release("analysis", one.coordination.holder)
        assert two.run_analysis()
        assert len(runs) == 2
    finally:
        one.close()
        two.close()


def test_the_daily_purge_runs_once_across_workers_and_never_beside_an_analysis(
    home: Path, store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from radar import retention
    from radar import worker as worker_module

    purges: list[int] = []
    monkeypatch.setattr(retention, "apply_retention", lambda store, days: purges.append(days))
    clock = Clock(utc(2026, 11, 2, 6, 0, 5))
    config = load_config(home, {"RADAR_RETENTION_DAYS": "90"})
    radar = Radar(config, store, EmbeddedCache(home / "cache.db"), HashEmbedder())
    one, two = (
        worker_module.Worker(radar, BackgroundScheduler(timezone=UTC), now=clock, jitter=lambda: 0.0)
        for _ in range(2)
    )
    try:
        # While one worker holds the analysis lock, nobody purges.
        assert one.coordination.locks.acquire("analysis", one.coordination.holder, 30)
        assert not two.run_retention()
        one.coordination.locks.release("analysis", one.coordination.holder)
        assert two.run_retention()
        clock.advance(3600)
        assert not one.run_retention() and not two.run_retention()  # the same day: done
        clock.advance(86_400)
        assert one.run_retention()
        assert purges == [90, 90]
    finally:
        one.close()
        two.close()
