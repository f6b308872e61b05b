"""The worker: APScheduler jobs that collect due sources and run the analysis; stops on SIGTERM."""

from __future__ import annotations

import logging
import signal
from datetime import UTC, datetime
from types import FrameType

from radar.collect import collect_sources
from radar.core import Radar
from radar.errors import RadarError
from radar.schedule import due_sources
from radar.settings import parse_duration

log = logging.getLogger(__name__)
TICK_S = 60


def collect_due(radar: Radar, now: datetime | None = None) -> int:
    """Collect the sources that are due now; return how many new items were stored."""
    now = now or datetime.now(UTC)
    states = {state.name: state for state in radar.store.source_states()}
    due = due_sources(radar.config.sources, states, now)
    if not due:
        return 0
    report = collect_sources(radar.store, radar.settings, due)
    log.info("collected %d sources: %d new items, %d failed", len(due), report.new_items, len(report.failed))
    return report.new_items


def analyze_now(radar: Radar) -> None:
    radar.embed_pending()
    run = radar.analyze()
    log.info("analysis run %s: %s topics", run.id, run.n_topics)


def run_worker(radar: Radar) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler

    scheduler = BlockingScheduler(timezone="UTC")

    def guarded(job: str, func: object) -> object:
        def wrapper() -> None:
            try:
                func()  # type: ignore[operator]
            except RadarError as exc:
                log.error("%s failed: %s", job, exc)

        return wrapper

    scheduler.add_job(
        guarded("collect", lambda: collect_due(radar)),
        "interval",
        seconds=TICK_S,
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        id="collect",
    )
    scheduler.add_job(
        guarded("analyze", lambda: analyze_now(radar)),
        "interval",
        seconds=parse_duration(radar.settings.analysis_interval),
        max_instances=1,
        coalesce=True,
        id="analyze",
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the running job, then stopping", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "worker started: %d sources, analysis every %s",
        len(radar.config.sources),
        radar.settings.analysis_interval,
    )
    scheduler.start()
