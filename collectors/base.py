"""The one interface every source kind implements, and what a collection returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from radar.domain import Item, SourceState
from radar.settings import SourceConfig

if TYPE_CHECKING:  # the fetcher pulls in httpx; importing this module must stay cheap
    from collectors.fetcher import Fetcher


@dataclass(frozen=True, slots=True)
class CollectResult:
    """The outcome of one successful collection.

    ``not_modified`` is true when the source answered 304: ``items`` is then empty and nothing was parsed.
    ``etag`` and ``last_modified`` are the validators to store for the next conditional request.
    ``status`` is the final HTTP status, or None for sources that are not fetched over HTTP.
    ``cursor`` is where a paging source resumes next time (stored as given; None keeps the stored one).
    """

    items: list[Item]
    not_modified: bool
    etag: str | None
    last_modified: str | None
    status: int | None
    cursor: str | None = None


@runtime_checkable
class Collector(Protocol):
    """Turns one configured source into normalized items.

    Contract:

    - ``kind`` is the value of ``kind`` in ``sources.toml`` that selects this collector.
    - ``collect`` does all network I/O through ``fetcher`` (which enforces timeouts, size caps, politeness
      and the address guard), honouring ``source.allow_private`` and the validators in ``state``.
    - It raises :class:`radar.errors.FetchError` or its subclasses (``FetchRefused``, ``FeedParseError``)
      and nothing else; third-party exceptions are wrapped and chained.
    - It never returns partial garbage: either every item is fully normalized (aware UTC datetimes,
      a non-empty title or text, an http(s) URL or None, a stable id) or it raises. Entries that cannot
      be normalized are skipped, not half-filled.
    - ``now`` is the fetch time (aware UTC); items without a usable date get it, with
      ``date_from_fetch=True``. Collectors read no clock of their own, so tests can pin time.
    - Collectors are stateless and may be called from several threads at once.
    """

    kind: str

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult: ...
