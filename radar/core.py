"""The Radar facade: the one object the CLI, API, dashboard and scheduler talk to."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from radar.cache import Cache
from radar.collect import CollectReport, collect_sources
from radar.domain import Topic
from radar.embedding import Embedder
from radar.errors import CacheError
from radar.progress import Progress, Silent
from radar.settings import RadarConfig
from radar.store import RunInfo, SqlStore

log = logging.getLogger(__name__)

TOPICS_KEY = "v1:topics:latest"


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
            vectors = self.embedder.embed([content for _, content in pending])
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
        run = run_analysis(self.store, self.config, self.embedder, as_of=as_of, progress=progress)
        self._refresh_cache()
        return run

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
