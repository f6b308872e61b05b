"""Keeping a topic's identity from run to run by centroid similarity (pure)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from radar.store.records import Vector

# Cosine similarity above which a new cluster is the continuation of a tracked topic.
MATCH_THRESHOLD = 0.8


def match_topics(
    new_centroids: Sequence[Vector],
    tracked: Sequence[tuple[str, Vector]],
    threshold: float = MATCH_THRESHOLD,
) -> list[str | None]:
    """For each new centroid, the id of the tracked topic it continues, or None when it is new.

    Greedy one-to-one matching by decreasing similarity, so that two new clusters never claim one id.
    """
    result: list[str | None] = [None] * len(new_centroids)
    if not new_centroids or not tracked:
        return result
    new = _normalise(np.vstack(new_centroids))
    old = _normalise(np.vstack([vector for _, vector in tracked]))
    if new.shape[1] != old.shape[1]:
        return result  # another model: nothing comparable
    similarity = new @ old.T
    pairs = sorted(
        ((float(similarity[i, j]), i, j) for i in range(len(new)) for j in range(len(old))),
        reverse=True,
    )
    used_new: set[int] = set()
    used_old: set[int] = set()
    for score, i, j in pairs:
        if score < threshold:
            break
        if i in used_new or j in used_old:
            continue
        result[i] = tracked[j][0]
        used_new.add(i)
        used_old.add(j)
    return result


def centroid(vectors: Vector) -> Vector:
    """The unit-length mean direction of ``vectors`` (rows): a topic's position for matching."""
    direction: Vector = _normalise(vectors.mean(axis=0, keepdims=True))[0]
    return direction


def _normalise(matrix: Vector) -> Vector:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vector = (matrix / norms).astype(np.float32)
    return out
