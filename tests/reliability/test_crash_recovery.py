"""Crashes and long outages: ``kill -9`` in the middle of collect, embed and analyse, then a rerun; the alert
webhook down for half a day.

Every kill is a real SIGKILL of a real ``radar`` process (the CLI as a user runs it), chosen by watching
the store through a read-only SQLite connection: the process is killed once it has written part of its
work, never at a fixed time. After the rerun the store is compared with what was served or stored: no
item lost or stored twice, one whole vector per item, no half-written analysis run shown anywhere. The
webhook outage runs the outbox's real delivery (:func:`radar.alerts.deliver.deliver_due`, the worker's
path) against a real local HTTP server, on a simulated clock so that twelve hours of retries take seconds.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
# Syllables for texts that read as distinct stories to the near-duplicate check (random words).
SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "go", "fu", "ze", "bi", "ho", "ja"]


# -- helpers: processes, the store, served feeds ------------------------------------------------------


def _env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: none of the caller's RADAR_* variables, this home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update({"RADAR_HOME": str(home), **extra})
    return env


def _start(home: Path, *args: str, **extra: str) -> subprocess.Popen[bytes]:
    """``radar ARGS`` in its own process group, output to files (a full pipe would stall it)."""
    log = home / f"radar-{args[0]}-{time.monotonic_ns()}.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "radar.cli", *args],
            cwd=REPO,
            env=_env(home, **extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _run(home: Path, *args: str, timeout: float = 240, **extra: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "radar.cli", *args],
        cwd=REPO,
        env=_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"radar {' '.join(args)} exited {result.returncode}: {result.stderr[-3000:]}"
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result


def _kill_when(
    proc: subprocess.Popen[bytes], ready: Callable[[], bool], what: str, timeout: float = 150
) -> float:
    """SIGKILL ``proc`` (its whole process group) as soon as ``ready()``; the seconds it ran."""
    started = time.monotonic()
    try:
        while not ready():
            if proc.poll() is not None:
                pytest.fail(f"the process exited ({proc.returncode}) before {what}: nothing to interrupt")
            if time.monotonic() - started > timeout:
                pytest.fail(f"no sign of {what} within {timeout:.0f} s")
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"expected a kill, the process exited {proc.returncode}"
    return time.monotonic() - started


def _query(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows from the store through a read-only connection (another process may be writing)."""
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # tables not created yet by the process starting up
        return []
    finally:
        conn.close()


def _count(db: Path, sql: str, *params: object) -> int:
    rows = _query(db, sql, *params)
    return int(rows[0][0]) if rows else 0


def _words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(n))


def _home(tmp_path: Path, settings: str = "") -> Path:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.toml").write_text(f"[radar]\n{settings}", encoding="utf-8")
    (home / "config" / "sources.toml").write_text("", encoding="utf-8")
    return home


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class FeedServer:
    """Serves ``/feed/N`` RSS documents slowly (0.3-1.2 s each), with an ETag; logs each request as it
    arrives: ``(feed, conditional)``, conditional when it carried the current ETag (answered 304)."""

    def __init__(self, feeds: dict[int, bytes]) -> None:
        self.feeds = feeds
        self.requests: list[tuple[int, bool]] = []
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                number = int(self.path.rsplit("/", 1)[-1])
                etag = f'"v1-{number}"'
                conditional = self.headers.get("If-None-Match") == etag
                state.requests.append((number, conditional))
                try:
                    if conditional:
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.end_headers()
                        return
                    time.sleep(0.3 + 0.3 * (number % 4))  # slow, so that the kill lands mid-collection
                    body = state.feeds[number]
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the killed client is gone

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _rss(number: int, stories: list[tuple[str, str, str, str, datetime]]) -> bytes:
    items = "".join(
        f'<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">{guid}</guid>'
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
        f"<description>{text}</description></item>"
        for title, link, guid, text, published in stories
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {number}</title>'
        f"<link>https://f{number:02d}.example.org/</link><description>test feed</description>{items}"
        "</channel></rss>"
    ).encode()


