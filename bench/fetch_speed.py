"""Fetching 1,000 feeds from local servers: Vigie's Fetcher against a plain httpx loop, then a 304 pass.

Baseline (same run): one ``httpx.Client`` shared by N threads, a plain ``client.get(url).content`` per feed.
Then, with the same N threads:

1. ``Fetcher.get`` alone (address guard, deadline watchdog, per-host slots, size cap, no keep-alive): the
   like-for-like comparison, target >= 0.8x the baseline's rate;
2. ``FeedCollector.collect`` (fetch, parse, normalise), the path ``radar collect`` takes, first pass;
3. the same again with the validators the first pass returned: every server answers 304, target >= 5x
   faster than pass 2.

The feeds (20 entries each, from bench/ingest_speed.py's generator) are served with ETag and Last-Modified
by threaded servers on 20 loopback addresses (127.0.0.2 to .21), so that the fetcher's per-host limit (two
connections at a time) works as it would against many sites. Servers and clients share the machine's cores.

Run: .venv/bin/python bench/fetch_speed.py [--feeds 1000] [--threads 8] [--hosts 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from hostile_server import FeedServer, Route  # noqa: E402

from bench.ingest_speed import make_corpus  # noqa: E402
from collectors.feed import FeedCollector  # noqa: E402
from collectors.fetcher import Fetcher, FetchPolicy  # noqa: E402
from radar.domain import SourceState  # noqa: E402
from radar.settings import SourceConfig  # noqa: E402

LAST_MODIFIED = "Sun, 29 Nov 2026 08:00:00 GMT"


def timed(label: str, work: Callable[[], int], feeds: int) -> float:
    started = time.perf_counter()
    done = work()
    elapsed = time.perf_counter() - started
    assert done == feeds, f"{label}: {done} of {feeds} succeeded"
    print(f"{label:<44} {elapsed:6.2f} s  {feeds / elapsed:7.0f} feeds/s")  # noqa: T201
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=20)
    args = parser.parse_args()

    docs = make_corpus(args.feeds * 20, 20)
    size = sum(len(content) for content, _, _ in docs)
    print(f"{len(docs)} feeds, {size / 1e6:.1f} MB, {args.threads} threads, {args.hosts} hosts")  # noqa: T201
    with ExitStack() as stack:
        servers = [stack.enter_context(FeedServer(f"127.0.0.{2 + i}")) for i in range(args.hosts)]
        urls = []
        for index, (content, headers, _) in enumerate(docs):
            route = Route(
                content,
                headers={"Content-Type": headers["content-type"]},
                etag=f'"v1-{index}"',
                last_modified=LAST_MODIFIED,
            )
            urls.append(servers[index % len(servers)].route(f"/feeds/{index}.xml", route))
        sources = [SourceConfig(name=f"feed-{i}", url=url, allow_private=True) for i, url in enumerate(urls)]
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=args.threads))
        client = stack.enter_context(httpx.Client(trust_env=False, timeout=30))
        fetcher = stack.enter_context(Fetcher(FetchPolicy(allow_private=True, retries=0)))
        collector = FeedCollector()
        now = datetime.now(UTC)

        def plain_threads() -> int:
            return sum(pool.map(lambda url: bool(client.get(url).content), urls))

        def vigie_fetch() -> int:
            return sum(pool.map(lambda url: bool(fetcher.get(url).content), urls))

        states: dict[str, SourceState] = {}

        def collect(conditional: bool) -> int:
            def one(source: SourceConfig) -> bool:
                state = states.get(source.name) if conditional else None
                result = collector.collect(
                    source, state or SourceState(source.name, "feed", source.url), fetcher, now
                )
                if not conditional:
                    states[source.name] = SourceState(
                        source.name, "feed", source.url, etag=result.etag, last_modified=result.last_modified
                    )
                    return bool(result.items)
                return result.not_modified

            return sum(pool.map(one, sources))

        plain_threads()  # warm up: imports, connection setup paths, server threads
        # Alternated and best of two each, since other work on the machine comes and goes.
        base_times, mine_times = [], []
        for _ in range(2):
            base_times.append(
                timed(f"baseline httpx.Client.get, {args.threads} threads", plain_threads, len(urls))
            )
            mine_times.append(timed("vigie Fetcher.get", vigie_fetch, len(urls)))
        base, mine = min(base_times), min(mine_times)
        first = timed("vigie FeedCollector.collect, first pass", lambda: collect(False), len(urls))
        second = timed("vigie FeedCollector.collect, 304 pass", lambda: collect(True), len(urls))
    print(f"ratio Fetcher/baseline (rate): {base / mine:.2f} (target >= 0.80)")  # noqa: T201
    print(f"304 pass speed-up over the first pass: {first / second:.1f}x (target >= 5)")  # noqa: T201


if __name__ == "__main__":
    main()
