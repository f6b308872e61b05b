"""The backtest loop: embed once, then at each as_of fit, track, measure and classify as a live run would.

Causality: the step at ``as_of`` sees only items published on or before that day, and the state carried
from earlier steps, so a run with an earlier ``--end`` gives the same states on the dates both share.
Reuse: items are embedded once, and only those that some step's window can reach; clusters are refitted
at most once every ``refit_days``, and steps in between place new items on the last fit's clusters.
"""

from __future__ import annotations

import bisect
import json
import resource
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import numpy as np

from radar.analysis.novelty import recent_mask
from radar.analysis.run import embed_themes
from radar.analysis.step import Tracked, analyse_step
from radar.analysis.topic_model import Clusters, fit_clusters, warm_init
from radar.analysis.tracking import centroid
from radar.backtest.corpus import Corpus, load_corpus
from radar.embedding import Embedder
from radar.errors import ConfigError
from radar.progress import Progress, Silent
from radar.settings import RadarConfig
from radar.store.records import Vector, Window

# Embeddings are rounded so that batching noise (1e-7) cannot change a later clustering decision.
EMBED_DECIMALS = 5
PLACE_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class BacktestParams:
    start: date | None
    end: date | None
    every_days: int
    refit_days: int = 7
    embeddings_cache: Path | None = None


def as_of_days(first: date, last: date, params: BacktestParams) -> list[date]:
    start = params.start or first
    end = params.end or last
    if end < start:
        raise ConfigError(f"--end {end} is before --start {start}", key="--end")
    days = []
    current = start
    while current <= end:
        days.append(current)
        current += timedelta(days=params.every_days)
    return days


def _end_of(day: date) -> datetime:
    return datetime.combine(day, dtime(23, 59, 59), tzinfo=UTC)


class _Phases:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def timed(self, name: str) -> _Timer:
        return _Timer(self, name)


class _Timer:
    def __init__(self, phases: _Phases, name: str) -> None:
        self.phases, self.name = phases, name

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        seconds = self.phases.seconds
        seconds[self.name] = seconds.get(self.name, 0.0) + time.perf_counter() - self.start


def run_backtest(
    items: Path,
    out_dir: Path,
    params: BacktestParams,
    config: RadarConfig,
    embedder: Embedder,
    progress: Progress | None = None,
) -> dict[str, Any]:
    progress = progress or Silent()
    phases = _Phases()
    started = time.perf_counter()
    with phases.timed("read"):
        corpus = load_corpus(items)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = corpus.records
    if not records:
        return _write_outputs(out_dir, corpus, {}, [], params, config, phases, started, [], 0)
    steps = as_of_days(records[0].published_at.date(), records[-1].published_at.date(), params)
    last_needed = _end_of(steps[-1]) if steps else records[-1].published_at
    used = [r for r in records if r.published_at <= last_needed]
    # Every item counts in the daily totals (shares), but only items that some step's window can reach
    # are embedded: history older than the first window is read, never clustered.
    totals = Counter(r.published_at.date() for r in used)
    window_days = config.settings.analysis_window_days
    published = [r.published_at for r in used]
    if steps:
        first = bisect.bisect_right(published, _end_of(steps[0]) - timedelta(days=window_days))
        used, published = used[first:], published[first:]
    with phases.timed("embed"):
        vectors = _embed(embedder, [r.content for r in used], progress, params.embeddings_cache)
    themes = embed_themes(config.themes, embedder)
    tracked: dict[str, Tracked] = {}
    last_topic: dict[str, str | None] = {}
    signals: list[dict[str, Any]] = []
    fit: _Fit | None = None
    positions: dict[str, Vector] = {}
    progress.start("replaying", len(steps))
    for as_of_day in steps:
        as_of = _end_of(as_of_day)
        lo = bisect.bisect_right(published, as_of - timedelta(days=window_days))
        hi = bisect.bisect_right(published, as_of)
        window = Window(
            ids=[r.id for r in used[lo:hi]],
            published=published[lo:hi],
            sources=[r.source for r in used[lo:hi]],
            langs=[r.lang for r in used[lo:hi]],
            contents=[r.content for r in used[lo:hi]],
            vectors=vectors[lo:hi],
        )
        with phases.timed("cluster"):
            if fit is None or (as_of_day - fit.day).days >= params.refit_days:
                init = warm_init(window.vectors, window.ids, positions)
                recent = recent_mask(window.published, as_of, config.signals.recent_days)
                clustered = fit_clusters(
                    window.contents, window.vectors, config.settings.min_topic_size, init, recent=recent
                )
                if clustered.coords is not None:
                    positions = dict(zip(window.ids, clustered.coords, strict=True))
                fit = _Fit(as_of_day, window, clustered)
            clusters = fit.place(window)
        with phases.timed("analyse"):
            output = analyse_step(
                window,
                clusters,
                as_of=as_of,
                id_prefix=f"t{as_of_day:%Y%m%d}",
                tracked=tracked,
                params=config.signals,
                total_daily=totals,
                themes=themes,
            )
        tracked = output.tracked
        for item_id, topic_id, _prob in output.assignments:
            last_topic[item_id] = topic_id
        for topic in output.topics:
            signals.append(_signal(as_of_day, topic))
        progress.advance()
    progress.done()
    return _write_outputs(
        out_dir, corpus, last_topic, signals, params, config, phases, started, steps, len(used)
    )