# -- 1. kill -9 during collect ------------------------------------------------------------------------

N_FEEDS = 40
PER_FEED = 12


def test_kill_during_collect_then_rerun_loses_and_duplicates_nothing(
    tmp_path: Path, reliability: Callable[..., None]
) -> None:
    rng = random.Random(11)
    now = datetime.now(UTC).replace(microsecond=0)
    shared = ("One story every feed carries", "https://shared.example.org/big-story", "", _words(rng, 30))
    feeds: dict[int, bytes] = {}
    expected: set[str] = {shared[1]}
    for number in range(N_FEEDS):
        stories = []
        for n in range(PER_FEED):
            link = f"https://f{number:02d}.example.org/story/{n}"
            expected.add(link)
            title = f"Feed {number} story {n}: {_words(rng, 5)}"
            stories.append(
                (title, link, f"f{number}-{n}", _words(rng, 30), now - timedelta(hours=n * 7 + number))
            )
        # The same story (same link) in every feed: stored once, under the first feed that brings it.
        stories.append((shared[0], shared[1], f"shared-{number}", shared[3], now - timedelta(hours=3)))
        feeds[number] = _rss(number, stories)

    home = _home(tmp_path)
    db = home / "radar.sqlite3"
    with FeedServer(feeds) as server:
        (home / "config" / "sources.toml").write_text(
            "".join(
                f'[[source]]\nname = "feed-{n:02d}"\nurl = "{server.url}/feed/{n}"\nallow_private = true\n\n'
                for n in range(N_FEEDS)
            ),
            encoding="utf-8",
        )
        proc = _start(home, "collect", "--json")
        # Killed once a quarter of the items are stored: some feeds done, some in flight, most not begun.
        ran_s = _kill_when(
            proc, lambda: _count(db, "SELECT count(*) FROM items") >= len(expected) // 4, "a quarter stored"
        )
        stored_at_kill = _count(db, "SELECT count(*) FROM items")
        recorded_at_kill = _count(db, "SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL")
        assert 0 < stored_at_kill < len(expected), "the kill did not land mid-collection"
        served_before = len(server.requests)

        started = time.monotonic()
        rerun = _run(home, "collect", "--json")
        rerun_s = time.monotonic() - started
        on_rerun = server.requests[served_before:]
        full_on_rerun = sum(not conditional for _, conditional in on_rerun)
        not_modified_on_rerun = sum(conditional for _, conditional in on_rerun)

    lines = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert len(lines) == N_FEEDS and all(line["error"] is None for line in lines), lines
    urls = [row[0] for row in _query(db, "SELECT url FROM items")]
    lost = expected - set(urls)
    duplicated = len(urls) - len(set(urls))
    assert not lost, f"{len(lost)} items lost, e.g. {sorted(lost)[:3]}"
    assert duplicated == 0 and len(urls) == len(expected), f"{duplicated} URLs stored twice"
    assert not set(urls) - expected, "items that were never served"
    assert (
        _query(db, "SELECT source, guid, count(*) FROM items GROUP BY source, guid HAVING count(*) > 1") == []
    )
    assert sum(line["new_items"] for line in lines) == len(expected) - stored_at_kill
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
    # Every source's state: a success recorded with the validator served, no error, a next due time.
    states = _query(
        db,
        "SELECT name, last_success_at, last_error, consecutive_errors, etag, next_due_at, items_total "
        "FROM sources ORDER BY name",
    )
    assert len(states) == N_FEEDS
    for name, success, error, streak, etag, due, _total in states:
        assert success and error is None and streak == 0 and due, (name, success, error, streak, due)
        assert etag == f'"v1-{int(name[-2:])}"', (name, etag)
    # The rerun asked conditionally for what was recorded before the kill, and fetched the rest in full.
    assert not_modified_on_rerun == recorded_at_kill
    assert full_on_rerun == N_FEEDS - recorded_at_kill
    per_source = dict(_query(db, "SELECT source, count(*) FROM items GROUP BY source"))
    # items_total is a counter bumped after the items' own transaction: a kill between the two leaves it
    # short (nothing reads it for decisions); it must never count an item that is not there.
    drift = sum(per_source.get(name, 0) - total for name, *_, total in states)
    assert all(total <= per_source.get(name, 0) for name, *_, total in states)
    reliability(
        "`radar collect` of 40 slow feeds (481 distinct items, one story in every feed) killed with SIGKILL "
        "once a quarter of the items were stored, then run again",
        f"killed after {ran_s:.1f} s with {stored_at_kill} items and {recorded_at_kill} feeds recorded; "
        f"the rerun took {rerun_s:.1f} s, got 304 for those {recorded_at_kill} feeds and refetched "
        f"{full_on_rerun}: "
        f"{len(urls)}/{len(expected)} items stored, 0 lost, 0 twice, every source's state a clean success",
        feeds=N_FEEDS,
        items_served=len(expected),
        items_at_kill=stored_at_kill,
        seconds_to_kill=round(ran_s, 2),
        rerun_seconds=round(rerun_s, 2),
        rerun_not_modified=not_modified_on_rerun,
        rerun_refetched=full_on_rerun,
        items_lost=len(lost),
        items_duplicated=duplicated,
        items_total_counter_drift=drift,
    )


