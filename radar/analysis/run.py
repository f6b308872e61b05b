"""One live analysis run: window from the store -> clusters -> tracked step -> persisted run."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from radar.analysis.novelty import recent_mask
from radar.analysis.step import HISTORY_DAYS, StepOutput, Theme, Tracked, analyse_step
from radar.analysis.topic_model import SEED, fit_clusters, warm_init
from radar.coordination import process_gone, process_owner
from radar.embedding import Embedder
from radar.progress import Progress, Silent
from radar.settings import RadarConfig, WatchTheme
from radar.store import AnalysisResult, RunInfo, SqlStore, TopicRecord

log = logging.getLogger(__name__)

INTERRUPTED = "interrupted (process ended before finishing)"


def embed_themes(themes: Sequence[WatchTheme], embedder: Embedder) -> list[Theme]:
    if not themes:
        return []
    vectors = embedder.embed([f"{t.name}. {t.description} {' '.join(t.keywords)}" for t in themes])
    return [
        Theme(id=t.slug, name=t.name, keywords=t.keywords, vector=vectors[i], threshold=t.threshold)
        for i, t in enumerate(themes)
    ]


def load_tracked(store: SqlStore, as_of: datetime) -> dict[str, Tracked]:
    since = (as_of - timedelta(days=HISTORY_DAYS)).date()
    return {
        row["id"]: Tracked(
            id=row["id"],
            kind=row["kind"],
            label=row["label"],
            keywords=list(row["keywords"]),
            centroid=row["centroid"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            peak_weekly=float(row["peak_weekly"]),
            state=row["state"],
            history=dict(row["history"]),
        )
        for row in store.tracked_topics(since)
    }


def to_result(output: StepOutput, n_items: int, as_of: datetime, run_id: int) -> AnalysisResult:
    records = [
        TopicRecord(
            id=topic.tracked.id,
            label=topic.tracked.label,
            keywords=topic.tracked.keywords,
            size=topic.size,
            first_seen=topic.tracked.first_seen,
            last_seen=topic.tracked.last_seen,
            growth=topic.measures.growth,
            centroid=np.asarray(topic.tracked.centroid, dtype=np.float32),
            daily=topic.daily,
            kind=topic.tracked.kind,
            state=topic.classification.state,
            previous_state=topic.previous_state,
            score=topic.classification.score,
            peak_weekly=topic.tracked.peak_weekly,
            evidence={
                **topic.classification.evidence,
                "sources": topic.sources,
                "langs": topic.langs,
            },
        )
        for topic in output.topics
    ]
    snapshot: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "run_id": run_id,
        "items": n_items,
        "states": _count_states(records),
        "lineage": [list(event) for event in output.lineage],
    }
    return AnalysisResult(
        topics=records,
        assignments=output.assignments,
        n_items=n_items,
        snapshot=snapshot,
        lineage=output.lineage,
        theme_members=output.theme_members,
    )


def _count_states(records: Sequence[TopicRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record.state] = counts.get(record.state, 0) + 1
    return counts


def close_interrupted_runs(store: SqlStore, now: datetime) -> list[int]:
    """Mark failed, as interrupted, the runs left ``running`` by a process that cannot still be computing
    them; return their ids.

    A process killed mid-analysis (SIGKILL, out of memory, a host lost) never reaches ``fail_run``: its run
    stays ``running`` for good. Readers never serve it (they take the latest *done* run), but the store, the
    metrics and an operator would count it as in progress. Closing "every other running run" would be wrong:
    ``radar analyze`` takes no lock, so a worker's or another CLI's analysis may be computing beside this
    one (the worker's ``analysis`` lock only orders workers among themselves). So a run is closed only when
    its owner (``host:pid``, recorded by ``start_run``) is a process of this host that no longer exists, or
    when its lease (:data:`radar.store.sql.RUN_LEASE`, far beyond any real run) has run out: the case of
    another host's process, or of a run recorded without an owner. Should such a run still finish after
    all, ``finish_run`` records it done as usual.
    """
    closed: list[int] = []
    for run_id, owner, lease_end in store.unfinished_runs():
        if (lease_end <= now or (owner is not None and process_gone(owner))) and store.fail_run(
            run_id, INTERRUPTED
        ):
            log.warning("run %s was left running by %s, which is gone: marked failed", run_id, owner or "?")
            closed.append(run_id)
    return closed


def run_analysis(
    store: SqlStore,
    config: RadarConfig,
    embedder: Embedder,
    *,
    as_of: datetime,
    progress: Progress | None = None,
) -> RunInfo:
    """Analyse the window ending at ``as_of``. A failure is recorded on the run and re-raised;
    the previous finished run stays the one that is served."""
    settings = config.settings
    progress = progress or Silent()
    progress.start("analysing", 3)
    window_start = as_of - timedelta(days=settings.analysis_window_days)
    window = store.window(embedder.name, window_start, as_of)
    copies = store.duplicate_sources(window.ids)
    if copies:
        positions = {item_id: i for i, item_id in enumerate(window.ids)}
        window = replace(window, also_sources={positions[k]: frozenset(v) for k, v in copies.items()})
    progress.advance()
    close_interrupted_runs(store, datetime.now(UTC))
    run_id = store.start_run(
        as_of=as_of, window_days=settings.analysis_window_days, model=embedder.name, owner=process_owner()
    )
    try:
        init = warm_init(window.vectors, window.ids, store.positions(embedder.name, window.ids))
        seed = None if settings.analysis_parallel else SEED
        recent = recent_mask(window.published, as_of, config.signals.recent_days)
        clusters = fit_clusters(window.contents, window.vectors, settings.min_topic_size, init, seed, recent)
        if clusters.coords is not None:
            store.save_positions(embedder.name, dict(zip(window.ids, clusters.coords, strict=True)))
        progress.advance()
        span = config.signals.recent_days + config.signals.baseline_days + config.signals.persistence_days
        output = analyse_step(
            window,
            clusters,
            as_of=as_of,
            id_prefix=f"t{run_id:05d}",
            tracked=load_tracked(store, as_of),
            params=config.signals,
            total_daily=store.total_daily(as_of - timedelta(days=span), as_of),
            themes=embed_themes(config.themes, embedder),
        )
        store.finish_run(run_id, to_result(output, len(window), as_of, run_id))
        progress.advance()
    except BaseException as exc:
        store.fail_run(run_id, f"{exc.__class__.__name__}: {exc}")
        raise
    finally:
        progress.done()
    run = store.latest_run()
    assert run is not None and run.id == run_id
    log.info("run %s: %s items, %s topics", run.id, run.n_items, run.n_topics)
    return run
