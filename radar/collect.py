"""Collecting sources: fetch, normalise, store, and set when each is due again.

A failing source never stops the run: its error is recorded and the others go on.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from radar import metrics
from radar.domain import SourceState
from radar.errors import ConfigError, FetchError, StoreError
from radar.progress import Progress, Silent
from radar.schedule import next_due_after
from radar.settings import Settings, SourceConfig
from radar.store import SqlStore

if TYPE_CHECKING:
    from collectors.fetcher import Fetcher

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# A number in [0, 1) per fetch, the share of the allowed jitter added to the next due time.
Jitter = Callable[[], float]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    name: str
    new_items: int = 0
    fetched_items: int = 0
    not_modified: bool = False
    error: str | None = None
    url: str = ""


@dataclass(slots=True)
class CollectReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def new_items(self) -> int:
        return sum(outcome.new_items for outcome in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error]

    def as_lines(self) -> list[dict[str, object]]:
        """One JSON-ready object per source, as ``radar collect --json`` prints them."""
        return [
            {"source": o.name, "url": o.url, "new_items": o.new_items, "error": o.error}
            for o in self.outcomes
        ]


def collect_one(
    store: SqlStore,
    source: SourceConfig,
    fetcher: Fetcher,
    *,
    now: Clock = _utcnow,
    jitter: Jitter = random.random,
) -> SourceOutcome:
    """Fetch ``source`` once, store its new items and record the outcome with its next due time.

    The source must have a row in the store (:meth:`SqlStore.sync_sources`). Never raises for a fetch or
    store failure: the outcome carries the reason (``store: ...`` for the store), so that one source
    meeting the store down (a PostgreSQL restart, a locked or full SQLite file) does not end the run
    and leave the other sources' outcomes unreported.
    """
    from collectors.registry import get_collector

    try:
        state = store.source_state(source.name) or SourceState(source.name, source.kind, source.url)
    except StoreError as exc:
        return _failed(source, f"store: {exc}")  # nothing fetched, nothing to record
    fetched_at = now()
    try:
        result = get_collector(source.kind).collect(source, state, fetcher, fetched_at)
        added = store.add_items(result.items)
    except (FetchError, StoreError) as exc:
        reason = f"store: {exc}" if isinstance(exc, StoreError) else str(exc)
        due = next_due_after(source, fetched_at, state.consecutive_errors + 1, jitter())
        try:
            store.record_fetch_error(source.name, at=fetched_at, error=reason, next_due_at=due)
        except StoreError as record_exc:
            # The validators were not saved either, so the next fetch gets the whole feed again.
            log.warning("source %s: the failure could not be recorded: %s", source.name, record_exc)
        return _failed(source, reason)
    metrics.items_collected.labels(source.name).inc(added)
    try:
        store.record_fetch_success(
            source.name,
            at=fetched_at,
            etag=result.etag,
            last_modified=result.last_modified,
            new_items=added,
            cursor=result.cursor,
            next_due_at=next_due_after(source, fetched_at, 0, jitter()),
        )
    except StoreError as exc:
        # The items are stored but the validators (ETag, cursor) are not: the next fetch is a full one,
        # and the store skips the items it already holds. Reported as failed so that it is seen.
        return _failed(source, f"store: {exc}", added, len(result.items))
    return SourceOutcome(source.name, added, len(result.items), result.not_modified, url=source.url)


def _failed(source: SourceConfig, reason: str, added: int = 0, fetched: int = 0) -> SourceOutcome:
    log.warning("source %s failed: %s", source.name, reason)
    metrics.fetch_errors.labels(source.name).inc()
    return SourceOutcome(source.name, added, fetched, error=reason, url=source.url)


def collect_sources(
    store: SqlStore,
    settings: Settings,
    sources: Sequence[SourceConfig],
    *,
    progress: Progress | None = None,
    now: Clock = _utcnow,
    jitter: Jitter = random.random,
) -> CollectReport:
    """Fetch every enabled source once and store its new items. Errors are recorded per source."""
    from collectors.fetcher import Fetcher, FetchPolicy

    progress = progress or Silent()
    enabled = [source for source in sources if source.enabled]
    check_kinds(enabled)  # an unknown kind is a config error before any fetch
    store.sync_sources((s.name, s.kind, s.url) for s in enabled)
    report = CollectReport()
    progress.start("collecting", len(enabled))
    with (
        Fetcher(FetchPolicy.from_settings(settings)) as fetcher,
        ThreadPoolExecutor(max_workers=settings.fetch_concurrency) as pool,
    ):

        def run(source: SourceConfig) -> SourceOutcome:
            return collect_one(store, source, fetcher, now=now, jitter=jitter)

        for outcome in pool.map(run, enabled):
            report.outcomes.append(outcome)
            progress.advance()
    progress.done()
    return report


def check_kinds(sources: Sequence[SourceConfig], file: str = "sources.toml") -> None:
    """Raise ConfigError naming the first source whose kind no collector handles, or whose parameters
    its collector refuses (collectors may offer ``validate(source)``; it is not part of the protocol)."""
    from collectors.registry import get_collector

    for index, source in enumerate(sources):
        try:
            collector = get_collector(source.kind)
        except ConfigError as exc:
            raise ConfigError(exc.message, file=file, key=f"source[{index}].kind") from exc
        validate = getattr(collector, "validate", None)
        if callable(validate):
            try:
                validate(source)
            except ConfigError as exc:
                raise ConfigError(exc.message, file=file, key=exc.key or f"source[{index}].params") from exc


def select_sources(configured: Sequence[SourceConfig], names: Sequence[str]) -> list[SourceConfig]:
    """The configured sources named, in the order given; asked for by name, a disabled one is fetched too.

    Raises ConfigError for a name that is not configured.
    """
    by_name = {source.name: source for source in configured}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        known = ", ".join(by_name) or "none"
        raise ConfigError(f"no source named {unknown[0]!r} (configured: {known})", key="--source")
    chosen = dict.fromkeys(names)  # keeps order, drops repeats
    return [by_name[name].model_copy(update={"enabled": True}) for name in chosen]


_NOT_SLUG = re.compile(r"[^a-z0-9._-]+")


def host_name(url: str) -> str:
    """A source name from a URL's host: ``https://www.example.org/feed`` -> ``example.org``."""
    host = (urlsplit(url).hostname or "feed").removeprefix("www.")
    return _NOT_SLUG.sub("-", host).strip("-._")[:64] or "feed"


