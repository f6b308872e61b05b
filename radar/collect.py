"""Collecting every due source: fetch, normalise, store; a failing source never stops the run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from radar.domain import SourceState
from radar.errors import ConfigError, FetchError, StoreError
from radar.progress import Progress, Silent
from radar.settings import Settings, SourceConfig
from radar.store import SqlStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    name: str
    new_items: int = 0
    fetched_items: int = 0
    not_modified: bool = False
    error: str | None = None


@dataclass(slots=True)
class CollectReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def new_items(self) -> int:
        return sum(outcome.new_items for outcome in self.outcomes)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [outcome for outcome in self.outcomes if outcome.error]

    def as_dict(self) -> dict[str, object]:
        return {
            "new_items": self.new_items,
            "sources": [
                {
                    "name": o.name,
                    "new_items": o.new_items,
                    "fetched_items": o.fetched_items,
                    "not_modified": o.not_modified,
                    "error": o.error,
                }
                for o in self.outcomes
            ],
        }


def collect_sources(
    store: SqlStore,
    settings: Settings,
    sources: Sequence[SourceConfig],
    *,
    progress: Progress | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> CollectReport:
    """Fetch every enabled source once and store its new items. Errors are recorded per source."""
    from collectors.fetcher import Fetcher, FetchPolicy
    from collectors.registry import get_collector

    progress = progress or Silent()
    enabled = [source for source in sources if source.enabled]
    check_kinds(enabled)  # an unknown kind is a config error before any fetch
    store.sync_sources((s.name, s.kind, s.url) for s in enabled)
    report = CollectReport()
    progress.start("collecting", len(enabled))
    policy = FetchPolicy.from_settings(settings)
    with Fetcher(policy) as fetcher, ThreadPoolExecutor(max_workers=settings.fetch_concurrency) as pool:

        def run(source: SourceConfig) -> SourceOutcome:
            state = store.source_state(source.name) or SourceState(source.name, source.kind, source.url)
            fetched_at = now()
            try:
                result = get_collector(source.kind).collect(source, state, fetcher, fetched_at)
            except FetchError as exc:
                log.warning("source %s failed: %s", source.name, exc)
                store.record_fetch_error(source.name, at=fetched_at, error=str(exc))
                return SourceOutcome(source.name, error=str(exc))
            try:
                added = store.add_items(result.items)
            except StoreError as exc:
                store.record_fetch_error(source.name, at=fetched_at, error=f"store: {exc}")
                return SourceOutcome(source.name, error=f"store: {exc}")
            store.record_fetch_success(
                source.name,
                at=fetched_at,
                etag=result.etag,
                last_modified=result.last_modified,
                new_items=added,
                cursor=result.cursor,
            )
            return SourceOutcome(source.name, added, len(result.items), result.not_modified)

        for outcome in pool.map(run, enabled):
            report.outcomes.append(outcome)
            progress.advance()
    progress.done()
    return report


def check_kinds(sources: Sequence[SourceConfig], file: str = "sources.toml") -> None:
    """Raise ConfigError naming the first source whose kind no collector handles."""
    from collectors.registry import get_collector

    for index, source in enumerate(sources):
        try:
            get_collector(source.kind)
        except ConfigError as exc:
            raise ConfigError(exc.message, file=file, key=f"source[{index}].kind") from exc