# -- 2. kill -9 during embed --------------------------------------------------------------------------

ITEMS_TO_EMBED = 240


def test_kill_during_embed_then_rerun_gives_one_whole_vector_per_item(
    tmp_path: Path, reliability: Callable[..., None]
) -> None:
    from radar.importer import import_file
    from radar.settings import load_config
    from radar.store import open_store

    rng = random.Random(5)
    home = _home(tmp_path, "embedding_batch_size = 8\n")  # a commit every 32 items: many points to kill at
    db = home / "radar.sqlite3"
    day = datetime.now(UTC) - timedelta(days=3)
    corpus = tmp_path / "items.jsonl"
    corpus.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"e{n}",
                    "published_at": (day - timedelta(minutes=37 * n)).isoformat(),
                    "title": f"Story {n}: {_words(rng, 6)}",
                    "text": _words(rng, 24),
                    "source": f"s{n % 5}",
                }
            )
            + "\n"
            for n in range(ITEMS_TO_EMBED)
        ),
        encoding="utf-8",
    )
    store = open_store(load_config(home).settings.store_url)
    try:
        assert import_file(store, corpus)["new_items"] == ITEMS_TO_EMBED
    finally:
        store.close()
    to_embed = _count(db, "SELECT count(*) FROM items WHERE duplicate_of IS NULL")

    proc = _start(home, "embed")
    ran_s = _kill_when(proc, lambda: _count(db, "SELECT count(*) FROM embeddings") >= 64, "64 vectors stored")
    at_kill = _query(db, "SELECT model, dim, length(vector) FROM embeddings")
    assert 0 < len(at_kill) < to_embed, "the kill did not land mid-embedding"
    # No partial vector: every row written before the kill is whole.
    assert all(length == 4 * dim and dim > 0 for _, dim, length in at_kill)

    started = time.monotonic()
    rerun = _run(home, "embed")
    rerun_s = time.monotonic() - started
    model = at_kill[0][0]
    assert f"embedded {to_embed - len(at_kill)} items" in rerun.stdout, rerun.stdout

    rows = _query(db, "SELECT item_id, model, dim, vector FROM embeddings")
    per_item = Counter((item_id, row_model) for item_id, row_model, _, _ in rows)
    duplicated = sum(count - 1 for count in per_item.values())
    missing = _count(
        db,
        "SELECT count(*) FROM items i WHERE i.duplicate_of IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM embeddings e WHERE e.item_id = i.id AND e.model = ?)",
        model,
    )
    vectors = [np.frombuffer(blob, dtype=np.float32) for _, _, dim, blob in rows if len(blob) == 4 * dim]
    partial = len(rows) - len(vectors)
    assert {row_model for _, row_model, _, _ in rows} == {model}
    assert missing == 0 and duplicated == 0 and partial == 0, (missing, duplicated, partial)
    assert len(rows) == to_embed
    assert all(np.isfinite(v).all() and np.linalg.norm(v) > 0.5 for v in vectors)
    reliability(
        f"`radar embed` of {to_embed} items (a commit every 32) killed with SIGKILL after 64 vectors were "
        "stored, then run again",
        f"killed after {ran_s:.1f} s with {len(at_kill)} whole vectors stored; the rerun embedded the other "
        f"{to_embed - len(at_kill)} in {rerun_s:.1f} s: {len(rows)}/{to_embed} items with exactly one vector "
        f"of {model}, 0 missing, 0 twice, 0 partial",
        items=to_embed,
        vectors_at_kill=len(at_kill),
        seconds_to_kill=round(ran_s, 2),
        rerun_seconds=round(rerun_s, 2),
        vectors_missing=missing,
        vectors_duplicated=duplicated,
        vectors_partial=partial,
    )


