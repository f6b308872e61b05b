"""Which centroid similarity keeps a topic's identity across refits? Measured, not assumed.

The engine refits its window every week and calls a new cluster the continuation of a tracked topic when
their centroids' cosine similarity reaches a threshold (peers use 0.7). This script replays a corpus the
way a backtest does (42-day window, weekly warm-started refits, the real model's embeddings) and, for every
pair of consecutive fits, derives the truth from the items the two fits share:

- old cluster A and new cluster B are *the same topic* when B holds at least half of A's shared items and A
  holds at least half of B's (a mutual majority of the same items);
- for each threshold, greedy one-to-one matching by centroid (``radar.analysis.tracking.match_topics``) gives
  pairs; *precision* is the share of those pairs that are the same topic, *recall* the share of same-topic
  pairs found.

Baseline in the same run: BERTopic's own topic numbers, i.e. calling A and B the same topic when they carry
the same number in consecutive fits (what a team gets from refitting BERTopic and reading ``topics_``).

    python bench/identity_threshold.py --items /tmp/vigie-gh-A.jsonl.gz --start 2019-12-02 --end 2020-06-30 \\
        --embeddings-cache /tmp/bt/emb.sqlite
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

THRESHOLDS = (0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
WINDOW_DAYS = 42
MIN_SHARED = 5  # clusters with fewer shared items say nothing about continuity


def same_topic_pairs(old: dict[str, int], new: dict[str, int]) -> set[tuple[int, int]]:
    """Pairs (old label, new label) that hold a mutual majority of the items both fits saw."""
    shared = [item for item in old.keys() & new.keys() if old[item] != -1 and new[item] != -1]
    joint = Counter((old[item], new[item]) for item in shared)
    old_sizes = Counter(old[item] for item in shared)
    new_sizes = Counter(new[item] for item in shared)
    return {
        (a, b)
        for (a, b), count in joint.items()
        if old_sizes[a] >= MIN_SHARED
        and new_sizes[b] >= MIN_SHARED
        and count * 2 >= old_sizes[a]
        and count * 2 >= new_sizes[b]
    }


def main() -> None:
    from radar.analysis.novelty import recent_mask
    from radar.analysis.topic_model import fit_clusters, warm_init
    from radar.analysis.tracking import centroid, match_topics
    from radar.backtest.corpus import load_corpus
    from radar.backtest.runner import _embed, _end_of
    from radar.embedding import make_embedder
    from radar.progress import Silent
    from radar.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat, required=True)
    parser.add_argument("--embeddings-cache", type=Path)
    args = parser.parse_args()

    started = time.perf_counter()
    records = load_corpus(args.items).records
    settings = Settings()
    vectors = _embed(
        make_embedder(settings.embedding_model), [r.content for r in records], Silent(), args.embeddings_cache
    )
    published = [r.published_at for r in records]
    fits: list[tuple[dict[str, int], dict[int, np.ndarray]]] = []
    positions: dict[str, np.ndarray] = {}
    day = args.start
    while day <= args.end:
        as_of = _end_of(day)
        chosen = [
            i for i, moment in enumerate(published) if as_of - timedelta(days=WINDOW_DAYS) < moment <= as_of
        ]
        ids = [records[i].id for i in chosen]
        window_vectors = vectors[chosen]
        init = warm_init(window_vectors, ids, positions)
        recent = recent_mask([published[i] for i in chosen], as_of, 14)
        clusters = fit_clusters(
            [records[i].content for i in chosen], window_vectors, settings.min_topic_size, init, recent=recent
        )
        if clusters.coords is not None:
            positions = dict(zip(ids, clusters.coords, strict=True))
        labels = np.asarray(clusters.labels)
        centroids = {int(k): centroid(window_vectors[labels == k]) for k in set(clusters.labels) - {-1}}
        fits.append((dict(zip(ids, clusters.labels, strict=True)), centroids))
        print(f"{day}: {len(ids)} items, {len(centroids)} clusters", flush=True)
        day += timedelta(days=7)

    found: Counter[str] = Counter()
    truth_total = 0
    for (old, old_centroids), (new, new_centroids) in zip(fits, fits[1:], strict=False):
        truth = same_topic_pairs(old, new)
        truth_total += len(truth)
        found["bertopic_numbers_pairs"] += len({(a, a) for a in old_centroids if a in new_centroids})
        found["bertopic_numbers_true"] += sum(1 for a, b in truth if a == b)
        new_labels = sorted(new_centroids)
        tracked = [(str(a), old_centroids[a]) for a in sorted(old_centroids)]
        for threshold in THRESHOLDS:
            matched = match_topics([new_centroids[b] for b in new_labels], tracked, threshold)
            pairs = {(int(a), b) for a, b in zip(matched, new_labels, strict=True) if a is not None}
            found[f"{threshold}_pairs"] += len(pairs)
            found[f"{threshold}_true"] += len(pairs & truth)

    print(
        f"\n{len(fits)} weekly fits, {truth_total} same-topic pairs between consecutive fits, "
        f"{time.perf_counter() - started:.0f} s"
    )
    print("| rule | pairs called the same topic | precision | recall |")
    print("| --- | --- | --- | --- |")
    base_pairs, base_true = found["bertopic_numbers_pairs"], found["bertopic_numbers_true"]
    print(
        f"| BERTopic's numbers (baseline) | {base_pairs} | {base_true / max(base_pairs, 1):.2f} "
        f"| {base_true / max(truth_total, 1):.2f} |"
    )
    for threshold in THRESHOLDS:
        pairs, true = found[f"{threshold}_pairs"], found[f"{threshold}_true"]
        print(
            f"| centroid cosine ≥ {threshold} | {pairs} | {true / max(pairs, 1):.2f} "
            f"| {true / max(truth_total, 1):.2f} |"
        )


if __name__ == "__main__":
    main()
