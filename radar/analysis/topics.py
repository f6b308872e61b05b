"""From clusters of a window to topic records (pure: no store, no model)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

from radar.analysis.growth import growth_ratio
from radar.analysis.labels import readable_label
from radar.analysis.topic_model import Clusters
from radar.analysis.tracking import match_topics
from radar.store.records import AnalysisResult, TopicRecord, Vector, Window


@dataclass(frozen=True, slots=True)
class TopicParams:
    window_days: int
    recent_days: int


def build_result(
    window: Window,
    clusters: Clusters,
    *,
    as_of: datetime,
    run_id: int,
    tracked: list[tuple[str, Vector]],
    params: TopicParams,
) -> AnalysisResult:
    """Topic records, memberships and the topics snapshot of one run."""
    as_of_day = as_of.astimezone(UTC).date()
    members: dict[int, list[int]] = {}
    for index, label in enumerate(clusters.labels):
        if label != -1:
            members.setdefault(label, []).append(index)
    order = sorted(members)
    centroids = [_centroid(window.vectors[members[label]]) for label in order]
    matched = match_topics(centroids, tracked)
    records: list[TopicRecord] = []
    assignments: list[tuple[str, str, float | None]] = []
    for position, (label, centroid, existing) in enumerate(zip(order, centroids, matched, strict=True)):
        topic_id = existing or f"t{run_id:05d}-{position:03d}"
        indices = members[label]
        days = [window.published[i].astimezone(UTC).date() for i in indices]
        daily: dict[date, int] = dict(sorted(Counter(days).items()))
        keywords = clusters.keywords.get(label, [])
        records.append(
            TopicRecord(
                id=topic_id,
                label=readable_label(keywords),
                keywords=keywords,
                size=len(indices),
                first_seen=min(days),
                last_seen=max(days),
                growth=growth_ratio(daily, as_of_day, params.recent_days, params.window_days),
                centroid=centroid,
                daily=daily,
            )
        )
        assignments.extend((window.ids[i], topic_id, clusters.probabilities[i]) for i in indices)
    snapshot = {
        "as_of": as_of.isoformat(),
        "run_id": run_id,
        "items": len(window),
        "topics": [
            _summary(record, window, members[label]) for record, label in zip(records, order, strict=True)
        ],
    }
    return AnalysisResult(topics=records, assignments=assignments, n_items=len(window), snapshot=snapshot)


def _centroid(vectors: Vector) -> Vector:
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean)) or 1.0
    out: Vector = (mean / norm).astype(np.float32)
    return out


def _summary(record: TopicRecord, window: Window, indices: list[int]) -> dict[str, object]:
    sources = Counter(window.sources[i] for i in indices)
    langs = Counter(window.langs[i] or "?" for i in indices)
    return {
        "id": record.id,
        "label": record.label,
        "keywords": record.keywords,
        "size": record.size,
        "growth": round(record.growth, 4),
        "first_seen": record.first_seen.isoformat(),
        "last_seen": record.last_seen.isoformat(),
        "sources": dict(sources.most_common()),
        "langs": dict(langs.most_common()),
    }
