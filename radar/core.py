"""The Radar facade: the one object the CLI, API, dashboard and scheduler talk to."""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson

from radar import metrics
from radar.cache import Cache
from radar.collect import CollectReport, collect_sources
from radar.domain import Topic
from radar.embedding import Embedder
from radar.errors import CacheError, ConfigError, RadarError
from radar.progress import Progress, Silent
from radar.settings import BrandProfile, RadarConfig, parse_duration
from radar.store import RunInfo, SqlStore
from radar.triage import Triage

if TYPE_CHECKING:
    from radar.values.pipeline import ValueViews

log = logging.getLogger(__name__)

TOPICS_KEY = "v1:topics:latest"
# Brand-values views per profile; the version prefix changes with the payload's shape, so that a deploy
# never serves a payload written by older code (v2: the snapshot without its evidence, see
# radar/values/snapshot.py).
SNAPSHOT_KEY = "v2:snapshot:{profile}"
DELTAS_KEY = "v2:deltas:{profile}"
# Placement evidence, by topic, in buckets: one key per topic would be 5,000 writes per run, one key for all
# would make reading one topic's evidence decode all of them (about 4 MB at 5,000 topics).
EVIDENCE_KEY = "v2:evidence:{profile}:{bucket}"
EVIDENCE_BUCKETS = 64


def evidence_bucket(topic_id: str) -> int:
    """The evidence bucket of a topic: stable across processes and runs (unlike ``hash``)."""
    return zlib.crc32(topic_id.encode()) % EVIDENCE_BUCKETS


def encode(payload: dict[str, Any]) -> bytes:
    """JSON bytes of a view: orjson, because the stdlib takes ~30 ms for a 5,000-topic snapshot."""
    return orjson.dumps(payload)