class _Fit:
    """One clustering of a window, able to place the items of a later window on its clusters."""

    def __init__(self, day: date, window: Window, clusters: Clusters) -> None:
        self.day = day
        self.labels = dict(zip(window.ids, clusters.labels, strict=True))
        self.probabilities = dict(zip(window.ids, clusters.probabilities, strict=True))
        self.keywords = clusters.keywords
        ids = sorted(set(clusters.labels) - {-1})
        self.cluster_ids = ids
        labels = np.asarray(clusters.labels)
        self.centroids = (
            np.vstack([centroid(window.vectors[labels == k]) for k in ids])
            if ids
            else np.zeros((0, window.vectors.shape[1] if len(window) else 0))
        )

    def place(self, window: Window) -> Clusters:
        labels: list[int] = []
        probabilities: list[float | None] = []
        for index, item_id in enumerate(window.ids):
            if item_id in self.labels:
                labels.append(self.labels[item_id])
                probabilities.append(self.probabilities[item_id])
                continue
            label, similarity = -1, None
            if len(self.cluster_ids):
                scores = self.centroids @ window.vectors[index]
                best = int(scores.argmax())
                if scores[best] >= PLACE_THRESHOLD:
                    label, similarity = self.cluster_ids[best], float(scores[best])
            labels.append(label)
            probabilities.append(similarity)
        return Clusters(labels=labels, keywords=self.keywords, probabilities=probabilities)


def _embed(
    embedder: Embedder, texts: list[str], progress: Progress, cache_path: Path | None = None
) -> Vector:
    from radar.backtest.embed_cache import EmbeddingCache

    cache = EmbeddingCache(cache_path, embedder.name) if cache_path else None
    cached = cache.get_many(texts) if cache else [None] * len(texts)
    missing = [i for i, vector in enumerate(cached) if vector is None]
    progress.start("embedding", len(missing))
    computed: dict[int, Vector] = {}
    for chunk in _chunks(missing, 512):
        vectors = np.round(embedder.embed([texts[i] for i in chunk]), EMBED_DECIMALS).astype(np.float32)
        computed.update(zip(chunk, vectors, strict=True))
        if cache:
            cache.put_many([texts[i] for i in chunk], vectors)
        progress.advance(len(chunk))
    progress.done()
    if cache:
        cache.close()
    rows = [computed[i] if vector is None else vector for i, vector in enumerate(cached)]
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(rows).astype(np.float32)


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _signal(as_of: date, topic: Any) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "topic_id": topic.tracked.id,
        "state": topic.classification.state,
        "score": topic.classification.score,
        "items": topic.size,
        "label": topic.tracked.label,
        "keywords": topic.tracked.keywords[:10],
        "evidence": {
            **topic.classification.evidence,
            "kind": topic.tracked.kind,
            "previous_state": topic.previous_state,
            "sources": dict(list(topic.sources.items())[:10]),
        },
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _write_outputs(
    out_dir: Path,
    corpus: Corpus,
    last_topic: dict[str, str | None],
    signals: list[dict[str, Any]],
    params: BacktestParams,
    config: RadarConfig,
    phases: _Phases,
    started: float,
    steps: list[date],
    used: int,
) -> dict[str, Any]:
    with phases.timed("write"):
        with (out_dir / "signals.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(signal, ensure_ascii=False) + "\n" for signal in signals)
        with (out_dir / "assignments.jsonl").open("w", encoding="utf-8") as handle:
            seen: set[str] = set()
            for item_id in corpus.input_ids:
                if item_id in seen:
                    continue
                seen.add(item_id)
                original = corpus.duplicate_of.get(item_id, item_id)
                handle.write(json.dumps({"item_id": item_id, "topic_id": last_topic.get(original)}) + "\n")
    states = Counter(signal["state"] for signal in signals)
    summary = {
        "parameters": {
            # The resolved span, so that a run describes itself even when --start/--end were left out.
            "start": _iso(steps[0] if steps else params.start),
            "end": _iso(steps[-1] if steps else params.end),
            "every_days": params.every_days,
            "refit_days": params.refit_days,
            "window_days": config.settings.analysis_window_days,
            "min_topic_size": config.settings.min_topic_size,
            "embedding_model": config.settings.embedding_model,
            "signals": config.signals.model_dump(),
        },
        "counts": {
            "input_lines": corpus.report.lines,
            "malformed_lines": corpus.report.malformed,
            "items": len(corpus.records),
            "items_embedded": used,
            "duplicates_by_url": corpus.duplicates_by_url,
            "duplicates_by_content": corpus.duplicates_by_content,
            "as_of_steps": len(steps),
            "signals": len(signals),
            "topics": len({signal["topic_id"] for signal in signals}),
            "states": dict(states),
        },
        "errors": corpus.report.errors,
        "seconds": {name: round(value, 2) for name, value in phases.seconds.items()}
        | {"total": round(time.perf_counter() - started, 2)},
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary
