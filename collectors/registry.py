"""Finding the collector for a source kind, without importing every collector up front.

Three places, in order of precedence:

1. collectors passed to :func:`register` (tests, embedding applications);
2. the built-in kinds below;
3. the ``vigie.collectors`` entry-point group of installed distributions, for third-party kinds::

       [project.entry-points."vigie.collectors"]
       mastodon = "vigie_mastodon:MastodonCollector"

Built-ins are declared exactly like third-party entry points and loaded the same way, on first use,
so that asking for ``known_kinds()`` or importing this module pulls in neither httpx nor feedparser.
An entry point may name a collector class (instantiated without arguments) or a ready instance.
"""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint, entry_points

from collectors.base import Collector
from radar.errors import ConfigError

ENTRY_POINT_GROUP = "vigie.collectors"

_BUILTINS: dict[str, EntryPoint] = {
    "feed": EntryPoint(name="feed", value="collectors.feed:FeedCollector", group=ENTRY_POINT_GROUP),
    "mastodon": EntryPoint(
        name="mastodon", value="collectors.mastodon:MastodonCollector", group=ENTRY_POINT_GROUP
    ),
    "reddit": EntryPoint(name="reddit", value="collectors.reddit:RedditCollector", group=ENTRY_POINT_GROUP),
    "hackernews": EntryPoint(
        name="hackernews", value="collectors.hackernews:HackerNewsCollector", group=ENTRY_POINT_GROUP
    ),
    "lemmy": EntryPoint(name="lemmy", value="collectors.lemmy:LemmyCollector", group=ENTRY_POINT_GROUP),
    "youtube": EntryPoint(
        name="youtube", value="collectors.youtube:YouTubeCollector", group=ENTRY_POINT_GROUP
    ),
    "bluesky": EntryPoint(
        name="bluesky", value="collectors.bluesky:BlueskyCollector", group=ENTRY_POINT_GROUP
    ),
    "jetstream": EntryPoint(
        name="jetstream", value="collectors.jetstream:JetstreamCollector", group=ENTRY_POINT_GROUP
    ),
    "googlenews": EntryPoint(
        name="googlenews", value="collectors.googlenews:GoogleNewsCollector", group=ENTRY_POINT_GROUP
    ),
}

_registered: dict[str, Collector] = {}
_lock = threading.RLock()  # the core looks collectors up from worker threads


def register(collector: Collector, *, replace: bool = False) -> None:
    """Make ``collector`` the one used for ``collector.kind``. Registering a second collector for a kind
    raises ``ValueError`` unless ``replace`` is true."""
    kind = getattr(collector, "kind", None)
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"{collector!r} has no 'kind' string")
    if not callable(getattr(collector, "collect", None)):
        raise ValueError(f"{collector!r} has no collect() method")
    with _lock:
        current = _registered.get(kind)
        if current is not None and current is not collector and not replace:
            raise ValueError(f"a collector for kind {kind!r} is already registered: {current!r}")
        _registered[kind] = collector


def _installed() -> dict[str, EntryPoint]:
    found: dict[str, EntryPoint] = {}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point)  # first on sys.path wins, as for imports
    return found


def _load(kind: str, entry_point: EntryPoint) -> Collector:
    try:
        loaded = entry_point.load()
        collector: Collector = loaded() if isinstance(loaded, type) else loaded
    except Exception as exc:  # third-party code may fail in any way; say which plugin did
        raise ConfigError(
            f"the collector for kind {kind!r} ({entry_point.value}) could not be loaded: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if getattr(collector, "kind", None) != kind:
        raise ConfigError(
            f"entry point {kind!r} ({entry_point.value}) gives a collector of kind "
            f"{getattr(collector, 'kind', None)!r}"
        )
    if not callable(getattr(collector, "collect", None)):
        raise ConfigError(f"entry point {kind!r} ({entry_point.value}) gives an object without collect()")
    return collector


def get_collector(kind: str) -> Collector:
    """The collector for ``kind``; raises :class:`ConfigError` naming the known kinds when there is none."""
    with _lock:
        collector = _registered.get(kind)
        if collector is not None:
            return collector
        entry_point = _BUILTINS.get(kind) or _installed().get(kind)
        if entry_point is None:
            raise ConfigError(f"unknown source kind {kind!r}; known: {', '.join(known_kinds())}")
        collector = _load(kind, entry_point)
        _registered[kind] = collector
        return collector


def known_kinds() -> list[str]:
    """Every kind that :func:`get_collector` can serve, sorted; nothing is imported to list them."""
    with _lock:
        return sorted({*_registered, *_BUILTINS, *_installed()})
