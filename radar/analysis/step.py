"""One analysis step: clusters of a window -> tracked topics with measures, states, lineage and themes.

Pure: the clustering is done before, the store (live runs) or memory (backtests) keeps ``tracked`` between
steps. The same function serves ``radar analyze`` and ``radar backtest``, so a backtest measures exactly
what runs in production.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np

from radar.analysis.labels import readable_label
from radar.analysis.topic_model import Clusters
from radar.analysis.tracking import MATCH_THRESHOLD, match_topics
from radar.analysis.tracking import centroid as mean_direction
from radar.signals import Classification, Measures, SignalParams, TopicSeries, classify, compute_measures
from radar.store.records import Vector, Window

# Below the identity threshold but this close, an unmatched cluster is recorded as born from (or split
# from) a tracked topic, and a vanished topic as merged into the cluster that absorbed it.
LINEAGE_THRESHOLD = 0.55
# A topic is "older" for novelty once it has been tracked this long.
NOVELTY_AGE_DAYS = 28
HISTORY_DAYS = 120


@dataclass(frozen=True, slots=True)
class Theme:
    """A watch theme declared by analysts, with its embedded description."""

    id: str
    name: str
    keywords: tuple[str, ...]
    vector: Vector
    threshold: float


@dataclass(slots=True)
class Tracked:
    """What persists about a topic between steps."""

    id: str
    kind: str
    label: str
    keywords: list[str]
    centroid: Vector
    first_seen: date
    last_seen: date
    peak_weekly: float = 0.0
    state: str | None = None
    history: dict[date, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TopicOutcome:
    """One topic (cluster or theme) as seen by one step."""

    tracked: Tracked
    size: int
    daily: dict[date, int]
    sources: dict[str, int]
    langs: dict[str, int]
    measures: Measures
    classification: Classification
    previous_state: str | None
    member_indices: list[int]


@dataclass(frozen=True, slots=True)
class StepOutput:
    topics: list[TopicOutcome]
    assignments: list[tuple[str, str, float | None]]
    theme_members: list[tuple[str, str]]
    lineage: list[tuple[str, str, str]]  # (topic_id, relation, other_topic_id)
    tracked: dict[str, Tracked]


def daily_totals(published: Sequence[datetime]) -> dict[date, int]:
    return dict(Counter(moment.astimezone(UTC).date() for moment in published))


def analyse_step(
    window: Window,
    clusters: Clusters,
    *,
    as_of: datetime,
    id_prefix: str,
    tracked: Mapping[str, Tracked],
    params: SignalParams,
    total_daily: Mapping[date, int] | None = None,
    themes: Sequence[Theme] = (),
    match_threshold: float = MATCH_THRESHOLD,
) -> StepOutput:
    """Track the window's clusters and themes, measure and classify each; return the new tracked state."""
    as_of_day = as_of.astimezone(UTC).date()
    days = [moment.astimezone(UTC).date() for moment in window.published]
    totals = dict(total_daily) if total_daily is not None else daily_totals(window.published)
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(clusters.labels):
        if label != -1:
            members[label].append(index)
    order = sorted(members)
    centroids = [mean_direction(window.vectors[members[label]]) for label in order]
    clusters_tracked = [(t.id, t.centroid) for t in tracked.values() if t.kind == "cluster"]
    matched = match_topics(centroids, clusters_tracked, match_threshold)
    new_ids = [existing or f"{id_prefix}-{pos:03d}" for pos, existing in enumerate(matched)]
    mean_share = 1.0 / len(order) if order else 0.0
    lineage = _lineage(centroids, matched, new_ids, clusters_tracked, tracked, as_of_day)

    state = {key: replace(value, history=dict(value.history)) for key, value in tracked.items()}
    outcomes: list[TopicOutcome] = []
    assignments: list[tuple[str, str, float | None]] = []
    older = [
        (t.id, t.centroid)
        for t in tracked.values()
        if t.kind == "cluster" and (as_of_day - t.first_seen).days >= NOVELTY_AGE_DAYS
    ]
    for label, centroid, topic_id in zip(order, centroids, new_ids, strict=True):
        indices = members[label]
        keywords = clusters.keywords.get(label, [])
        previous = state.get(topic_id)
        novelty = _novelty(centroid, [(i, c) for i, c in older if i != topic_id])
        item = _update(
            previous, topic_id, "cluster", readable_label(keywords), keywords, centroid, indices, days
        )
        state[topic_id] = item
        outcomes.append(
            _outcome(item, indices, window, days, totals, as_of_day, params, novelty, previous, mean_share)
        )
        assignments.extend((window.ids[i], topic_id, clusters.probabilities[i]) for i in indices)

    theme_members: list[tuple[str, str]] = []
    for theme in themes:
        indices = theme_matches(theme, window)
        if not indices:
            continue
        previous = state.get(theme.id)
        item = _update(
            previous, theme.id, "theme", theme.name, list(theme.keywords), theme.vector, indices, days
        )
        state[theme.id] = item
        outcomes.append(
            _outcome(item, indices, window, days, totals, as_of_day, params, 0.0, previous, mean_share)
        )
        theme_members.extend((window.ids[i], theme.id) for i in indices)

    for topic in outcomes:
        topic.tracked.state = topic.classification.state
        topic.tracked.peak_weekly = topic.measures.peak_weekly
    _forget_old_history(state, as_of_day)
    return StepOutput(outcomes, assignments, theme_members, lineage, state)


