"""The API under a steady 200 requests a second for a minute while a collection writes to the same store.

Real parts only: `radar serve --workers 2` (uvicorn, the embedded SQLite store in WAL mode and the embedded
cache file, rate limit on) over a seeded store of a few hundred topics; a resident collector (Radar.collect,
what `radar collect` and the worker run) collecting again and again in a subprocess from a local feed server
whose every fetch brings new items; and an open-loop load generator in this process (a request is due every
5 ms whatever the answers before it, and its latency counts from when it was due, so a stall is measured
rather than hidden: no coordinated omission). The client is a small raw HTTP/1.1 one on kept-alive
connections, as in bench/api_load.py, so that its own cost stays far below the server's.

CPU budget: about 5 ms of server CPU a request (1 core at 200 requests/s), a quarter of a core for the
collector and a tenth for the generator: the test needs most of 2 idle cores, as CI's bounded step gives it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from bench.api_load import exchange
from radar.config_files import default_config_text
from radar.servers import wait_until_up

RATE = 200.0  # requests per second
SECONDS = 60.0
FEEDS = 16
ITEMS_PER_FETCH = 25
TOPICS = 300
ITEMS_PER_TOPIC = 10
DIM = 384  # all-MiniLM-L6-v2, the configured model, which /search embeds its query with
STATES = ["emerging", "weak", "mainstream", "fading", "spike", "noise"]
WORDS = (
    "repair thrift vinyl matcha sourdough cycling commute garden balcony solar kimchi ferment knit crochet "
    "pottery upcycle denim sneaker resale tiny house vanlife coworking four day week quiet quitting burnout "
    "loneliness sober curious mocktail padel pickleball running club library silence retreat birdwatching "
    "foraging mushroom rewilding heat pump insulation cargo bike tram night train slow travel"
).split()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- a feed server whose every fetch brings new items -------------------------------------------------


class _Feeds(BaseHTTPRequestHandler):
    counter = itertools.count()
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        rng = random.Random()
        now = format_datetime(datetime.now(UTC))
        host = f"http://{self.headers['Host']}"
        with self.lock:
            numbers = [next(self.counter) for _ in range(ITEMS_PER_FETCH)]
        entries = "".join(
            f"<item><title>{' '.join(rng.choices(WORDS, k=8))} {n}</title>"
            f"<link>{host}{self.path}/{n}</link><guid>{host}/guid/{n}</guid><pubDate>{now}</pubDate>"
            f"<description>{' '.join(rng.choices(WORDS, k=40))}</description></item>"
            for n in numbers
        )
        body = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {self.path}</title>'
            f"<link>{host}/</link><description>load</description>{entries}</channel></rss>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's signature)
        return


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# -- the seeded store ----------------------------------------------------------------------------------


def _seed(home: Path) -> list[str]:
    """Two finished runs of TOPICS topics (items, 384-dimension embeddings of the configured model's name,
    states, daily counts); returns the topic ids."""
    from radar.domain import Item
    from radar.embedding import DEFAULT_MODEL
    from radar.store import AnalysisResult, TopicRecord, open_store

    store = open_store(f"sqlite:///{home / 'radar.sqlite3'}")
    rng = np.random.default_rng(5)
    words = random.Random(5)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        store.sync_sources([("seed-news", "feed", "https://seed.example/feed")])
        items, vectors, members = [], [], {}
        ids = [f"lt{k:04d}" for k in range(TOPICS)]
        centroids = rng.normal(size=(TOPICS, DIM)).astype(np.float32)
        for k, topic_id in enumerate(ids):
            for j in range(ITEMS_PER_TOPIC):
                item_id = f"{topic_id}-{j}"
                items.append(
                    Item(
                        id=item_id,
                        source="seed-news",
                        url=f"https://seed.example/{item_id}",
                        title=" ".join(words.choices(WORDS, k=8)) + f" {item_id}",
                        text=" ".join(words.choices(WORDS, k=30)),
                        published_at=now - timedelta(days=j + k % 7, hours=k % 24),
                        fetched_at=now,
                        lang="en" if k % 3 else "fr",
                    )
                )
                vector = centroids[k] + rng.normal(scale=0.3, size=DIM).astype(np.float32)
                vectors.append((item_id, vector / np.linalg.norm(vector)))
                members.setdefault(topic_id, []).append(item_id)
        store.add_items(items)
        store.save_embeddings(DEFAULT_MODEL, vectors)
        for run_number in (1, 2):
            run = store.start_run(
                as_of=now - timedelta(days=2 - run_number), window_days=42, model=DEFAULT_MODEL
            )
            topics = []
            for k, topic_id in enumerate(ids):
                state = STATES[(k + run_number) % len(STATES)]
                growth = round(0.2 + (k % 17) / 4, 2)
                topics.append(
                    TopicRecord(
                        id=topic_id,
                        label=" ".join(words.choices(WORDS, k=3)),
                        keywords=words.sample(WORDS, 5),
                        size=ITEMS_PER_TOPIC,
                        first_seen=(now - timedelta(days=20 + k % 10)).date(),
                        last_seen=now.date(),
                        growth=growth,
                        centroid=centroids[k] / np.linalg.norm(centroids[k]),
                        daily={(now - timedelta(days=d)).date(): 1 + (k + d) % 3 for d in range(14)},
                        state=state,
                        previous_state=STATES[(k + run_number - 1) % len(STATES)],
                        score=growth / 5,
                        evidence={
                            "rule": f"{state}: seeded",
                            "measures": {"growth": growth, "novelty": (k % 10) / 10},
                            "sources": {"seed-news": ITEMS_PER_TOPIC},
                            "langs": {"en" if k % 3 else "fr": ITEMS_PER_TOPIC},
                        },
                    )
                )
            assignments = [(i, t, 0.9) for t, ids_ in members.items() for i in ids_]
            store.finish_run(run, AnalysisResult(topics=topics, assignments=assignments, n_items=len(items)))
    finally:
        store.close()
    return ids


def _items(home: Path) -> int:
    with sqlite3.connect(f"file:{home / 'radar.sqlite3'}?mode=ro", uri=True, timeout=30) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM items").fetchone()[0])


# -- collection, again and again -----------------------------------------------------------------------

# A resident collector, as the worker is: the radar wired once, then every enabled source collected through
# Radar.collect (what `radar collect` and the worker's jobs run) every PERIOD_S seconds, one JSON line a run,
# until the stop file appears. Started afresh for each run, `radar collect` spent most of its 2 s of CPU
# importing and opening the store, which is not what a deployment pays.
COLLECTOR = """
import json, sys, time
from pathlib import Path
from radar.bootstrap import make_radar
period, stop = float(sys.argv[1]), Path(sys.argv[2])
radar = make_radar()
try:
    while not stop.exists():
        started = time.time()
        report = radar.collect()
        print(json.dumps({"started": started, "seconds": time.time() - started,
                          "new_items": report.new_items, "sources": len(report.outcomes),
                          "errors": [o.error for o in report.failed]}), flush=True)
        time.sleep(max(0.0, period - (time.time() - started)))
