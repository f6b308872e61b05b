"""One analysis run: window from the store -> clusters -> tracked topics -> persisted run."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from radar.analysis.topic_model import fit_clusters
from radar.analysis.topics import TopicParams, build_result
from radar.progress import Progress, Silent
from radar.settings import Settings
from radar.store import RunInfo, SqlStore

log = logging.getLogger(__name__)


def run_analysis(
    store: SqlStore, settings: Settings, *, model: str, as_of: datetime, progress: Progress | None = None
) -> RunInfo:
    """Analyse the window ending at ``as_of``. A failure is recorded on the run and re-raised;
    the previous finished run stays the one that is served."""
    progress = progress or Silent()
    progress.start("analysing", 3)
    window_start = as_of - timedelta(days=settings.analysis_window_days)
    window = store.window(model, window_start, as_of)
    progress.advance()
    run_id = store.start_run(as_of=as_of, window_days=settings.analysis_window_days, model=model)
    try:
        clusters = fit_clusters(window.contents, window.vectors, settings.min_topic_size)
        progress.advance()
        result = build_result(
            window,
            clusters,
            as_of=as_of,
            run_id=run_id,
            tracked=store.tracked_centroids(),
            params=TopicParams(settings.analysis_window_days, settings.growth_recent_days),
        )
        store.finish_run(run_id, result)
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