# -- 3. kill -9 during analyse ------------------------------------------------------------------------


class Api:
    """The topics API under uvicorn in a thread, on the same home as the CLI processes."""

    def __init__(self, home: Path) -> None:
        from radar.api.app import create_app
        from radar.api.keys import create_key
        from radar.settings import load_config
        from radar.store import open_store

        config = load_config(home)
        store = open_store(config.settings.store_url)
        try:
            self.key, _ = create_key(store, "read", "reliability")
        finally:
            store.close()
        from radar.servers import ApiServer

        self.server = ApiServer(create_app(config), "127.0.0.1", _free_port()).start()

    def get(self, path: str) -> dict[str, Any]:
        response = httpx.get(
            f"{self.server.url}/api/v1{path}", headers={"Authorization": f"Bearer {self.key}"}, timeout=30
        )
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        body: dict[str, Any] = response.json()
        return body


def _visible(home: Path, api: Api) -> dict[str, Any]:
    """Which run every reader shows: the CLI, the API's topics and radar, and the store's own reads."""
    from radar.settings import load_config
    from radar.store import open_store

    cli = json.loads(_run(home, "topics", "--json", "--limit", "1000").stdout)
    topics = api.get("/topics?limit=1000")
    radar = api.get("/radar")
    store = open_store(load_config(home).settings.store_url)
    try:
        latest = store.latest_run("done")
        stored = store.topics()
    finally:
        store.close()
    return {
        "cli": cli["run_id"],
        "api_topics": topics["run_id"],
        "api_radar": radar["run_id"],
        "latest_done": latest.id if latest else None,
        "store_topics": sorted({topic.run_id for topic in stored}),
        "counts": (len(cli["topics"]), topics["count"], len(stored)),
    }


def _running(db: Path) -> list[int]:
    return [row[0] for row in _query(db, "SELECT id FROM runs WHERE status = 'running'")]


