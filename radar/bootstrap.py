"""The one place where settings become a store, a cache, an embedder and a worker's shared parts."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from radar.cache import Cache, EmbeddedCache, RedisCache
from radar.core import Radar
from radar.embedding import make_embedder
from radar.settings import RadarConfig, Settings, load_config
from radar.store import open_store

if TYPE_CHECKING:
    from radar.worker import Coordination

log = logging.getLogger(__name__)


def make_cache(settings: Settings) -> Cache:
    if settings.redis_url:
        return RedisCache(settings.redis_url, prefix=settings.redis_prefix)
    return EmbeddedCache(settings.cache_path)


def make_coordination(radar: Radar) -> Coordination:
    """What a worker shares with the others: locks and the embedding queue in Redis when it is configured
    (the queue only with ``worker_embedding``), else locks in the store; source claims always in the store."""
    from radar.coordination import new_holder_id
    from radar.coordination.redis_locks import RedisLocks, redis_client
    from radar.coordination.store_leases import SourceClaims
    from radar.embed_queue import EmbedQueue
    from radar.worker import Coordination

    settings = radar.settings
    if not settings.redis_url:
        return Coordination.in_store(radar, now=lambda: datetime.now(UTC))
    holder = new_holder_id()
    client = redis_client(settings.redis_url)
    queue = None
    if settings.worker_embedding:
        queue = EmbedQueue(
            client,
            settings.redis_prefix,
            radar.embedder.name,
            holder,
            reclaim_idle_s=settings.embedding_reclaim_s,
        )
        queue.forget_idle_consumers()
    return Coordination(
        holder,
        SourceClaims(radar.store, holder, settings.worker_lease_s),
        RedisLocks(client, settings.redis_prefix),
        queue,
        close=client.close,
    )


def make_radar(config: RadarConfig | None = None, *, home: Path | None = None, migrate: bool = True) -> Radar:
    """Wire a :class:`Radar` from validated config (read from ``home`` or ``RADAR_HOME`` when not given)."""
    config = config or load_config(home)
    settings = config.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.store_url, migrate=migrate, busy_timeout_s=settings.store_busy_timeout_s)
    cache = make_cache(settings)
    embedder = make_embedder(settings.embedding_model, settings.embedding_batch_size)
    return Radar(config, store, cache, embedder)
