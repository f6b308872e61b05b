"""Snapshot and deltas of the brand-values radar for 5,000 tracked topics x 10 values, and a cached read.

Targets (issue 5): snapshot and deltas in at most 1 s; a cached snapshot read in at most 5 ms (Redis and the
embedded cache).

Baseline (same run) for placement: the same raw scores computed topic by topic and anchor by anchor in
Python loops over numpy vectors, the way one would first write it; Vigie stacks centroids and representatives
and scores them in three matrix products (``radar.values.placement.raw_scores``). Baseline for the cached
read: rebuilding the snapshot from the store (``SqlStore.value_snapshot`` on SQLite) on a miss.

"Cached snapshot read" is measured three ways, each the median of repeated reads of the full 5,000-topic
snapshot: the bytes as the API serves them (``Radar.snapshot_json``: one cache GET, plus the sha256 ETag the
API computes), and the decoded dict Python callers get (``Radar.snapshot``: GET plus orjson.loads); on Redis
and on the embedded cache. Then one topic's evidence (``Radar.placement_evidence``: one bucket's GET and
decode).

The vectors are synthetic (unit vectors, 12 members per topic, 384 dimensions, as all-MiniLM-L6-v2) and the
anchors are embedded by a deterministic random function: what is measured is the arithmetic and the JSON,
not the model (the anchors' embedding, ~100 short texts, is once per run and profile).

Run: .venv/bin/python bench/values_speed.py [--topics 5000] [--values 10] [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from radar.cache import Cache, EmbeddedCache, RedisCache  # noqa: E402
from radar.core import EVIDENCE_BUCKETS, encode, evidence_bucket  # noqa: E402
from radar.settings import BrandProfile  # noqa: E402
from radar.store.records import MemberRow, Vector  # noqa: E402
from radar.values.deltas import compute_deltas  # noqa: E402
from radar.values.pipeline import snapshot_for  # noqa: E402
from radar.values.placement import ProfileSpace, TopicInput, build_space, centroid_and_reps  # noqa: E402
from radar.values.snapshot import stored_form  # noqa: E402

DIM = 384
MEMBERS = 12
STATES = ("noise", "weak", "emerging", "mainstream", "fading", "spike")


def random_embed(texts: Sequence[str]) -> Vector:
    rng = np.random.default_rng(abs(hash(tuple(texts))) % 2**32)
    out = rng.normal(size=(len(texts), DIM)).astype(np.float32)
    result: Vector = out / np.linalg.norm(out, axis=1, keepdims=True)
    return result


def make_profile(n_values: int) -> BrandProfile:
    return BrandProfile.model_validate(
        {
            "name": "bench",
            "values": [
                {
                    "name": f"Value {i}",
                    "description": f"what the brand means by value {i}",
                    "examples": [f"example {i}.{j}" for j in range(5)],
                    "opposites": [f"opposite {i}.{j}" for j in range(3)] if i % 2 == 0 else [],
                    "weight": 1 + i % 3,
                }
                for i in range(n_values)
            ],
            "red_lines": [
                {"name": f"Red line {i}", "description": f"line {i}", "examples": ["x", "y"]}
                for i in range(2)
            ],
        }
    )


def make_topics(space: ProfileSpace, n: int, seed: int) -> list[TopicInput]:
    rng = np.random.default_rng(seed)
    topics = []
    for i in range(n):
        # Half the topics lean towards one anchor, so that there is evidence to collect.
        centre = rng.normal(size=DIM)
        if i % 2 == 0:
            centre = centre / np.linalg.norm(centre) + 1.5 * space.prototypes[i % len(space.anchors)]
        vectors = centre + 0.8 * rng.normal(size=(MEMBERS, DIM))
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        topics.append(
            TopicInput(
                id=f"t{i:05d}",
                label=f"topic {i}",
                state=STATES[int(rng.integers(len(STATES)))],
                momentum=float(rng.normal()),
                size=MEMBERS,
                keywords=("value", "example", f"word{i}"),
                lang="en",
                member_ids=tuple(f"i{i}-{j}" for j in range(MEMBERS)),
                member_titles=tuple(f"title {i}-{j}" for j in range(MEMBERS)),
                vectors=vectors,
            )
        )
    return topics


def loop_baseline(space: ProfileSpace, topics: Sequence[TopicInput]) -> float:
    """The raw scores topic by topic and anchor by anchor (what Vigie's matrix products replace)."""
    started = time.perf_counter()
    for topic in topics:
        centroid, reps = centroid_and_reps(topic.vectors)
        for a, anchor in enumerate(space.anchors):
            start = int(space.starts[a])
            texts = space.text_vectors[start : start + len(anchor.texts)]
            centre = float(centroid @ space.prototypes[a])
            items = [max(float(rep @ text) for text in texts) for rep in reps]
            _ = 0.5 * centre + 0.5 * sum(items) / len(items)
    return time.perf_counter() - started


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def median_time(fn: Callable[[], Any], n: int) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def cache_writes(snapshot: dict[str, Any], deltas: dict[str, Any], evidence: dict[str, Any]) -> list[bytes]:
    """What ``Radar._cache_views`` encodes: snapshot, deltas and the evidence buckets."""
    buckets: list[dict[str, Any]] = [{} for _ in range(EVIDENCE_BUCKETS)]
    for topic_id, entry in evidence.items():
        buckets[evidence_bucket(topic_id)][topic_id] = entry
    return [encode(snapshot), encode(deltas), *(encode(part) for part in buckets)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=5000)
    parser.add_argument("--values", type=int, default=10)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/15")
    args = parser.parse_args()

    profile = make_profile(args.values)
    space = build_space(profile, random_embed)
    previous_topics = make_topics(space, args.topics, seed=1)
    topics = make_topics(space, args.topics, seed=2)
    own = [
        MemberRow("", f"own{i}", "t", "blog", "en", v)
        for i, v in enumerate(random_embed([str(i) for i in range(200)]))
    ]
    culture = {topic.id: MEMBERS for topic in topics}
    as_of = datetime(2026, 11, 15, tzinfo=UTC)
    previous, _ = snapshot_for(profile, space, 1, as_of, previous_topics, own, ["blog"], culture)

    t_baseline = loop_baseline(space, topics)
    t_snapshot, (snapshot, evidence) = timed(
        lambda: snapshot_for(profile, space, 2, as_of, topics, own, ["blog"], culture)
    )
    t_deltas, deltas = timed(lambda: compute_deltas(previous, snapshot))
    t_json, writes = timed(lambda: cache_writes(snapshot, deltas, evidence))
    blob = writes[0]
    stored = stored_form(snapshot, evidence)
    t_stored, _ = timed(lambda: json.dumps(stored))  # the store's JSON column encodes with the stdlib
    total = t_snapshot + t_deltas + t_json
    print(
        f"{args.topics} topics x {args.values} values ({len(space.anchors)} anchors, {MEMBERS} members each)"
    )
    print(f"  baseline raw scores in Python loops   {t_baseline:8.3f} s")
    print(
        f"  snapshot (placement, evidence, say-do) {t_snapshot:8.3f} s  "
        f"({t_baseline / t_snapshot:.1f}x faster)"
    )
    print(f"  deltas against the previous snapshot   {t_deltas:8.3f} s  ({deltas['summary']})")
    print(
        f"  JSON for the cache (orjson)             {t_json:8.3f} s  (snapshot {len(blob) / 1e6:.2f} MB, "
        f"evidence {sum(map(len, writes[2:])) / 1e6:.2f} MB in {EVIDENCE_BUCKETS} buckets)"
    )
    print(f"  total {total:.3f} s (target <= 1 s): {'met' if total <= 1 else 'NOT met'}")
    print(f"  (not in the target: the store's JSON of snapshot and evidence, stdlib: {t_stored:.3f} s)")

    small = encode({**snapshot, "topics": snapshot["topics"][:20]})
    with tempfile.TemporaryDirectory() as folder:
        caches: list[tuple[str, Cache]] = [("embedded", EmbeddedCache(Path(folder) / "cache.sqlite3"))]
        try:
            redis_cache = RedisCache(args.redis, prefix=f"vigie-bench-{uuid.uuid4().hex[:8]}:")
            if redis_cache.ping():
                caches.append(("redis", redis_cache))
        except Exception as exc:  # the bench still reports the embedded cache
            print(f"  redis unavailable: {exc}")
        from radar.store import open_store

        store = open_store(f"sqlite:///{Path(folder) / 'radar.sqlite3'}")
        run_id = store.start_run(as_of=as_of, window_days=30, model="bench")
        store.save_value_views(run_id, "bench", stored, deltas, None)
        t_store, _ = timed(lambda: store.value_snapshot("bench"), repeat=5)
        store.save_value_views(run_id, "small", orjson.loads(small), deltas, None)
        t_store_small, _ = timed(lambda: store.value_snapshot("small"), repeat=20)
        print(
            f"  baseline rebuild from the store (SQLite): {t_store * 1e3:.1f} ms ({args.topics} topics), "
            f"{t_store_small * 1e3:.2f} ms (20 topics)"
        )
        sample = snapshot["topics"][0]["id"]
        bucket_key = f"v2:evidence:bench:{evidence_bucket(sample)}"
        for name, cache in caches:
            cache.set("v2:snapshot:bench", blob, ttl_s=600)
            cache.set("v2:snapshot:small", small, ttl_s=600)
            cache.set(bucket_key, writes[2 + evidence_bucket(sample)], ttl_s=600)

            def served(key: str, cache: Cache = cache) -> str:
                return hashlib.sha256(cache.get(key) or b"").hexdigest()  # GET and the ETag, as the API

            def decoded(key: str, cache: Cache = cache) -> Any:
                return orjson.loads(cache.get(key) or b"{}")

            as_bytes = median_time(lambda: served("v2:snapshot:bench"), 100)
            as_dict = median_time(lambda: decoded("v2:snapshot:bench"), 50)
            little = median_time(lambda: decoded("v2:snapshot:small"), 200)
            one = median_time(lambda: decoded(bucket_key)[sample], 200)  # noqa: B023
            verdict = "met" if as_bytes <= 0.005 else "NOT met"
            print(
                f"  cached read, {name:8s}: {args.topics} topics as served (bytes + ETag) "
                f"{as_bytes * 1e3:.2f} ms (target <= 5 ms: {verdict}), decoded {as_dict * 1e3:.2f} ms; "
                f"20 topics decoded {little * 1e3:.2f} ms; one topic's evidence {one * 1e3:.2f} ms"
            )
            for key in ("v2:snapshot:bench", "v2:snapshot:small", bucket_key):
                cache.delete(key)
            cache.close()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