def test_kill_during_analysis_shows_no_half_written_run_and_the_rerun_completes(
    tmp_path: Path, reliability: Callable[..., None]
) -> None:
    from radar.collect import collect_sources
    from radar.demo.corpus import FEEDS_DIR
    from radar.demo.run import serve_feeds, write_demo_config
    from radar.settings import load_config
    from radar.store import open_store

    home = tmp_path / "home"
    db = home / "radar.sqlite3"
    with serve_feeds(FEEDS_DIR) as base_url:  # the bundled sample feeds: real topics to find
        write_demo_config(home, base_url)
        config = load_config(home)
        store = open_store(config.settings.store_url)
        try:
            items = collect_sources(store, config.settings, config.sources).new_items
            last_day = store.latest_published()
        finally:
            store.close()
    assert items > 500 and last_day is not None
    as_of = last_day.date().isoformat()

    # First analysis, killed while its run is being computed (embedding done, run row written).
    first = _start(home, "analyze", "--as-of", as_of)
    seen_running: list[float] = []

    def into_the_fit() -> bool:
        if not seen_running and _running(db):
            seen_running.append(time.monotonic())
        # 1.5 s after the run's row appears: well inside the fit, which takes tens of seconds.
        return bool(seen_running) and time.monotonic() - seen_running[0] >= 1.5

    killed_1_s = _kill_when(first, into_the_fit, "the first run being computed", timeout=240)
    half = _running(db)
    assert len(half) == 1
    run_1 = half[0]
    # Nothing of it was written but its row: the run's topics are committed in one transaction at the end.
    for table in ("topic_items", "topic_states", "topic_daily", "snapshots"):
        assert _count(db, f"SELECT count(*) FROM {table} WHERE run_id = ?", run_1) == 0, table
    api = Api(home)
    try:
        before = _visible(home, api)
        assert before == {
            "cli": None,
            "api_topics": None,
            "api_radar": None,
            "latest_done": None,
            "store_topics": [],
            "counts": (0, 0, 0),
        }, before

        started = time.monotonic()
        rerun = _run(home, "analyze", "--as-of", as_of, timeout=400)
        rerun_s = time.monotonic() - started
        done = _query(db, "SELECT id, n_topics, n_items FROM runs WHERE status = 'done'")
        assert len(done) == 1, (done, rerun.stdout)
        run_2, n_topics, n_items = done[0]
        # The killed run is closed as interrupted when the next analysis starts, not left "running".
        status_1, error_1 = _query(db, "SELECT status, error FROM runs WHERE id = ?", run_1)[0]
        assert status_1 == "failed" and "interrupted" in (error_1 or ""), (status_1, error_1)
        after = _visible(home, api)
        assert n_topics > 0
        assert after["cli"] == after["api_topics"] == after["api_radar"] == after["latest_done"] == run_2
        assert after["store_topics"] == [run_2]
        assert after["counts"] == (n_topics, n_topics, n_topics), (after, n_topics)
        # Memberships: each assigned item once, each topic known, its state stored, within the window.
        assigned = _query(
            db, "SELECT item_id, count(*) FROM topic_items WHERE run_id = ? GROUP BY item_id", run_2
        )
        assert assigned and all(count == 1 for _, count in assigned)
        assert len(assigned) <= n_items
        assert (
            _count(
                db,
                "SELECT count(*) FROM topic_items ti LEFT JOIN topics t ON t.id = ti.topic_id "
                "LEFT JOIN items i ON i.id = ti.item_id "
                "WHERE ti.run_id = ? AND (t.id IS NULL OR i.id IS NULL)",
                run_2,
            )
            == 0
        )
        assert _count(db, "SELECT count(*) FROM topic_states WHERE run_id = ?", run_2) == n_topics

        # A second kill, now that a finished run exists: the readers keep showing the finished one.
        second = _start(
            home, "analyze", "--as-of", (date.fromisoformat(as_of) - timedelta(days=1)).isoformat()
        )
        killed_3_s = _kill_when(second, lambda: len(_running(db)) == 1, "the next run being computed")
        run_3 = _running(db)[0]
        while_half = _visible(home, api)
    finally:
        api.server.stop()
    assert while_half["cli"] == while_half["api_topics"] == while_half["api_radar"] == run_2, while_half
    assert while_half["latest_done"] == run_2 and while_half["store_topics"] == [run_2]
    assert while_half["counts"] == (n_topics, n_topics, n_topics)
    reliability(
        "`radar analyze` (549 demo items) killed with SIGKILL while computing its run, then run again; "
        "killed again once a finished run existed",
        f"first kill after {killed_1_s:.0f} s: run {run_1} left 'running' with no topic, membership or "
        f"snapshot row; CLI, API /topics and /radar and the store showed no run. The rerun ({rerun_s:.0f} s) "
        f"marked run {run_1} failed ('interrupted') and stored run {run_2}: {n_topics} topics over {n_items} "
        f"items, each assigned item in one topic, seen alike by the CLI, API and store. Second kill (run "
        f"{run_3}): every reader still showed run {run_2}",
        seconds_to_first_kill=round(killed_1_s, 1),
        seconds_to_second_kill=round(killed_3_s, 1),
        rerun_seconds=round(rerun_s, 1),
        topics=n_topics,
        items_in_window=n_items,
        items_assigned=len(assigned),
        half_written_runs_shown=0,
        stale_running_runs_after_rerun=0,
    )