finally:
    radar.close()
"""
PERIOD_S = 5.0
# One uvicorn process serves about 180 requests/s of this mix (about 5.5 ms of CPU each on our 2 cores):
# 200 a second need the second core.
WORKERS = 2


@dataclass
class Collector:
    env: dict[str, str]
    folder: Path
    process: subprocess.Popen[str] | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)

    def start(self) -> None:
        with (self.folder / "collector.log").open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", COLLECTOR, str(PERIOD_S), str(self.folder / "stop")],
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.runs.append(json.loads(line))

    def stop(self) -> str:
        """Stop after the run in progress; returns the collector's log (warnings, tracebacks)."""
        (self.folder / "stop").touch()
        if self.process is not None:
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            assert self.process.stdout is not None
            self.process.stdout.close()
        return (self.folder / "collector.log").read_text(errors="replace")


# -- the open-loop load generator ----------------------------------------------------------------------


async def _load(port: int, mix: list[tuple[str, bytes]], rate: float, seconds: float) -> dict[str, Any]:
    total = int(rate * seconds)
    due: asyncio.Queue[tuple[float, int]] = asyncio.Queue()
    latencies: dict[str, list[float]] = {}
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    last_done = 0.0

    async def worker() -> None:
        nonlocal last_done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                at, k = await due.get()
                kind, raw = mix[k % len(mix)]
                try:
                    status = await exchange(reader, writer, raw)
                    statuses[f"{kind} {status}"] += 1
                    if status not in (200, 304):
                        failures.append(f"{kind}: {status}")
                except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    failures.append(f"{kind}: {type(exc).__name__} {exc}")
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                last_done = time.perf_counter()
                latencies.setdefault(kind, []).append(last_done - at)
                due.task_done()
        finally:
            writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(48)]
    await asyncio.sleep(0.5)  # connections open before the clock starts
    start = time.perf_counter()
    for k in range(total):
        at = start + k / rate
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        due.put_nowait((at, k))
    await due.join()
    for task in workers:
        task.cancel()
    await asyncio.gather(*workers, return_exceptions=True)
    every = np.asarray([x for values in latencies.values() for x in values]) * 1000
    return {
        "requests": total,
        "seconds": last_done - start,
        "achieved_rps": total / (last_done - start),
        "errors": len(failures),
        "failures": failures[:20],
        "statuses": dict(statuses),
        "p50_ms": float(np.percentile(every, 50)),
        "p95_ms": float(np.percentile(every, 95)),
        "p99_ms": float(np.percentile(every, 99)),
        "max_ms": float(every.max()),
        "p99_ms_by_kind": {
            kind: float(np.percentile(np.asarray(v) * 1000, 99)) for kind, v in latencies.items()
        },
    }


