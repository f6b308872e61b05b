"""Embedding throughput through the shared queue: 2 worker processes against 1, in the same run.

Each consumer is a separate process with one torch thread (``limit_threads(1)``, what
``RADAR_EMBEDDING_THREADS=1`` does in a worker) running the real path: ``EmbedQueue.work_once`` on a real
Redis stream and consumer group, all-MiniLM-L6-v2, vectors saved to a real store. The items are the demo
corpus's texts, each joined to another entry's title so that they are distinct (near-duplicates are never
embedded; the few the store still finds are left out of the count). Model loading and a warm-up batch
happen before the clock starts (every consumer says it is ready, then the queue is filled and a start key
is set); the clock stops when the last consumer has saved and acknowledged its last batch. Baseline: the
same items with 1 consumer. Run it on an otherwise idle machine: other jobs on the cores make it a
measure of their load, not of the queue.

Run: .venv/bin/python bench/embed_scaling.py [--items 2000] [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODEL = "all-MiniLM-L6-v2"


def texts(n: int) -> list[tuple[str, str]]:
    from radar.demo.corpus import generate

    entries = list(generate().entries())
    size = len(entries)
    out = []
    for i in range(n):
        entry, other = entries[i % size], entries[(i * 7 + i // size) % size]
        out.append((entry.title, f"{entry.text} {other.title}"))
    return out


def prepare_store(url: str, n: int) -> None:
    from radar.domain import Item
    from radar.store import open_store

    store = open_store(url)
    store.sync_sources([("bench", "feed", "https://bench.example/feed")])
    start = datetime(2026, 11, 1, tzinfo=UTC)
    store.add_items(
        [
            Item(
                id=f"b{i:05d}",
                source="bench",
                url=f"https://bench.example/{i}",
                guid=None,
                title=title,
                text=text,
                published_at=start + timedelta(seconds=i),
                fetched_at=start,
            )
            for i, (title, text) in enumerate(texts(n))
        ]
    )
    store.close()


def consume(args: argparse.Namespace) -> None:
    """One consumer process: load, warm up, say ready, wait for the start, drain the queue."""
    from radar.coordination.redis_locks import redis_client
    from radar.embed_queue import EmbedQueue, limit_threads
    from radar.embedding import make_embedder
    from radar.store import open_store

    limit_threads(1)
    client = redis_client(args.redis)
    store = open_store(args.store, migrate=False)
    embedder = make_embedder(MODEL, args.batch)
    embedder.embed(["warm-up sentence"] * args.batch)
    queue = EmbedQueue(client, args.prefix, MODEL, args.name)
    client.set(f"{args.prefix}ready:{args.name}", "1")
    while not client.exists(f"{args.prefix}go"):
        time.sleep(0.01)
    done = 0
    cpu = time.process_time()
    while True:
        got = queue.work_once(store, embedder, args.batch, block_ms=200)
        done += got
        if not got and queue.backlog() == 0:
            break
    report = {"name": args.name, "items": done, "finished": time.time(), "cpu_s": time.process_time() - cpu}
    print(json.dumps(report))  # noqa: T201


def run(workers: int, n: int, redis_url: str, batch: int, tmp: Path) -> float:
    """Items per second with ``workers`` consumer processes."""
    from radar.coordination.redis_locks import redis_client
    from radar.embed_queue import EmbedQueue
    from radar.store import open_store

    url = f"sqlite:///{tmp / f'bench-{workers}-{uuid.uuid4().hex[:6]}.sqlite3'}"
    prepare_store(url, n)
    prefix = f"vigie-bench-{uuid.uuid4().hex[:8]}:"
    client = redis_client(redis_url)
    env = os.environ | {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--consume", "--store", url, "--redis", redis_url, "--prefix", prefix,
             "--name", f"c{i}", "--batch", str(batch)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(workers)
    ]  # fmt: skip
    try:
        while sum(bool(client.exists(f"{prefix}ready:c{i}")) for i in range(workers)) < workers:
            time.sleep(0.05)
        store = open_store(url, migrate=False)
        n = store.count_to_embed(MODEL)
        queued = EmbedQueue(client, prefix, MODEL, "feeder", feed_limit=n).feed(store, force=True)
        assert queued == n, (queued, n)
        started = time.time()
        client.set(f"{prefix}go", "1")
        reports: list[dict[str, Any]] = [json.loads(p.communicate(timeout=1800)[0].strip()) for p in procs]
        finished = max(report["finished"] for report in reports)
        left = store.count_to_embed(MODEL)
        store.close()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()
    assert left == 0 and sum(r["items"] for r in reports) == n, (left, reports)
    rate = n / (finished - started)
    # Items per CPU-second of the consumers: flat from 1 to 2 workers when the queue costs nothing, so
    # that a ratio below 2 is the cores' other load, not the design.
    per_cpu = n / sum(r["cpu_s"] for r in reports)
    shares = ", ".join(f"{r['name']} {r['items']}" for r in reports) + f"; {per_cpu:.1f} items per CPU-s"
    print(f"{workers} worker(s): {n} items in {finished - started:.1f} s = {rate:.1f} items/s ({shares})")  # noqa: T201
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument(
        "--redis", default=os.environ.get("RADAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    parser.add_argument("--consume", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--name", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.consume:
        consume(args)
        return
    print(f"cpus: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")  # noqa: T201
    with tempfile.TemporaryDirectory() as tmp:
        one = run(1, args.items, args.redis, args.batch, Path(tmp))
        two = run(2, args.items, args.redis, args.batch, Path(tmp))
    print(f"ratio 2 workers / 1 worker: {two / one:.2f} (load average after: {os.getloadavg()[0]:.2f})")  # noqa: T201


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