def test_a_running_run_whose_process_lives_is_not_marked_interrupted(
    store: Any, reliability: Callable[..., None]
) -> None:
    from radar.analysis.run import close_interrupted_runs

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        host = socket.gethostname()
        now = datetime.now(UTC)
        alive = store.start_run(as_of=now, window_days=7, model="m", owner=f"{host}:{sleeper.pid}")
        elsewhere = store.start_run(as_of=now, window_days=7, model="m", owner="another-host:1")
        unowned = store.start_run(as_of=now, window_days=7, model="m")
        mine = store.start_run(as_of=now, window_days=7, model="m", owner=f"{host}:{os.getpid()}")
        assert close_interrupted_runs(store, now) == []
        sleeper.kill()
        sleeper.wait()
        closed_on_death = close_interrupted_runs(store, now)
        # A run on another host, or of a process we cannot name, is closed only once its lease is over.
        closed_late = close_interrupted_runs(store, now + timedelta(hours=7))
        left = store.unfinished_runs()
        # A run that ended is never reopened nor re-closed.
        assert store.fail_run(alive, "again") is False
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
            sleeper.wait()
    assert closed_on_death == [alive]
    assert sorted(closed_late) == sorted([elsewhere, unowned, mine])
    assert left == []
    from sqlalchemy import func, select

    from radar.store import schema

    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.runs.c.status, schema.runs.c.error)).all()
        leases = conn.execute(
            select(func.count()).where(schema.leases.c.name.startswith("run:"))
        ).scalar_one()
    assert {tuple(row) for row in rows} == {("failed", "interrupted (process ended before finishing)")}
    assert leases == 0
    reliability(
        f"analysis runs left 'running' ({store.backend}): one whose process lives, then is killed; one of "
        "another host; one without an owner; one of the calling process",
        "left alone while their owners could still be computing; the one whose process died closed as "
        "interrupted at once; the others only once older than the 6 h run lease; their owner records removed",
        runs_wrongly_closed=0,
        runs_closed_on_death=len(closed_on_death),
        runs_closed_after_lease=len(closed_late),
    )


# -- 4. the alert webhook down for hours --------------------------------------------------------------