def adhoc_sources(
    urls: Sequence[str], configured: Sequence[SourceConfig], stored: Mapping[str, SourceState]
) -> list[SourceConfig]:
    """Feed sources for URLs given on the command line, never written to ``sources.toml``.

    A URL that a configured source already has is that source. Otherwise the name comes from the host,
    reused when the store already knows that name with this URL (so its validators apply), suffixed
    ``-2``, ``-3``... when it is taken. Raises ConfigError for a URL that is not http(s).
    """
    by_url = {source.url: source for source in configured}
    taken: set[str] = {source.name for source in configured}
    chosen: list[SourceConfig] = []
    for url in dict.fromkeys(urls):
        if url in by_url:
            chosen.append(by_url[url].model_copy(update={"enabled": True}))
            continue
        name = _free_name(host_name(url), url, taken, stored)
        taken.add(name)
        try:
            chosen.append(SourceConfig(name=name, kind="feed", url=url))
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            raise ConfigError(f"{url!r} is not an http(s) URL", key="--url") from exc
    return chosen


def _free_name(base: str, url: str, taken: Collection[str], stored: Mapping[str, SourceState]) -> str:
    for n in range(1, 1000):
        name = base if n == 1 else f"{base[:60]}-{n}"
        row = stored.get(name)
        if name not in taken and (row is None or row.url == url):
            return name
    raise ConfigError(f"no free source name for {url!r}", key="--url")