class Radar:
    """Collect, embed, analyse and read back. Built by :func:`radar.bootstrap.make_radar`."""

    def __init__(self, config: RadarConfig, store: SqlStore, cache: Cache, embedder: Embedder) -> None:
        self.config = config
        self.settings = config.settings
        self.store = store
        self.cache = cache
        self.embedder = embedder

    def close(self) -> None:
        self.store.close()
        self.cache.close()

    # -- pipeline ------------------------------------------------------------------------------------

    def collect(self, progress: Progress | None = None) -> CollectReport:
        return collect_sources(self.store, self.settings, self.config.sources, progress=progress)

    def embed_pending(self, progress: Progress | None = None) -> int:
        """Embed every stored item that has no vector from the configured model yet."""
        progress = progress or Silent()
        model = self.embedder.name
        total = self.store.count_to_embed(model)
        progress.start("embedding", total)
        done = 0
        batch = max(self.settings.embedding_batch_size, 1) * 4
        while True:
            pending = self.store.items_to_embed(model, limit=batch)
            if not pending:
                break
            started = time.perf_counter()
            vectors = self.embedder.embed([content for _, content in pending])
            metrics.embedding_seconds.observe(time.perf_counter() - started)
            metrics.items_embedded.inc(len(pending))
            self.store.save_embeddings(
                model, [(item_id, vectors[i]) for i, (item_id, _) in enumerate(pending)]
            )
            done += len(pending)
            progress.advance(len(pending))
        progress.done()
        return done

    def analyze(self, as_of: datetime | None = None, progress: Progress | None = None) -> RunInfo:
        """Fit topics on the look-back window ending at ``as_of`` (default: now) and persist the run."""
        from radar.analysis.run import run_analysis

        as_of = as_of or datetime.now(UTC)
        started = time.perf_counter()
        try:
            run = run_analysis(self.store, self.config, self.embedder, as_of=as_of, progress=progress)
        except Exception:
            metrics.analysis_seconds.labels("failed").observe(time.perf_counter() - started)
            raise
        metrics.analysis_seconds.labels("done").observe(time.perf_counter() - started)
        self._refresh_cache()
        self._refresh_values(run)
        self._enqueue_alerts(run)
        return run

    # -- alerts (radar.alerts) -----------------------------------------------------------------------

    def _enqueue_alerts(self, run: RunInfo) -> None:
        from radar.alerts.service import enqueue_run_alerts

        # After the run is stored: a failure here must not fail the run, and the next run's evaluation
        # cannot recreate this run's transitions, so it is logged loudly.
        try:
            added = enqueue_run_alerts(self.store, self.config, run, datetime.now(UTC))
        except RadarError as exc:
            log.error("alerts of run %s not recorded: %s", run.id, exc)
            return
        if added:
            log.info("run %s: %d alerts recorded", run.id, added)

    def alerts(self, limit: int = 100) -> list[dict[str, Any]]:
        """Recorded alerts, newest first, with their delivery status (stored, pending, sending, sent,
        failed), attempts and last error."""
        return [row.as_dict() for row in self.store.alert_rows(limit)]

    def test_alert(self, url: str, kind: str = "slack") -> dict[str, Any]:
        """Send a sample alert to ``url`` through the outbox (retries included) and return its final row."""
        from radar.alerts.service import send_test

        return send_test(self.store, self.config, url, kind, now=lambda: datetime.now(UTC)).as_dict()

    def deliver_alerts(self, holder: str) -> dict[str, int]:
        """Record the time-driven alerts (sources, digest), then send every due alert once; counts."""
        from radar.alerts.deliver import deliver_due
        from radar.alerts.service import enqueue_periodic_alerts, notifiers, retry_policy

        enqueue_periodic_alerts(self.store, self.config, datetime.now(UTC))
        alerts = self.config.alerts
        report = deliver_due(
            self.store,
            notifiers(self.config),
            retry_policy(alerts),
            holder=holder,
            now=lambda: datetime.now(UTC),
            timeout_s=parse_duration(alerts.timeout),
        )
        return {"sent": len(report.sent), "retrying": len(report.retrying), "failed": len(report.failed)}

    # -- reading -------------------------------------------------------------------------------------

    def topics(self) -> list[Topic]:
        return self.store.topics()

    def topics_payload(self) -> dict[str, Any]:
        """The latest topics as served by the API and dashboard: from the cache, rebuilt on a miss."""
        try:
            cached = self.cache.get(TOPICS_KEY)
        except CacheError as exc:
            log.warning("cache unavailable, reading the store: %s", exc)
            cached = None
        if cached is not None:
            payload: dict[str, Any] = json.loads(cached)
            return payload
        return self._refresh_cache()

    def _refresh_cache(self) -> dict[str, Any]:
        run = self.store.latest_run()
        payload: dict[str, Any] = {
            "run_id": run.id if run else None,
            "as_of": run.as_of.isoformat() if run else None,
            "topics": [topic.as_dict() for topic in self.store.topics(run.id)] if run else [],
        }
        try:
            self.cache.set(TOPICS_KEY, json.dumps(payload).encode(), ttl_s=self.settings.cache_ttl_s)
        except CacheError as exc:
            log.warning("cache write skipped: %s", exc)
        return payload

    # -- brand values --------------------------------------------------------------------------------

    def profiles(self) -> list[str]:
        """Names of the configured brand profiles; the first one is the default."""
        return [profile.name for profile in self.config.profiles]

    def snapshot(self, profile: str | None = None) -> dict[str, Any]:
        """The latest radar snapshot of ``profile`` (default: the first), JSON-ready: from the cache, else
        from the store. Without evidence: see :meth:`placement_evidence`. Raises :class:`ConfigError` for
        an unknown profile."""
        chosen = self._profile(profile)
        cached = self._cache_read(SNAPSHOT_KEY.format(profile=chosen.name))
        if cached is not None:
            return cached
        return self._value_views(chosen).snapshot

    def snapshot_json(self, profile: str | None = None) -> bytes:
        """The same snapshot as JSON bytes, straight from the cache when it is there: what the API serves,
        without decoding and encoding it again on each request."""
        chosen = self._profile(profile)
        cached = self._cache_get(SNAPSHOT_KEY.format(profile=chosen.name))
        if cached is not None:
            return cached
        return encode(self._value_views(chosen).snapshot)

    def placement_evidence(self, profile: str | None, topic_id: str) -> dict[str, Any] | None:
        """Why a topic of the latest snapshot of ``profile`` is placed where it is: per value or red line
        it scores above 0 on, its closest items, the matched phrase and shared terms; and its
        contradiction scores. None for a topic not in that snapshot."""
        return self.placement_evidences(profile, [topic_id]).get(topic_id)

    def placement_evidences(self, profile: str | None, topic_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """:meth:`placement_evidence` of several topics, reading only the cache buckets they fall in."""
        chosen = self._profile(profile)
        wanted: dict[int, list[str]] = {}
        for topic_id in topic_ids:
            wanted.setdefault(evidence_bucket(topic_id), []).append(topic_id)
        found: dict[str, dict[str, Any]] = {}
        for bucket, ids in wanted.items():
            part = self._cache_read(EVIDENCE_KEY.format(profile=chosen.name, bucket=bucket))
            if part is None:
                # Every bucket is written at every run, empty or not: a missing one was flushed or expired.
                evidence = self._value_views(chosen).evidence
                return {
                    topic_id: evidence[topic_id]
                    for bucket_ids in wanted.values()
                    for topic_id in bucket_ids
                    if topic_id in evidence
                }
            found.update((topic_id, part[topic_id]) for topic_id in ids if topic_id in part)
        return found

    def deltas(self, profile: str | None = None, since_run: int | None = None) -> dict[str, Any]:
        """What changed at the latest run for ``profile`` (default: the first), JSON-ready; with
        ``since_run``, what changed between that run's snapshot (or the latest one before it) and now."""
        from radar.values.deltas import compute_deltas

        chosen = self._profile(profile)
        if since_run is not None:
            current = self.snapshot(chosen.name)
            return compute_deltas(self.store.value_snapshot(chosen.name, before=since_run + 1), current)
        cached = self._cache_read(DELTAS_KEY.format(profile=chosen.name))
        if cached is not None:
            return cached
        return self._value_views(chosen).deltas

    def _profile(self, name: str | None) -> BrandProfile:
        profiles = {profile.name: profile for profile in self.config.profiles}
        where = str(self.settings.config_dir / "brand.toml")
        if not profiles:
            raise ConfigError("no brand profile is configured; add a [[profile]] table", file=where)
        if name is None:
            return self.config.profiles[0]
        if name not in profiles:
            known = ", ".join(profiles)
            raise ConfigError(f"unknown profile {name!r}; known profiles: {known}", file=where, key="profile")
        return profiles[name]

    def _value_views(self, profile: BrandProfile) -> ValueViews:
        """A cache miss: the stored views of the latest run, computed now if that run has none (a profile
        added since, a run made before brand values existed, or views stored in an older shape); cached
        again either way."""
        from radar.values.deltas import compute_deltas
        from radar.values.pipeline import ValueViews, compute_views
        from radar.values.snapshot import VERSION, empty_snapshot, from_stored

        run = self.store.latest_run()
        if run is None:
            empty = empty_snapshot(profile)
            return ValueViews(empty, compute_deltas(None, empty), {})
        stored = self.store.value_snapshot(profile.name, run.id)
        deltas = self.store.value_deltas(profile.name, run.id)
        if stored is None or deltas is None or stored.get("version") != VERSION:
            views = compute_views(self.store, self.config, self.embedder, run, [profile])[profile.name]
        else:
            snapshot, evidence = from_stored(stored)
            views = ValueViews(snapshot, deltas, evidence)
        self._cache_views(profile.name, views)
        return views

    def _refresh_values(self, run: RunInfo) -> None:
        from radar.values.pipeline import compute_views

        for name, views in compute_views(self.store, self.config, self.embedder, run).items():
            self._cache_views(name, views)

    def _cache_views(self, profile: str, views: ValueViews) -> None:
        buckets: list[dict[str, Any]] = [{} for _ in range(EVIDENCE_BUCKETS)]
        for topic_id, entry in views.evidence.items():
            buckets[evidence_bucket(topic_id)][topic_id] = entry
        writes = [
            (SNAPSHOT_KEY.format(profile=profile), views.snapshot),
            (DELTAS_KEY.format(profile=profile), views.deltas),
            *(
                (EVIDENCE_KEY.format(profile=profile, bucket=bucket), part)
                for bucket, part in enumerate(buckets)
            ),
        ]
        for key, payload in writes:
            try:
                self.cache.set(key, encode(payload), ttl_s=self.settings.cache_ttl_s)
            except CacheError as exc:
                log.warning("cache write skipped: %s", exc)
                return  # the cache is down: the other writes would fail the same way

    def _cache_get(self, key: str) -> bytes | None:
        try:
            return self.cache.get(key)
        except CacheError as exc:
            log.warning("cache unavailable, reading the store: %s", exc)
            return None

    def _cache_read(self, key: str) -> dict[str, Any] | None:
        cached = self._cache_get(key)
        if cached is None:
            return None
        payload: dict[str, Any] = orjson.loads(cached)
        return payload

    # -- dashboard reads and triage (thin: the store's read API, scoped to the latest run) ------------

    def _latest_run_id(self) -> int:
        run = self.store.latest_run()
        return run.id if run else 0  # 0: no run yet, so no topic has a state (the store says not found)

    def topic_detail(self, topic_id: str) -> dict[str, Any]:
        """A topic as of the latest run: row, evidence, items, lineage. Raises NotFoundError."""
        return self.store.topic_detail(topic_id, self._latest_run_id())

    def topic_timeline(self, topic_id: str) -> dict[str, Any]:
        """A topic's items per day and its state at every run. Raises NotFoundError."""
        return self.store.topic_timeline(topic_id, self._latest_run_id())

    def set_triage(
        self, topic_id: str, action: str, note: str | None = None, by: str | None = None
    ) -> Triage:
        """Acknowledge, dismiss, watch or clear a topic (the verbs of :data:`radar.triage.ACTIONS`)."""
        from radar.triage import ACTIONS

        if action not in ACTIONS:
            raise ValueError(f"unknown triage action {action!r}; one of {', '.join(ACTIONS)}")
        return self.store.set_triage(topic_id, ACTIONS[action], note or None, by)

    def triage_all(self, status: str | None = None) -> list[Triage]:
        return self.store.triage_all(status)

    def triage_history(self, topic_id: str) -> list[dict[str, Any]]:
        return self.store.triage_history(topic_id)

    def source_health(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Each configured (then remembered) source's health: last success, errors, items per day."""
        from radar.source_health import HEALTH_DAYS, source_health

        now = now or datetime.now(UTC)
        states = {state.name: state for state in self.store.source_states()}
        recent = self.store.items_per_source(now - timedelta(days=HEALTH_DAYS), now)
        return [row.as_dict() for row in source_health(self.config.sources, states, recent, now)]

    def backtest_jobs(self, limit: int = 100) -> list[Any]:
        """Backtests submitted through the API, newest first (their outputs: home/backtests/<id>/out)."""
        return self.store.backtest_jobs(limit)

    def stats(self) -> dict[str, Any]:
        counts = self.store.stats()
        counts["sources_configured"] = len(self.config.sources)
        counts["embedding_model"] = self.embedder.name
        counts["cache"] = type(self.cache).__name__
        return counts

    def default_as_of(self) -> datetime:
        """Now, unless the newest item is older than the window (imported or demo data): then that item."""
        now = datetime.now(UTC)
        latest = self.store.latest_published()
        if latest is not None and latest < now - timedelta(days=self.settings.analysis_window_days):
            return latest
        return now
