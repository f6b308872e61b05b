"""Data care: the retention policy and forgetting items on request.

Retention (``RADAR_RETENTION_DAYS``, 0 = keep forever) deletes the items published more than N days ago;
the worker applies it daily and ``radar purge`` on demand. Topic statistics survive it: the analysis
already reduced those items to daily counts, states and snapshots, which is what the trend history
needs. ``radar forget`` deletes every item at a URL or by an author (a person's request to be removed),
with its near-duplicates. What "with" covers is said in :mod:`radar.store.maintenance`.

The cut-off is a function of ``now`` and the days, so it tests without clocks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from radar import metrics
from radar.errors import ConfigError
from radar.store import SqlStore
from radar.store.maintenance import Deleted

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    cutoff: datetime
    deleted: Deleted
    dry_run: bool

    def as_dict(self) -> dict[str, object]:
        return {"cutoff": self.cutoff.isoformat(), "dry_run": self.dry_run, **self.deleted.as_dict()}


def retention_cutoff(now: datetime, days: int) -> datetime | None:
    """Items published before the returned time are past retention; None when ``days`` is 0 (keep)."""
    if days < 0:
        raise ConfigError("must be 0 (keep forever) or a positive number of days", key="retention_days")
    if days == 0:
        return None
    return now.astimezone(UTC) - timedelta(days=days)


def purge(store: SqlStore, cutoff: datetime, *, dry_run: bool = False) -> PurgeReport:
    """Delete (or with ``dry_run`` only count) the items published before ``cutoff``."""
    if dry_run:
        return PurgeReport(cutoff, store.items_published_before(cutoff), dry_run=True)
    deleted = store.purge_items_before(cutoff)
    metrics.items_purged.labels("retention").inc(deleted.items + deleted.duplicates)
    log.info(
        "retention: deleted %d items and %d near-duplicates published before %s",
        deleted.items,
        deleted.duplicates,
        cutoff.date().isoformat(),
        extra={"purged_items": deleted.items, "purged_duplicates": deleted.duplicates},
    )
    return PurgeReport(cutoff, deleted, dry_run=False)


def apply_retention(store: SqlStore, days: int, now: datetime | None = None) -> PurgeReport | None:
    """The worker's daily job: purge by the configured retention; None when retention is off."""
    cutoff = retention_cutoff(now or datetime.now(UTC), days)
    return None if cutoff is None else purge(store, cutoff)


def url_variants(urls: Sequence[str]) -> list[str]:
    """Each URL as given and in the canonical form items are stored under (tracking parameters dropped)."""
    from collectors.normalize import canonical_url

    variants: list[str] = []
    for url in urls:
        for variant in (url.strip(), canonical_url(url.strip())):
            if variant and variant not in variants:
                variants.append(variant)
    return variants


def forget(
    store: SqlStore, *, urls: Sequence[str] = (), authors: Sequence[str] = (), dry_run: bool = False
) -> tuple[list[str], Deleted]:
    """Delete every item at one of ``urls`` or by one of ``authors``; returns the ids matched and the count.

    Raises :class:`ConfigError` when neither is given: an empty request must not look like a success.
    """
    if not urls and not authors:
        raise ConfigError("name at least one --url or --author", key="forget")
    ids = store.find_items(urls=url_variants(urls), authors=authors)
    if dry_run or not ids:
        return ids, Deleted(items=len(ids))
    deleted = store.delete_items(ids)
    metrics.items_purged.labels("forget").inc(deleted.items + deleted.duplicates)
    log.info("forget: deleted %d items and %d near-duplicates", deleted.items, deleted.duplicates)
    return ids, deleted