def _mix(port: int, key: str, topic_ids: list[str], etag: str) -> list[tuple[str, bytes]]:
    """A morning's reading, weighted: the radar (a third answered 304 from its ETag), filtered topic
    lists, topic pages and timelines, deltas, and a search now and then. Shuffled, then cycled."""
    rng = random.Random(11)

    def raw(path: str, *extra: str) -> bytes:
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", f"Authorization: Bearer {key}", *extra]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    lists = [
        "/api/v1/topics?state=emerging&state=weak&sort=momentum&limit=50",
        "/api/v1/topics?lang=fr&source_kind=feed&limit=20",
        f"/api/v1/topics?q={WORDS[3]}&sort=novelty&order=asc",
        "/api/v1/topics?since=2020-01-01&sort=size&limit=100",
        "/api/v1/topics?stance=opportunity&limit=25",
    ]
    mix: list[tuple[str, bytes]] = []
    for n in range(100):  # per 50 requests:
        mix += [("radar", raw("/api/v1/radar", "Accept-Encoding: gzip"))] * 10
        mix += [("radar 304", raw("/api/v1/radar", f"If-None-Match: {etag}"))] * 6
        mix += [("deltas", raw("/api/v1/deltas"))] * 6
        mix += [("topics list", raw(lists[(n + j) % len(lists)])) for j in range(12)]
        mix += [("topic detail", raw(f"/api/v1/topics/{rng.choice(topic_ids)}")) for _ in range(8)]
        mix += [("timeline", raw(f"/api/v1/topics/{rng.choice(topic_ids)}/timeline")) for _ in range(4)]
        mix += [("profiles", raw("/api/v1/profiles"))] * 2
        mix += [("search", raw(f"/api/v1/search?q={'+'.join(rng.sample(WORDS, 3))}&topics=5&items=5"))] * 2
    rng.shuffle(mix)
    return mix


@pytest.fixture(scope="module")
def load_home(tmp_path_factory: pytest.TempPathFactory, feed_server: str) -> Path:
    home = tmp_path_factory.mktemp("load") / "home"
    config = home / "config"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text("[radar]\n", encoding="utf-8")
    (config / "brand.toml").write_text(default_config_text("brand.toml"), encoding="utf-8")
    sources = "".join(
        f'[[source]]\nname = "load-{n:02d}"\nkind = "feed"\nurl = "{feed_server}/feed/{n}"\n'
        "allow_private = true\n\n"
        for n in range(FEEDS)
    )
    (config / "sources.toml").write_text(sources, encoding="utf-8")
    return home


def _cpu_s(pid: int) -> float:
    """CPU seconds used by ``pid`` and its live children (uvicorn's workers)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(_cpu_s(int(child)) for child in children)


def _cpu_idle_share(seconds: float) -> float:
    """Share of the machine's CPU time that was idle over the next ``seconds`` (from /proc/stat)."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, total

    idle0, total0 = sample()
    time.sleep(seconds)
    idle1, total1 = sample()
    return (idle1 - idle0) / max(1, total1 - total0)


def _wait_for_quiet_cores(limit_s: float = 60.0) -> float:
    """Wait (at most ``limit_s``) until the cores are at least 70% idle over a second, with the server up
    and the collector between runs; return the idle share seen last."""
    deadline = time.monotonic() + limit_s
    idle = _cpu_idle_share(1.0)
    while idle < 0.7 and time.monotonic() < deadline:
        idle = _cpu_idle_share(1.0)
    return idle


