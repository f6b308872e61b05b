"""The one place where settings become a store, a cache and an embedder."""

from __future__ import annotations

import logging
from pathlib import Path

from radar.cache import Cache, EmbeddedCache, RedisCache
from radar.core import Radar
from radar.embedding import make_embedder
from radar.settings import RadarConfig, Settings, load_config
from radar.store import open_store

log = logging.getLogger(__name__)


def make_cache(settings: Settings) -> Cache:
    if settings.redis_url:
        return RedisCache(settings.redis_url)
    return EmbeddedCache(settings.cache_path)


def make_radar(config: RadarConfig | None = None, *, home: Path | None = None, migrate: bool = True) -> Radar:
    """Wire a :class:`Radar` from validated config (read from ``home`` or ``RADAR_HOME`` when not given)."""
    config = config or load_config(home)
    settings = config.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.store_url, migrate=migrate)
    cache = make_cache(settings)
    embedder = make_embedder(settings.embedding_model, settings.embedding_batch_size)
    return Radar(config, store, cache, embedder)
