"""API under load, from a second process on loopback: the radar snapshot (from the cache) and the filtered
topic list over a store of a million items in PostgreSQL.

    python -m bench.api_load [--items 1000000] [--topics 2000] [--seconds 20]

Builds a dedicated PostgreSQL database (``vigie_bench``, dropped afterwards; never the shared ``test``
one) with COPY: items, one finished run whose topics hold every item, topic states with the evidence the
list filters on, and a sample of embeddings per topic so that brand values can place the topics. Then it
runs ``radar serve`` (uvicorn, one process) against it with Redis as the cache, and this process sends
requests at a fixed rate (open loop: a slow answer does not slow the senders down) and reports latency
percentiles. Targets (issue 6): snapshot p99 <= 50 ms at 200 requests/s; filtered list p99 <= 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

PG_ADMIN = os.environ.get("RADAR_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("RADAR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
DB_NAME = "vigie_bench"
MODEL = "all-MiniLM-L6-v2"
DIM = 384
STATES = ["noise", "weak", "emerging", "mainstream", "fading", "spike"]
LANGS = ["en", "fr", "de", "es", "it"]
KINDS = ["feed", "reddit", "mastodon", "hackernews", "youtube"]
BRAND = """
[[profile]]
name = "bench"
description = "A benchmark brand."

[[profile.values]]
name = "Sustainability"
description = "Products that last, can be repaired, and leave less waste behind."