def theme_matches(theme: Theme, window: Window) -> list[int]:
    """Items close to the theme's description, or naming one of its keywords."""
    if len(window) == 0:
        return []
    close = set(np.flatnonzero(window.vectors @ theme.vector >= theme.threshold).tolist())
    if theme.keywords:
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in theme.keywords) + r")\b", re.IGNORECASE)
        close |= {i for i, text in enumerate(window.contents) if pattern.search(text)}
    return sorted(close)


def _update(
    previous: Tracked | None,
    topic_id: str,
    kind: str,
    label: str,
    keywords: list[str],
    centroid: Vector,
    indices: list[int],
    days: list[date],
) -> Tracked:
    daily = Counter(days[i] for i in indices)
    history = dict(previous.history) if previous else {}
    window_start = min(days) if days else None
    if window_start is not None:
        # The latest window is the best knowledge of its own days: replace them, keep older days.
        history = {day: n for day, n in history.items() if day < window_start}
    history.update(daily)
    first = min(daily)
    return Tracked(
        id=topic_id,
        kind=kind,
        label=label,
        keywords=keywords,
        centroid=centroid,
        first_seen=min(first, previous.first_seen) if previous else first,
        last_seen=max(daily),
        peak_weekly=previous.peak_weekly if previous else 0.0,
        state=previous.state if previous else None,
        history=history,
    )


def _outcome(
    item: Tracked,
    indices: list[int],
    window: Window,
    days: list[date],
    totals: Mapping[date, int],
    as_of: date,
    params: SignalParams,
    novelty: float,
    previous: Tracked | None,
    mean_share: float,
) -> TopicOutcome:
    daily = Counter(days[i] for i in indices)
    sources: dict[date, set[str]] = defaultdict(set)
    for i in indices:
        sources[days[i]].add(window.sources[i])
        sources[days[i]].update(window.also_sources.get(i, ()))
    series = TopicSeries(
        daily_items=daily,
        daily_sources={day: frozenset(names) for day, names in sources.items()},
        first_seen=item.first_seen,
        peak_weekly=item.peak_weekly,
        novelty=novelty,
        history=item.history,
    )
    measures = compute_measures(series, totals, as_of, params, mean_share)
    return TopicOutcome(
        tracked=item,
        size=len(indices),
        daily=dict(sorted(daily.items())),
        sources=dict(Counter(window.sources[i] for i in indices).most_common()),
        langs=dict(Counter(window.langs[i] or "?" for i in indices).most_common()),
        measures=measures,
        classification=classify(measures, params, previous.state if previous else None),
        previous_state=previous.state if previous else None,
        member_indices=indices,
    )


def _lineage(
    centroids: list[Vector],
    matched: list[str | None],
    new_ids: list[str],
    candidates: list[tuple[str, Vector]],
    tracked: Mapping[str, Tracked],
    as_of: date,
) -> list[tuple[str, str, str]]:
    if not centroids or not candidates:
        return []
    new = np.vstack(centroids)
    old = np.vstack([vector for _, vector in candidates])
    if new.shape[1] != old.shape[1]:
        return []
    similarity = new @ old.T
    claimed = {topic_id for topic_id in matched if topic_id}
    events: list[tuple[str, str, str]] = []
    for j, existing in enumerate(matched):
        if existing:
            continue
        best = int(similarity[j].argmax())
        if similarity[j, best] >= LINEAGE_THRESHOLD:
            parent = candidates[best][0]
            events.append((new_ids[j], "split_from" if parent in claimed else "born_from", parent))
    recent = as_of - timedelta(days=14)
    for k, (old_id, _) in enumerate(candidates):
        if old_id in claimed or tracked[old_id].last_seen < recent:
            continue
        best = int(similarity[:, k].argmax())
        if similarity[best, k] >= LINEAGE_THRESHOLD and matched[best]:
            events.append((old_id, "merged_into", new_ids[best]))
    return events


def _novelty(centroid: Vector, older: list[tuple[str, Vector]]) -> float:
    if not older:
        return 1.0
    matrix = np.vstack([vector for _, vector in older])
    if matrix.shape[1] != centroid.shape[0]:
        return 1.0
    return float(1.0 - np.max(matrix @ centroid))


def _forget_old_history(state: dict[str, Tracked], as_of: date) -> None:
    horizon = as_of - timedelta(days=HISTORY_DAYS)
    for item in state.values():
        item.history = {day: n for day, n in item.history.items() if day >= horizon}
