"""The worker: one APScheduler job per enabled source, plus the analysis job; stops on SIGTERM.

Each source job's trigger is the source's interval or cron, but the time it really fires is the
``next_due_at`` its previous fetch stored (with error backoff and jitter, see :mod:`radar.schedule`):
after every run the job is moved to that time. On start, each job's first run comes from the store too
(:func:`radar.schedule.first_runs`), so a restart does not refetch everything at once.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from types import FrameType
from typing import Any

from radar.collect import Clock, Jitter, collect_one
from radar.core import Radar
from radar.crontab import cron_trigger
from radar.errors import RadarError
from radar.schedule import first_runs
from radar.settings import SourceConfig, parse_duration

log = logging.getLogger(__name__)


def analyze_now(radar: Radar) -> None:
    radar.embed_pending()
    run = radar.analyze()
    log.info("analysis run %s: %s topics", run.id, run.n_topics)


def source_job_id(name: str) -> str:
    return f"source:{name}"


def _trigger(source: SourceConfig) -> Any:
    from apscheduler.triggers.interval import IntervalTrigger

    if source.cron is not None:
        return cron_trigger(source.cron)
    return IntervalTrigger(seconds=source.interval_s, timezone=UTC)


class Worker:
    """Schedules the radar's jobs on ``scheduler`` (blocking in production, background in tests)."""

    def __init__(
        self,
        radar: Radar,
        scheduler: Any,
        *,
        now: Clock = lambda: datetime.now(UTC),
        jitter: Jitter = random.random,
    ) -> None:
        from collectors.fetcher import Fetcher, FetchPolicy

        self.radar = radar
        self.scheduler = scheduler
        self._now = now
        self._jitter = jitter
        self._stopping = threading.Event()
        # One fetcher for the worker's life: per-host politeness holds across concurrent source jobs.
        self._fetcher = Fetcher(FetchPolicy.from_settings(radar.settings))
        self._executors: list[Any] = []

    def schedule(self) -> None:
        """Add every job. Call once, before the scheduler starts."""
        from apscheduler.executors.pool import ThreadPoolExecutor

        settings = self.radar.settings
        # A long analysis must not hold up fetching, nor many fetches the analysis.
        self._executors = [ThreadPoolExecutor(settings.fetch_concurrency), ThreadPoolExecutor(1)]
        self.scheduler.add_executor(self._executors[0], alias="sources")
        self.scheduler.add_executor(self._executors[1], alias="analysis")

        enabled = [source for source in self.radar.config.sources if source.enabled]
        store = self.radar.store
        store.sync_sources((s.name, s.kind, s.url) for s in enabled)
        states = {state.name: state for state in store.source_states()}
        starts = first_runs(enabled, states, self._now(), spread_above=settings.fetch_concurrency)
        for source in enabled:
            self.scheduler.add_job(
                self._guarded(f"source {source.name}", partial(self.run_source, source)),
                _trigger(source),
                id=source_job_id(source.name),
                name=f"collect {source.name}",
                executor="sources",
                next_run_time=starts[source.name],
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,  # late is better than skipped
            )
        self.scheduler.add_job(
            self._guarded("analysis", lambda: analyze_now(self.radar)),
            "interval",
            seconds=parse_duration(settings.analysis_interval),
            id="analyze",
            executor="analysis",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        log.info("worker scheduled %d sources, analysis every %s", len(enabled), settings.analysis_interval)

    def run_source(self, source: SourceConfig) -> None:
        """Fetch one source, then move its job to the due time that fetch stored."""
        outcome = collect_one(self.radar.store, source, self._fetcher, now=self._now, jitter=self._jitter)
        state = self.radar.store.source_state(source.name)
        log.info("source %s: %s", source.name, outcome.error or f"{outcome.new_items} new items")
        if state is None or state.next_due_at is None:
            return  # the trigger's own next time stands
        from apscheduler.jobstores.base import JobLookupError

        try:
            self.scheduler.modify_job(source_job_id(source.name), next_run_time=state.next_due_at)
        except JobLookupError:
            pass  # the scheduler is shutting down

    def _guarded(self, job: str, func: Callable[[], object]) -> Callable[[], None]:
        def wrapper() -> None:
            if self._stopping.is_set():
                return  # queued before the stop: do not start new work
            try:
                func()
            except RadarError as exc:
                log.error("%s failed: %s", job, exc)

        return wrapper

    def request_stop(self) -> None:
        """Stop scheduling; the jobs already running finish. Safe to call from a signal handler."""
        self._stopping.set()
        self.scheduler.shutdown(wait=False)

    def close(self) -> None:
        """Wait for running jobs to finish, then release the fetcher."""
        for executor in self._executors:
            executor.shutdown(wait=True)
        self._fetcher.close()


def run_worker(radar: Radar) -> None:
    """Run until SIGTERM or SIGINT: the running jobs finish, then the process stops."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    worker = Worker(radar, BlockingScheduler(timezone=UTC))
    worker.schedule()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: finishing the running jobs, then stopping", signum)
        worker.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        worker.scheduler.start()
    finally:
        worker.close()