[[profile.values]]
name = "Craft"
description = "Things made by hand, with skill, to last."
"""


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def build(db_url: str, n_items: int, n_topics: int, seed: int = 7) -> dict[str, float]:
    """Fill the bench database; returns seconds per phase."""
    import psycopg

    from radar.store import open_store

    timings: dict[str, float] = {}
    started = time.perf_counter()
    store = open_store("postgresql+psycopg://" + db_url.split("://", 1)[1])
    store.close()
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    t0 = datetime(2026, 9, 1, tzinfo=UTC)
    as_of = t0 + timedelta(days=42)
    sources = [(f"src{k:02d}", KINDS[k % len(KINDS)]) for k in range(20)]
    topic_ids = [f"bt{k:05d}" for k in range(n_topics)]
    with psycopg.connect(db_url) as conn:
        with conn.cursor() as cur:
            for name, kind in sources:
                cur.execute(
                    "INSERT INTO sources (name, kind, url, consecutive_errors, items_total) "
                    "VALUES (%s, %s, %s, 0, 0)",
                    (name, kind, f"https://{name}.example/"),
                )
            cur.execute(
                "INSERT INTO runs (started_at, finished_at, as_of, status, window_days, model, n_items,"
                " n_topics) VALUES (%s, %s, %s, 'done', 42, %s, %s, %s) RETURNING id",
                (as_of, as_of, as_of, MODEL, n_items, n_topics),
            )
            row = cur.fetchone()
            assert row is not None
            run_id = int(row[0])
        conn.commit()
        # Topics first: each gets a centroid, a home source and language, and a share of the items.
        centroids = nprng.normal(size=(n_topics, DIM)).astype(np.float32)
        centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
        weights = nprng.pareto(1.2, n_topics) + 1
        sizes = np.maximum(1, (weights / weights.sum() * n_items).astype(int))
        sizes[0] += n_items - int(sizes.sum())
        phase = time.perf_counter()
        assignments: list[int] = []
        for index, size in enumerate(sizes):
            assignments.extend([index] * int(size))
        rng.shuffle(assignments)
        counts: list[dict[str, Any]] = [{"sources": {}, "langs": {}, "days": {}} for _ in range(n_topics)]
        with conn.cursor() as cur:
            with cur.copy(
                "COPY items (id, source, url, title, text, lang, published_at, fetched_at, date_from_fetch) "
                "FROM STDIN"
            ) as copy:
                for n, topic in enumerate(assignments):
                    source = sources[(topic + n % 3) % len(sources)][0]
                    lang = LANGS[(topic + n % 2) % len(LANGS)]
                    published = t0 + timedelta(minutes=rng.randrange(42 * 24 * 60))
                    day = published.date().isoformat()
                    stats = counts[topic]
                    stats["sources"][source] = stats["sources"].get(source, 0) + 1
                    stats["langs"][lang] = stats["langs"].get(lang, 0) + 1
                    stats["days"][day] = stats["days"].get(day, 0) + 1
                    copy.write_row(
                        (
                            f"it{n:09d}",
                            source,
                            f"https://{source}.example/{n}",
                            f"item {n} about topic {topic}",
                            "benchmark text " * 8,
                            lang,
                            published,
                            published,
                            False,
                        )
                    )
        conn.commit()
        timings["copy_items_s"] = time.perf_counter() - phase
        phase = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(
                "COPY topics (id, label, keywords, size, first_seen, last_seen, growth, centroid,"
                " created_run, updated_run, kind, state, score, peak_weekly) FROM STDIN"
            ) as copy:
                for index, topic_id in enumerate(topic_ids):
                    days = sorted(counts[index]["days"]) or [t0.date().isoformat()]
                    words = [f"word{(index * 7 + j) % 997}" for j in range(5)]
                    copy.write_row(
                        (
                            topic_id,
                            " ".join(words[:3]),
                            json.dumps(words),
                            int(sizes[index]),
                            days[0],
                            days[-1],
                            round(rng.uniform(0.1, 5), 3),
                            centroids[index].tobytes(),
                            run_id,
                            run_id,
                            "cluster",
                            STATES[index % len(STATES)],
                            round(rng.random(), 4),
                            0.0,
                        )
                    )
            with cur.copy(
                "COPY topic_states (run_id, topic_id, state, previous_state, score, evidence) FROM STDIN"
            ) as copy:
                for index, topic_id in enumerate(topic_ids):
                    evidence = {
                        "rule": f"{STATES[index % len(STATES)]}: synthetic",
                        "measures": {"novelty": round(rng.random(), 4), "growth": 1.0},
                        "sources": counts[index]["sources"],
                        "langs": counts[index]["langs"],
                    }
                    copy.write_row(
                        (run_id, topic_id, STATES[index % len(STATES)], None, 0.5, json.dumps(evidence))
                    )
            with cur.copy("COPY topic_daily (run_id, topic_id, day, items) FROM STDIN") as copy:
                for index, topic_id in enumerate(topic_ids):
                    for day, count in counts[index]["days"].items():
                        copy.write_row((run_id, topic_id, day, count))
            with cur.copy("COPY topic_items (run_id, item_id, topic_id, probability) FROM STDIN") as copy:
                for n, topic in enumerate(assignments):
                    copy.write_row((run_id, f"it{n:09d}", topic_ids[topic], 0.9))
            # A few embeddings per topic (near its centroid): what brand values need to place topics.
            with cur.copy("COPY embeddings (item_id, model, dim, vector) FROM STDIN") as copy:
                seen: dict[int, int] = {}
                for n, topic in enumerate(assignments):
                    if seen.get(topic, 0) >= 10:
                        continue
                    seen[topic] = seen.get(topic, 0) + 1
                    vector = centroids[topic] + nprng.normal(scale=0.05, size=DIM).astype(np.float32)
                    vector /= np.linalg.norm(vector)
                    copy.write_row((f"it{n:09d}", MODEL, DIM, vector.astype(np.float32).tobytes()))
        conn.commit()
        conn.execute("ANALYZE")
        timings["copy_topics_s"] = time.perf_counter() - phase
    timings["build_s"] = time.perf_counter() - started
    return timings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    """One HTTP/1.1 request on a kept-alive connection; returns the status (body read, not decoded)."""
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _load(url: str, headers: dict[str, str], rate: float, seconds: float) -> dict[str, float]:
    """Open loop: request k is due at start + k / rate whatever the answers before it, and its latency
    counts from when it was due (a queue behind a slow answer is measured, not hidden). A small raw
    HTTP/1.1 client on kept-alive connections, so that the client's own cost stays far below the
    server's (httpx's async pool, tried first, saturated a core at about 70 requests per second)."""
    parts = httpx.URL(url)
    target = parts.raw_path.decode()
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.host}:{parts.port}", "Accept-Encoding: gzip"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode()
    total = int(rate * seconds)
    due: asyncio.Queue[float] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.host, parts.port)
        while True:
            at = await due.get()
            try:
                if await exchange(reader, writer, raw) != 200:
                    errors += 1
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                reader, writer = await asyncio.open_connection(parts.host, parts.port)
            latencies.append(time.perf_counter() - at)
            due.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(64)]
    await asyncio.sleep(0.5)  # connections open before the clock starts
    start = time.perf_counter()
    for k in range(total):
        at = start + k / rate
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        due.put_nowait(at)
    await due.join()
    wall = time.perf_counter() - start
    for task in workers:
        task.cancel()
    ms = np.asarray(latencies) * 1000
    return {
        "requests": total,
        "achieved_rps": round(total / wall, 1),
        "errors": errors,
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--topics", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--snapshot-rps", type=float, default=200)
    parser.add_argument("--list-rps", type=float, default=100)
    parser.add_argument("--keep", action="store_true", help="Keep the bench database afterwards.")
    args = parser.parse_args()

    base = PG_ADMIN.rsplit("/", 1)[0]
    db_url = f"{base}/{DB_NAME}"
    _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{DB_NAME}"')
    server: subprocess.Popen[bytes] | None = None
    try:
        timings = build(db_url, args.items, args.topics)
        phases = json.dumps({k: round(v, 1) for k, v in timings.items()})
        print(f"built {args.items} items, {args.topics} topics: {phases}")
        home = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
        (home / "config").mkdir()
        (home / "config" / "brand.toml").write_text(BRAND, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
        env.update(
            RADAR_HOME=str(home),
            RADAR_DATABASE_URL=db_url,
            RADAR_REDIS_URL=REDIS_URL,
            # The limit is counted on every request (a Redis INCR), high enough never to refuse.
            RADAR_API_RATE_LIMIT="1000000",
        )
        made = subprocess.run(
            [sys.executable, "-m", "radar.cli", "keys", "create", "--scope", "read", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        headers = {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "radar.cli", "serve", "--port", str(port)], env=env)
        root = f"http://127.0.0.1:{port}"
        from radar.servers import wait_until_up

        wait_until_up(f"{root}/health", 120)
        # Warm-up: the first snapshot is computed (model load, placement) and cached; later ones are hits.
        warm = time.perf_counter()
        first = httpx.get(f"{root}/api/v1/radar", headers=headers, timeout=600)
        first.raise_for_status()
        print(
            f"first snapshot (cache miss: placement computed and cached): "
            f"{time.perf_counter() - warm:.1f} s, "
            f"{len(first.content) // 1024} KiB, {len(first.json().get('topics', []))} topics"
        )
        list_url = (
            f"{root}/api/v1/topics?state=emerging&state=weak&source_kind=reddit&lang=en"
            "&since=2026-09-20&q=word1&sort=momentum&limit=50"
        )
        httpx.get(list_url, headers=headers, timeout=60).raise_for_status()  # the run's index, memoised
        results = {
            "snapshot": asyncio.run(_load(f"{root}/api/v1/radar", headers, args.snapshot_rps, args.seconds)),
            "topic_list": asyncio.run(_load(list_url, headers, args.list_rps, args.seconds)),
        }
        count = httpx.get(list_url, headers=headers).json()["count"]
        print(f"filtered list returns {count} topics")
        for name, figures in results.items():
            print(f"{name:<12} {json.dumps(figures)}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter("vigie:*"):
            client.delete(key)


if __name__ == "__main__":
    main()