class Webhook:
    """A JSON webhook receiver: 503 while ``down()`` says so, 200 otherwise; stoppable and restartable on
    its port (refused connections in between). Records every body and answer."""

    def __init__(self, down: Callable[[], bool]) -> None:
        self.down = down
        self.received: list[tuple[dict[str, Any], int]] = []
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        state = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 503 if state.down() else 200
                state.received.append((body, status))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def test_webhook_down_for_twelve_hours_then_back_delivers_every_alert_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reliability: Callable[..., None]
) -> None:
    from radar.alerts.deliver import deliver_due
    from radar.alerts.rules import AlertIntent
    from radar.alerts.service import notifiers, retry_policy
    from radar.settings import load_config, parse_duration
    from radar.store import open_store

    start = datetime.now(UTC).replace(microsecond=0)
    clock = [start]
    down_503 = start + timedelta(hours=6)  # 503 for six hours, then connections refused for six more
    outage_end = start + timedelta(hours=12)
    hook = Webhook(down=lambda: clock[0] < outage_end)
    hook.start()
    monkeypatch.setenv("RADAR_FETCH_ALLOW_PRIVATE", "true")  # the destination is on loopback
    home = _home(tmp_path)
    # The product's defaults for retries (no retry key set): only the destination is configured.
    (home / "config" / "alerts.toml").write_text(
        f'enabled = true\n\n[[destination]]\nname = "ops"\nkind = "webhook"\nurl = "{hook.url}"\n',
        encoding="utf-8",
    )
    config = load_config(home)
    policy = retry_policy(config.alerts)
    senders = notifiers(config)
    store = open_store(config.settings.store_url)
    # Alerts recorded all through the outage, as analysis runs would: five runs of three transitions.
    batches = {start + timedelta(hours=h): run for run, h in enumerate((0, 1.5, 4, 7, 10.5), start=1)}
    queued: list[str] = []
    tick = timedelta(seconds=15)  # the worker's delivery job runs every 15 s
    try:
        while True:
            now = clock[0]
            for at, run in list(batches.items()):
                if at <= now:
                    intents = [
                        AlertIntent(
                            dedupe_key=f"t{run}{i}:weak->emerging:{run}",
                            rule="rising",
                            kind="state",
                            title=f"Topic {run}.{i}: weak → emerging",
                            topic_id=f"t{run}{i}",
                            facts={"label": f"Topic {run}.{i}", "from": "weak", "to": "emerging", "items": 9},
                        )
                        for i in range(3)
                    ]
                    store.enqueue_alerts(intents, ["ops"], now)
                    queued += [intent.dedupe_key for intent in intents]
                    del batches[at]
            if down_503 <= now < outage_end and hook.server is not None:
                hook.stop()  # the receiver's host is gone: connections refused
            elif now >= outage_end and hook.server is None:
                hook.start()
            deliver_due(
                store, senders, policy, holder="w1", now=lambda: clock[0], timeout_s=parse_duration("10s")
            )
            rows = store.alert_rows(limit=1000)
            waiting = [row for row in rows if row.status in ("pending", "sending")]
            if not batches and not waiting:
                break
            assert now < outage_end + timedelta(hours=6), "alerts still waiting six hours after recovery"
            events = [row.next_attempt_at for row in waiting if row.next_attempt_at] + list(batches)
            events += [moment for moment in (down_503, outage_end) if moment > now]
            clock[0] = max(min(events), now + tick)
    finally:
        hook.stop()
        store.close()

    delivered = [body["dedupe_key"] for body, status in hook.received if status == 200]
    counts = Counter(delivered)
    lost = [key for key in queued if counts[key] == 0]
    duplicates = sum(count - 1 for count in counts.values())
    statuses = Counter(row.status for row in rows)
    attempts = sum(row.attempts for row in rows)
    last_sent = max(row.sent_at for row in rows if row.sent_at)
    in_order = delivered == queued
    assert not lost, f"{len(lost)} of {len(queued)} alerts never delivered; statuses {dict(statuses)}"
    assert duplicates == 0, counts.most_common(3)
    assert statuses == Counter({"sent": len(queued)})
    assert all(row.sent_at and row.sent_at >= outage_end for row in rows)
    give_up_s = sum(policy.wait(n, None) for n in range(1, policy.max_attempts))
    reliability(
        "alert webhook answering 503 for 6 h then refusing connections for 6 h while 15 alerts were recorded "
        "(5 runs), then back; default retry policy, simulated clock, real HTTP",
        f"{len(queued)}/{len(queued)} alerts delivered once each within "
        f"{(last_sent - outage_end).total_seconds() / 60:.0f} min of recovery after {attempts} attempts "
        f"(503s and refused connections); 0 lost, {duplicates} duplicates; "
        f"{'in' if in_order else 'not in'} recording order (no order is promised). A row now gives up after "
        f"{give_up_s / 3600:.0f} h of failures",
        alerts_queued=len(queued),
        attempts=attempts,
        delivered=len(delivered),
        duplicates=duplicates,
        alerts_lost=len(lost),
        outage_hours=12,
        minutes_to_deliver_after_recovery=round((last_sent - outage_end).total_seconds() / 60, 1),
        delivered_in_recording_order=in_order,
        give_up_after_hours=round(give_up_s / 3600, 1),
    )
