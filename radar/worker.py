"""The worker: one APScheduler job per enabled source, plus the analysis job; stops on SIGTERM.

Each source job's trigger is the source's interval or cron, but the time it really fires is the
``next_due_at`` its previous fetch stored (with error backoff and jitter, see :mod:`radar.schedule`):
after every run the job is moved to that time. On start, each job's first run comes from the store too
(:func:`radar.schedule.first_runs`), so a restart does not refetch everything at once.

Several workers may share one store: each schedules every source, and a job fetches only after claiming
the source's due slot in the store; the analysis runs under a lock, once per epoch-aligned slot; with
Redis, each worker also embeds from the shared queue in a thread of its own. See
:mod:`radar.coordination` for the design and what happens when a worker dies.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from types import FrameType
from typing import Any

from radar.collect import Clock, Jitter, collect_one
from radar.coordination import Locks, analysis_slot, new_holder_id, renewing
from radar.coordination.store_leases import SourceClaims, StoreLocks
from radar.core import Radar
from radar.crontab import cron_trigger
from radar.embed_queue import EmbedQueue, limit_threads
from radar.embedding import Embedder
from radar.errors import RadarError, StoreError
from radar.schedule import first_runs
from radar.settings import SourceConfig, parse_duration
from radar.store.records import Vector

log = logging.getLogger(__name__)


# The epoch, as the start of the analysis trigger: every worker then fires at the same times.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# How often a worker with the embedding queue looks in the store for items to queue, new items or not.
FEED_EVERY_S = 10.0
# How often a worker records the time-driven alerts (digest, sources) and sends the outbox's due rows.
ALERTS_EVERY_S = 15.0


@dataclass(slots=True)
class Coordination:
    """What one worker shares with the others: source claims, locks, and the embedding queue (Redis)."""

    holder: str
    claims: SourceClaims
    locks: Locks
    queue: EmbedQueue | None = None
    close: Callable[[], None] = field(default=lambda: None)

    @classmethod
    def in_store(cls, radar: Radar, now: Clock) -> Coordination:
        """Claims and locks in the store only: several workers on one store, no Redis."""
        holder = new_holder_id()
        lease = radar.settings.worker_lease_s
        return cls(holder, SourceClaims(radar.store, holder, lease, now), StoreLocks(radar.store, now))


class _ThreadLimited:
    """The radar's embedder, with this process's torch threads set on first use (importing torch is slow,
    so a worker that never embeds never pays for it)."""

    def __init__(self, embedder: Embedder, threads: int) -> None:
        self._embedder = embedder
        self._threads = threads
        self.name = embedder.name

    def embed(self, texts: Sequence[str]) -> Vector:
        if self._threads:
            limit_threads(self._threads)
            self._threads = 0
        return self._embedder.embed(texts)


def analyze_now(radar: Radar) -> None:
    limit_threads(radar.settings.embedding_threads)
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
        coordination: Coordination | None = None,
    ) -> None:
        from collectors.fetcher import Fetcher, FetchPolicy

        self.radar = radar
        self.scheduler = scheduler
        self._now = now
        self._jitter = jitter
        self.coordination = coordination or Coordination.in_store(radar, now)
        self._stopping = threading.Event()
        self._new_items = threading.Event()
        self._embedding: threading.Thread | None = None
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
        self._sync_sources(enabled)
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
        from apscheduler.triggers.interval import IntervalTrigger

        self.scheduler.add_job(
            self._guarded("analysis", self.run_analysis),
            IntervalTrigger(
                seconds=parse_duration(settings.analysis_interval), start_date=EPOCH, timezone=UTC
            ),
            id="analyze",
            executor="analysis",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        if settings.retention_days:
            # Daily; under the analysis lock (run_retention), so it runs once across workers and never
            # deletes items under a running analysis.
            self.scheduler.add_job(
                self._guarded("retention", self.run_retention),
                "interval",
                days=1,
                id="retention",
                executor="analysis",
                next_run_time=self._now(),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        # The alert outbox: no lock needed, each row is claimed by a conditional update (radar.alerts).
        self.scheduler.add_job(
            self._guarded("alerts", lambda: self.radar.deliver_alerts(self.coordination.holder)),
            "interval",
            seconds=ALERTS_EVERY_S,
            id="alerts",
            next_run_time=self._now(),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        if self.coordination.queue is not None:
            self._embedding = threading.Thread(target=self._embed_loop, name="embedding queue", daemon=True)
            self._embedding.start()
        log.info(
            "worker %s scheduled %d sources, analysis every %s",
            self.coordination.holder,
            len(enabled),
            settings.analysis_interval,
        )

    def _sync_sources(self, enabled: Sequence[SourceConfig]) -> None:
        # Workers started together all insert the new sources' rows: the losers of that race fail on the
        # primary key, and find the rows there on the next try.
        for attempt in range(3):
            try:
                self.radar.store.sync_sources((s.name, s.kind, s.url) for s in enabled)
                return
            except StoreError:
                if attempt == 2:
                    raise
                time.sleep(0.2 + random.random())

    def run_source(self, source: SourceConfig) -> None:
        """Claim the source's due slot and fetch it, then move its job to the due time now stored.

        When the claim fails (another worker holds or has done this slot), the job just moves to the
        stored time: the holder's lease end, or the next due time its fetch wrote.
        """
        claims = self.coordination.claims
        if claims.claim(source.name):
            try:
                outcome = collect_one(
                    self.radar.store, source, self._fetcher, now=self._now, jitter=self._jitter
                )
            finally:
                claims.release(source.name)
            log.info("source %s: %s", source.name, outcome.error or f"{outcome.new_items} new items")
            if outcome.new_items:
                self._new_items.set()
        state = self.radar.store.source_state(source.name)
        if state is None or state.next_due_at is None:
            return  # the trigger's own next time stands
        from apscheduler.jobstores.base import JobLookupError

        # Never in the past: a slot missed by a hair would otherwise spin the job.
        when = max(state.next_due_at, self._now())
        try:
            self.scheduler.modify_job(source_job_id(source.name), next_run_time=when)
        except JobLookupError:
            pass  # the scheduler is shutting down

    def run_analysis(self) -> bool:
        """Embed and analyse, unless another worker is analysing or has done this schedule slot."""
        interval = parse_duration(self.radar.settings.analysis_interval)
        return self._once_per_slot("analysis", interval, lambda: analyze_now(self.radar))

    def run_retention(self) -> bool:
        """Purge what the retention policy says, once a day across all workers, never during an analysis."""
        from radar.retention import apply_retention

        days = self.radar.settings.retention_days
        return self._once_per_slot("retention", 86_400, lambda: apply_retention(self.radar.store, days))

    def _once_per_slot(self, job: str, interval_s: int, func: Callable[[], object]) -> bool:
        """Run ``func`` under the ``analysis`` lock, once per ``interval_s`` slot however many workers fire.

        Returns whether this worker ran it. The lock keeps the analysis and the purge from overlapping on
        any worker (a purge must not delete items under a running analysis); the slot mark, taken while
        holding it, keeps a slot from running twice.

        With Redis down the lock cannot be taken: ``acquire`` raises and the slot is skipped (logged by
        ``_guarded``). This fails closed on purpose, unlike the API's rate limit: two analyses at once, or
        a purge under an analysis, would corrupt a run, while a skipped slot only delays it to the next
        one. Fetching goes on meanwhile, since source claims live in the store.
        """
        lease = self.radar.settings.worker_lease_s
        locks, me = self.coordination.locks, self.coordination.holder
        slot = analysis_slot(self._now(), interval_s)
        if not locks.acquire("analysis", me, lease):
            log.info("%s of slot %d left to %s, which is analysing", job, slot, locks.holder("analysis"))
            return False
        try:
            if not locks.acquire(f"{job}:{slot}", me, max(interval_s, lease)):
                log.info("%s of slot %d already done by another worker", job, slot)
                return False
            with renewing(locks, "analysis", me, lease):
                func()
            return True
        finally:
            locks.release("analysis", me)

    def _embed_loop(self) -> None:
        """Feed and drain the embedding queue until stopped; the batch in hand is finished first."""
        queue = self.coordination.queue
        assert queue is not None
        store = self.radar.store
        embedder = _ThreadLimited(self.radar.embedder, self.radar.settings.embedding_threads)
        batch = max(self.radar.settings.embedding_batch_size, 1)
        next_feed = 0.0
        while not self._stopping.is_set():
            try:
                if self._new_items.is_set() or time.monotonic() >= next_feed:
                    self._new_items.clear()
                    next_feed = time.monotonic() + FEED_EVERY_S
                    queue.feed(store)
                queue.work_once(store, embedder, batch, block_ms=1000)
            except RadarError as exc:
                log.warning("embedding queue: %s", exc)
                self._stopping.wait(5.0)  # Redis or the store is down: do not spin

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
        """Wait for running jobs and the embedding batch in hand to finish, then release what is held."""
        for executor in self._executors:
            executor.shutdown(wait=True)
        if self._embedding is not None:
            self._stopping.set()
            self._embedding.join()
        self._fetcher.close()
        self.coordination.close()


def run_worker(radar: Radar) -> None:
    """Run until SIGTERM or SIGINT: the running jobs finish, then the process stops."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from radar import metrics

    try:
        metrics.serve(radar.settings.metrics_port)
    except OSError as exc:  # the port is taken: collecting matters more than being scraped
        log.error("metrics not served on port %s: %s", radar.settings.metrics_port, exc)
    from radar.bootstrap import make_coordination

    worker = Worker(radar, BlockingScheduler(timezone=UTC), coordination=make_coordination(radar))
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
