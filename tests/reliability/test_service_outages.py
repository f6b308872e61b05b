"""Service outages: Redis stopped under the API, PostgreSQL restarted under a collection, the SQLite file
locked by another writer, the store's disk full.

Each outage is real: a private ``redis-server`` terminated and started again, a private PostgreSQL cluster
restarted with ``pg_ctl``, a second SQLite connection holding the write lock, a tmpfs filled up. The
product runs as users run it (uvicorn on loopback, ``radar collect`` in a new process against local feed
servers), and each test measures what it served, lost or duplicated.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from radar.api.app import create_app
from radar.backup import backup as backup_store
from radar.bootstrap import make_coordination
from radar.errors import StoreError
from radar.servers import ApiServer
from radar.store import open_store
from radar.worker import Worker
from tests.api_seed import BRAND, Keys, make_test_radar, seed
from tests.conftest import run_cli, utc
from tests.hostile_server import FeedServer, Route
from tests.reliability.private_services import (
    free_port,
    private_postgres,
    private_redis,
    tmpfs,
)

Record = Callable[..., None]  # the `reliability` fixture
ENDPOINTS = ("/api/v1/radar", "/api/v1/topics", "/api/v1/deltas")


def _traceback_free(output: str) -> None:
    assert "Traceback (most recent call last)" not in output, output[-3000:]


# -- 1. Redis stopped during a run, then restarted --------------------------------------------------------


def test_redis_stopped_and_restarted_under_the_api(
    home: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, reliability: Record
) -> None:
    (home / "config" / "brand.toml").write_text(BRAND, encoding="utf-8")
    with private_redis(tmp_path) as server:
        # The rate limiter on, so that every request also counts itself in Redis.
        env = {
            "RADAR_REDIS_URL": server.url,
            "RADAR_API_RATE_LIMIT": "100000",
            "RADAR_WORKER_EMBEDDING": "false",
        }
        radar = make_test_radar(home, env)
        seed(radar)
        keys = Keys(radar)
        # A worker beside the API, with its analysis lock in the same Redis.
        worker = Worker(radar, None, coordination=make_coordination(radar))
        analyses: list[float] = []
        analysis_job = worker._guarded(
            "analysis", lambda: worker._once_per_slot("analysis", 3600, lambda: analyses.append(1.0))
        )
        prefix = radar.settings.redis_prefix
        snapshot_key = f"{prefix}v2:snapshot:maison"
        api = ApiServer(create_app(radar=radar), "127.0.0.1", free_port()).start()
        client = httpx.Client(base_url=api.url, headers=Keys.auth(keys.read), timeout=30)
        try:
            before = {path: client.get(path) for path in ENDPOINTS}
            assert all(r.status_code == 200 for r in before.values()), {p: r.text for p, r in before.items()}
            # (Only the JSON-model routes carry the RateLimit headers; /radar and /deltas return raw bytes.)
            assert "RateLimit-Limit" in before["/api/v1/topics"].headers
            direct = redis.Redis.from_url(server.url)
            assert direct.exists(snapshot_key), "the snapshot was not cached in Redis while it was up"

            # Stop Redis between two requests of a client polling the API.
            server.stop()
            statuses: list[int] = []
            limited = 0
            started = time.monotonic()
            for _ in range(10):
                for path in ENDPOINTS:
                    response = client.get(path)
                    statuses.append(response.status_code)
                    if response.status_code == 200:
                        # The same documents as before the outage, read from the store.
                        assert response.json() == before[path].json(), path
                    limited += "RateLimit-Limit" in response.headers
            outage_s = time.monotonic() - started
            errors = sum(status != 200 for status in statuses)
            assert errors == 0, statuses
            # Fail-open rate limit (radar.api.deps.rate_limit): not counted while Redis is down...
            assert limited == 0
            # ...but keys still are checked: they live in the store, not in the cache.
            assert client.get(ENDPOINTS[0], headers=Keys.auth("vk_not_a_key")).status_code == 401
            health = client.get("/health").json()
            assert health["store"] == "ok" and health["cache"] == "unavailable", health
            # Fail-closed analysis lock (Worker._once_per_slot): the slot is skipped and logged, no crash.
            with caplog.at_level(logging.ERROR, logger="radar.worker"):
                analysis_job()
            assert analyses == [] and "analysis failed: redis lock" in caplog.text, caplog.text

            # Restart it, empty (no persistence): the next reads rebuild the cache.
            server.start()
            restarted = time.monotonic()
            while not direct.exists(snapshot_key):
                assert client.get("/api/v1/radar").status_code == 200
                assert time.monotonic() - restarted < 15, "the cache was not rebuilt after Redis came back"
                time.sleep(0.05)
            reconnect_s = time.monotonic() - restarted
            after = client.get("/api/v1/radar")
            assert after.status_code == 200 and after.json() == before["/api/v1/radar"].json()
            assert "RateLimit-Limit" in client.get("/api/v1/topics").headers  # counting again
            assert client.get("/health").json()["cache"] == "ok"
            analysis_job()
            assert analyses == [1.0], "the analysis lock was not taken again after Redis came back"
        finally:
            client.close()
            api.stop()
            worker.close()
            radar.close()
    reliability(
        "Redis stopped under the API (3 endpoints polled), then restarted empty",
        f"{len(statuses)}/{len(statuses)} requests answered 200 from the store while Redis was down "
        "(same documents; rate limit not counted, keys still checked); the snapshot was cached again "
        "on the first read after the restart; the worker's analysis slot was skipped while the Redis lock "
        "was unreachable (fail-closed) and ran once it was back",
        requests_during_outage=len(statuses),
        errors=errors,
        outage_mean_latency_ms=round(1000 * outage_s / len(statuses), 1),
        seconds_to_reconnect=round(reconnect_s, 3),
    )


# -- 2. PostgreSQL restarted during a collection -------------------------------------------------------

RSS = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
    "<link>https://{name}.example/</link>{items}</channel></rss>"
)
ITEM = (
    "<item><title>{name} story {n}: {title}</title><link>https://{name}.example/story/{n}</link>"
    "<guid>{name}-{n}</guid><description>{words}</description><pubDate>{date}</pubDate></item>"
)
VOCABULARY = (
    "thrift vinyl matcha repair bicycle garden ferment sourdough knitting pottery solar commons tram "
    "library choir chess tarot sauna mushrooms birding kayak climbing zine darkroom synth"
).split()


def _feed(name: str, count: int, text_words: int = 6) -> bytes:
    """An RSS feed of ``count`` items with distinct URLs, guids and wording (no near-duplicates), each
    with a description of about ``text_words`` words."""
    when = format_datetime(utc(2026, 11, 2, 10))
    items = []
    for n in range(count):
        pick = random.Random(f"{name}-{n}")
        words = [f"{pick.choice(VOCABULARY)}{pick.randrange(10_000)}" for _ in range(text_words)]
        items.append(ITEM.format(name=name, n=n, date=when, title=" ".join(words[:6]), words=" ".join(words)))
    return RSS.format(name=name, items="".join(items)).encode()


def _slow(body: bytes, delay_s: float) -> Route:
    """A feed sent in two halves ``delay_s`` apart, with an ETag (so a rerun may be answered 304)."""

    def chunks() -> Iterator[bytes]:
        yield body[: len(body) // 2]
        time.sleep(delay_s)
        yield body[len(body) // 2 :]

    return Route(chunks, headers={"Content-Type": "application/rss+xml"}, etag=f'"{hash(body) & 0xFFFFFF:x}"')


def _serve_feeds(
    server: FeedServer, home: Path, feeds: int, per_feed: int, delay_s: float, text_words: int = 6
) -> set[str]:
    """``feeds`` slow feeds configured as sources in ``home``; returns every item URL served."""
    served: set[str] = set()
    config = []
    for k in range(feeds):
        name = f"feed{k:02d}"
        url = server.route(f"/{name}.xml", _slow(_feed(name, per_feed, text_words), delay_s))
        served.update(f"https://{name}.example/story/{n}" for n in range(per_feed))
        config.append(f'[[source]]\nname = "{name}"\nurl = "{url}"\nallow_private = true\n')
    (home / "config" / "sources.toml").write_text("\n".join(config), encoding="utf-8")
    return served


def _collect(home: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    full_env.update(env, RADAR_HOME=str(home))
    return subprocess.Popen(
        [sys.executable, "-m", "radar.cli", "collect", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
    )


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def _pg_urls(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        return [str(row[0]) for row in conn.execute("SELECT url FROM items")]


def _lost_and_duplicated(served: set[str], stored: list[str]) -> tuple[int, int]:
    assert not set(stored) - served, "items that were never served"
    return len(served - set(stored)), len(stored) - len(set(stored))


def test_postgres_restarted_during_a_collection(home: Path, reliability: Record) -> None:
    feeds, per_feed = 24, 15
    with private_postgres() as pg, FeedServer() as server:
        served = _serve_feeds(server, home, feeds, per_feed, delay_s=0.4)
        env = {"RADAR_DATABASE_URL": pg.url, "RADAR_FETCH_CONCURRENCY": "4"}
        migrated = run_cli("stats", "--json", home=home, env=env)  # migrations before the clock starts
        assert migrated.returncode == 0, migrated.stderr
        started = time.monotonic()
        collect = _collect(home, env)
        try:
            # Let a few sources be stored, then restart PostgreSQL under the rest.
            while sum(server.hits.values()) < 6:
                assert collect.poll() is None, collect.communicate()
                assert time.monotonic() - started < 60, "the collection never started fetching"
                time.sleep(0.02)
            stopping = time.monotonic()
            pg.stop("fast")
            time.sleep(1.0)
            pg.start()
            down_s = time.monotonic() - stopping
            stdout, stderr = collect.communicate(timeout=120)
        finally:
            if collect.poll() is None:
                collect.kill()
                collect.wait()
        first_s = time.monotonic() - started
        _traceback_free(stdout + stderr)
        assert collect.returncode == 0, stderr
        first = _lines(stdout)
        assert sorted(line["source"] for line in first) == sorted(f"feed{k:02d}" for k in range(feeds))
        # Connections are retried while the server restarts (radar/store/engine.py): only a source whose
        # transaction was cut by the stop itself may fail, at most one per fetch thread.
        failed = [line for line in first if line["error"]]
        assert len(failed) <= 4, failed
        for line in failed:
            assert f"store (postgresql at 127.0.0.1:{pg.port}/vigie) failed" in line["error"], line
        stored_first = sum(int(line["new_items"]) for line in first)

        rerun = run_cli("collect", "--json", home=home, env=env)
        _traceback_free(rerun.stdout + rerun.stderr)
        assert rerun.returncode == 0, rerun.stderr
        second = _lines(rerun.stdout)
        assert not [line for line in second if line["error"]], second
        stored = _pg_urls(pg.url)
    lost, duplicated = _lost_and_duplicated(served, stored)
    assert (lost, duplicated) == (0, 0), (len(stored), len(served))
    reliability(
        "PostgreSQL restarted (pg_ctl -m fast) in the middle of `radar collect` of 24 slow feeds",
        f"no traceback, exit 0; new connections waited for the restart; {len(failed)} sources whose "
        f"transaction the stop cut reported failed naming the store, the others stored; a rerun stored the "
        f"rest: {len(set(stored))}/{len(served)} items, none lost or "
        "duplicated",
        items_served=len(served),
        sources_failed_during_restart=len(failed),
        items_stored_first_run=stored_first,
        items_lost=lost,
        items_duplicated=duplicated,
        postgres_down_seconds=round(down_s, 2),
        first_run_seconds=round(first_s, 1),
    )


# -- 3. The SQLite store locked by another writer -------------------------------------------------------


@contextmanager
def _write_lock(path: Path) -> Iterator[Callable[[], None]]:
    """Hold SQLite's write lock on ``path`` (``BEGIN IMMEDIATE``) from another connection, as a second
    process writing would. Yields the function that releases it (from any thread); released at the end
    of the block in any case."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    guard = threading.Lock()
    held = [True]

    def release() -> None:
        with guard:
            if held[0]:
                conn.execute("ROLLBACK")
                conn.close()
                held[0] = False

    try:
        yield release
    finally:
        release()


