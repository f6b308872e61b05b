"""Collectors: one per source kind behind the :class:`Collector` protocol, plus the shared fetcher.

The public names below are imported lazily (PEP 562), so ``import collectors`` stays cheap: httpx is
loaded with the fetcher and feedparser with the feed collector, when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collectors.base import Collector, CollectResult
    from collectors.feed import FeedCollector
    from collectors.fetcher import Fetcher, FetchPolicy, Response
    from collectors.normalize import canonical_url, detect_lang, html_to_text, to_utc
    from collectors.registry import get_collector, known_kinds, register

__all__ = [
    "CollectResult",
    "Collector",
    "FeedCollector",
    "FetchPolicy",
    "Fetcher",
    "Response",
    "canonical_url",
    "detect_lang",
    "get_collector",
    "html_to_text",
    "known_kinds",
    "register",
    "to_utc",
]

_HOMES = {
    "CollectResult": "collectors.base",
    "Collector": "collectors.base",
    "FeedCollector": "collectors.feed",
    "FetchPolicy": "collectors.fetcher",
    "Fetcher": "collectors.fetcher",
    "Response": "collectors.fetcher",
    "canonical_url": "collectors.normalize",
    "detect_lang": "collectors.normalize",
    "html_to_text": "collectors.normalize",
    "to_utc": "collectors.normalize",
    "get_collector": "collectors.registry",
    "known_kinds": "collectors.registry",
    "register": "collectors.registry",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'collectors' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