def test_api_under_load_while_collecting(load_home: Path, reliability: Any) -> None:
    home = load_home
    topic_ids = _seed(home)
    env = {key: value for key, value in os.environ.items() if not key.startswith("RADAR_")}
    # The rate limit stays on (counted on every request, in the embedded cache file), set high enough that
    # 200 requests a second from one key are within it.
    env.update(RADAR_HOME=str(home), RADAR_API_RATE_LIMIT="1000000")
    made = subprocess.run(
        [sys.executable, "-m", "radar.cli", "keys", "create", "--scope", "read", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = json.loads(made.stdout)["key"]
    port = _free_port()
    log = home.parent / "serve.log"
    collector = Collector(env, home.parent)
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "radar.cli", "serve", "--port", str(port), "--workers", str(WORKERS)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/health", 60)
        auth = {"Authorization": f"Bearer {key}"}
        # Warm-up, as after any deploy: the first radar computes and caches the brand placement (loading the
        # embedding model), the first search embeds a query, the first list indexes the run.
        first = httpx.get(f"{url}/api/v1/radar", headers=auth, timeout=300)
        assert first.status_code == 200, first.text
        paths = ["/api/v1/search?q=repair", "/api/v1/topics", "/api/v1/deltas", "/api/v1/radar"]
        with ThreadPoolExecutor(8) as pool:  # on fresh connections, so that every worker gets some
            warm = list(pool.map(lambda path: httpx.get(url + path, headers=auth, timeout=300), paths * 6))
        assert all(answer.status_code == 200 for answer in warm)
        collector.start()
        while not collector.runs:  # one whole collection first: the window then sees a steady writer
            assert collector.process is not None and collector.process.poll() is None, collector.stop()
            time.sleep(0.2)
        assert collector.process is not None
        # What the last test left running (a browser closing, a database shutting down) must not be measured
        # as this server's latency: the load needs most of both cores.
        idle_before = _wait_for_quiet_cores()
        before, window_start = _items(home), time.time()
        cpu_before = (_cpu_s(server.pid), _cpu_s(collector.process.pid), time.process_time())
        mix = _mix(port, key, topic_ids, first.headers["etag"])
        figures = asyncio.run(_load(port, mix, RATE, SECONDS))
        cpu_after = (_cpu_s(server.pid), _cpu_s(collector.process.pid), time.process_time())
        after, window_end = _items(home), time.time()
    finally:
        collected_log = collector.stop()
        server.terminate()
        server.wait(timeout=30)
    served_log = log.read_text(errors="replace")
    during = [
        run
        for run in collector.runs
        if window_start < run["started"] + run["seconds"] and run["started"] < window_end
    ]
    added = after - before
    cpu_ms = (cpu_after[0] - cpu_before[0]) * 1000 / figures["requests"]
    collector_cores, generator_cores = ((cpu_after[i] - cpu_before[i]) / figures["seconds"] for i in (1, 2))
    by_kind = ", ".join(f"{kind} {ms:.0f}" for kind, ms in sorted(figures["p99_ms_by_kind"].items()))
    summary = (
        f"{figures['requests']} requests, {figures['errors']} errors, "
        f"{figures['achieved_rps']:.1f} requests/s "
        f"achieved; p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms, "
        f"p99 {figures['p99_ms']:.1f} ms, max {figures['max_ms']:.0f} ms (p99 by kind, ms: {by_kind}); "
        f"server CPU {cpu_ms:.1f} ms a request (collector {collector_cores:.2f} core, load generator "
        f"{generator_cores:.2f}); {added} items collected in the window by {len(during)} collections, none "
        f"failing (load average {os.getloadavg()[0]:.1f} at the end)"
    )
    assert "Traceback" not in served_log + collected_log, (served_log + collected_log)[-3000:]
    assert figures["errors"] == 0, (figures["failures"], figures["statuses"])
    assert all(run["sources"] == FEEDS and not run["errors"] for run in collector.runs), collector.runs
    assert added > 0 and len(during) >= 2, summary
    assert figures["achieved_rps"] >= 195, summary
    reliability(
        f"the API at {RATE:.0f} requests/s for {SECONDS:.0f} s (open loop, latency from the scheduled time: "
        "radar, radar 304, filtered topic lists, topic pages, timelines, deltas, profiles, search) on "
        f"`radar serve --workers {WORKERS}` over the SQLite store (WAL) and the embedded cache, rate limit "
        "on, while a "
        f"resident collector wrote into the same store ({FEEDS} local feeds, new items on every fetch, a "
        f"collection every {PERIOD_S:g} s)",
        summary,
        requests=figures["requests"],
        errors=figures["errors"],
        achieved_rps=round(figures["achieved_rps"], 1),
        p50_ms=round(figures["p50_ms"], 1),
        p95_ms=round(figures["p95_ms"], 1),
        p99_ms=round(figures["p99_ms"], 1),
        max_ms=round(figures["max_ms"], 1),
        server_cpu_ms_per_request=round(cpu_ms, 2),
        collector_cpu_cores=round(collector_cores, 2),
        load_average_1min=round(os.getloadavg()[0], 1),
        cpu_idle_before_load_pct=round(100 * idle_before, 1),
        items_collected_during_window=added,
        collections_during_window=len(during),
    )