def _sqlite_urls(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [str(row[0]) for row in conn.execute("SELECT url FROM items")]


def _sqlite_counts(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as conn:
        rows, distinct = conn.execute("SELECT count(*), count(DISTINCT url) FROM items").fetchone()
    return int(rows), int(distinct)


def test_sqlite_store_locked_by_another_writer(home: Path, reliability: Record) -> None:
    db = home / "radar.sqlite3"
    with FeedServer() as server:
        served = _serve_feeds(server, home, feeds=4, per_feed=10, delay_s=0.0)
        # Half the feeds stored first: what is already there must survive the failed run.
        first = run_cli("collect", "--json", "--source", "feed00", "--source", "feed01", home=home)
        assert first.returncode == 0 and not [x for x in _lines(first.stdout) if x["error"]], first.stderr
        stored_before = _sqlite_counts(db)
        assert stored_before == (20, 20)

        # The other sources known to the store, as after a run that failed to fetch them: a run then
        # writes only once it has fetched (a new source's row is the run's first write, see (c)).
        store = open_store(f"sqlite:///{db}")
        store.sync_sources([(name, "feed", server.url(f"/{name}.xml")) for name in ("feed02", "feed03")])
        store.close()

        # (a) A lock shorter than the busy timeout (lowered to 5 s): released 2 s after the feed was
        # fetched, so while the run is writing its items; the write waits for it and succeeds.
        env = {"RADAR_STORE_BUSY_TIMEOUT_S": "5"}
        with _write_lock(db) as release:
            released_at: list[float] = []

            def release_later() -> None:
                while not server.hits["/feed02.xml"]:
                    time.sleep(0.01)
                time.sleep(2.0)
                released_at.append(time.monotonic())
                release()

            releaser = threading.Thread(target=release_later, daemon=True)
            releaser.start()
            waited = run_cli("collect", "--json", "--source", "feed02", home=home, env=env)
            finished = time.monotonic()
            releaser.join(timeout=10)
        _traceback_free(waited.stdout + waited.stderr)
        assert waited.returncode == 0, waited.stderr
        assert [(x["new_items"], x["error"]) for x in _lines(waited.stdout)] == [(10, None)]
        assert released_at and released_at[0] < finished  # it did wait for the release

        # (b) A lock held past the busy timeout (1 s), on a source the store already knows: that source
        # is reported failed, naming the store file and the lock; the run goes on and exits 0.
        env = {"RADAR_STORE_BUSY_TIMEOUT_S": "1"}
        stored_mid = _sqlite_counts(db)
        with _write_lock(db):
            started = time.monotonic()
            blocked = run_cli("collect", "--json", "--source", "feed03", home=home, env=env)
            blocked_s = time.monotonic() - started
            # (c) An ad-hoc feed the store does not know yet: registering it is the run's first write, so
            # the whole run stops there, exit 1, with the same message.
            server.route("/extra.xml", _slow(_feed("extra", 5), 0.0))
            stopped = run_cli("collect", "--url", server.url("/extra.xml"), home=home, env=env)
            during = _sqlite_counts(db)  # readers are not blocked by a writer (WAL)
        _traceback_free(blocked.stdout + blocked.stderr)
        assert blocked.returncode == 0, blocked.stderr
        (line,) = _lines(blocked.stdout)
        assert line["new_items"] == 0 and line["error"], line
        assert "database is locked" in line["error"] and f"sqlite file {db}" in line["error"], line["error"]
        _traceback_free(stopped.stdout + stopped.stderr)
        assert stopped.returncode == 1, stopped.stdout
        assert "database is locked" in stopped.stderr and f"sqlite file {db}" in stopped.stderr, (
            stopped.stderr
        )
        assert during == stored_mid == (30, 30)

        # Released: a rerun stores what the locked run could not.
        again = run_cli("collect", "--json", home=home)
        assert again.returncode == 0 and not [x for x in _lines(again.stdout) if x["error"]], again.stdout
        stored = _sqlite_urls(db)
    assert _lost_and_duplicated(served, stored) == (0, 0)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reliability(
        "SQLite store's write lock held by another connection during `radar collect`",
        "a 2 s lock under a 5 s busy timeout: the run waited and stored everything; a lock held past a 1 s "
        "timeout: a known source is reported failed, exit 0 (a new source: the run stops, exit 1), with "
        f"'{line['error'][line['error'].index('failed') :][:60]}...' naming the file; no traceback, nothing "
        "stored before lost; a rerun after release stored the rest",
        lock_after_fetch_s=2.0,
        write_finished_after_release_s=round(finished - released_at[0], 2),
        run_with_held_lock_seconds=round(blocked_s, 2),
        items_before=stored_mid[0],
        items_lost=stored_mid[0] - during[0],
        items_after_rerun=len(stored),
    )


# -- 4. The store's disk full ---------------------------------------------------------------------------


def test_store_disk_full_then_freed(home: Path, tmp_path: Path, reliability: Record) -> None:
    with tmpfs(tmp_path / "disk", "8m") as disk, FeedServer() as server:
        db = disk / "radar.sqlite3"
        env = {"RADAR_DATABASE_URL": f"sqlite:///{db}"}
        # About 2.5 MB of items (20 feeds of 25 items of ~5 KB each).
        served = _serve_feeds(server, home, feeds=20, per_feed=25, delay_s=0.0, text_words=400)
        migrated = run_cli("stats", "--json", home=home, env=env)  # the schema, before the disk fills
        assert migrated.returncode == 0, migrated.stderr
        # A filler file leaves 400 KB free: room for a few sources, not for all of them.
        filler = disk / "filler"
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        with filler.open("wb") as out:
            out.write(b"\0" * (free - 400_000))
        full = run_cli("collect", "--json", home=home, env=env)
        _traceback_free(full.stdout + full.stderr)
        assert full.returncode == 0, full.stderr
        first = _lines(full.stdout)
        failed = [line for line in first if line["error"]]
        stored_first = sum(int(line["new_items"]) for line in first)
        assert failed and stored_first, (stored_first, first)
        for line in failed:
            assert "disk is full" in line["error"] and f"sqlite file {db}" in line["error"], line["error"]
        # What was stored before the disk filled is all there, in a sound file.
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            kept = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        assert kept == stored_first

        # A backup onto the full disk: a clean failure that leaves no part file eating the space; a
        # backup into a path that cannot be a folder (an OSError before any copy): a StoreError too.
        backup = run_cli("backup", str(disk / "backup.sqlite3"), home=home, env=env)
        _traceback_free(backup.stdout + backup.stderr)
        assert backup.returncode == 1 and "disk is full" in backup.stderr, backup.stderr
        assert sorted(p.name for p in disk.iterdir() if "backup" in p.name) == []
        with pytest.raises(StoreError, match=f"cannot write the backup to {filler}/x"):
            backup_store(env["RADAR_DATABASE_URL"], filler / "x" / "backup.sqlite3")

        # Space freed (the filler deleted): a rerun stores the rest.
        filler.unlink()
        rerun = run_cli("collect", "--json", home=home, env=env)
        _traceback_free(rerun.stdout + rerun.stderr)
        assert rerun.returncode == 0 and not [x for x in _lines(rerun.stdout) if x["error"]], rerun.stdout
        stored_second = sum(int(line["new_items"]) for line in _lines(rerun.stdout))
        stored = _sqlite_urls(db)
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    lost, duplicated = _lost_and_duplicated(served, stored)
    assert (lost, duplicated) == (0, 0)
    assert stored_first + stored_second == len(served)
    reliability(
        "The store's disk full during `radar collect` (SQLite on a tmpfs with 400 KB left), then freed",
        f"{len(failed)}/{len(first)} sources reported failed with '{failed[0]['error'].rsplit(': ', 1)[-1]}' "
        "naming the store file, exit 0, no traceback; the items stored before the disk filled were intact "
        "(integrity_check ok); `radar backup` onto the full disk failed cleanly (exit 1) leaving no part "
        "file; after freeing space a rerun stored the rest, none lost or duplicated",
        items_served=len(served),
        items_stored_before_full=stored_first,
        sources_failed=len(failed),
        items_lost=lost,
        items_duplicated=duplicated,
    )
