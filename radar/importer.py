"""``radar import``: a dated history (backtest JSONL) loaded into the live store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from radar.domain import Item, item_id_for
from radar.items_io import ReadReport, Record, read_records
from radar.store import SqlStore

BATCH = 1000


def _item(record: Record, now: datetime) -> Item:
    from collectors.normalize import canonical_url

    url = canonical_url(record.url) if record.url else None
    return Item(
        id=item_id_for(record.source, url or f"import:{record.id}"),
        source=record.source,
        url=url,
        guid=record.id,
        title=record.title,
        text=record.text,
        author=record.author,
        lang=record.lang,
        published_at=record.published_at,
        fetched_at=now,
    )


def import_file(store: SqlStore, path: Path) -> dict[str, Any]:
    """Store every valid line of ``path`` (duplicates skipped as in live collection)."""
    report = ReadReport()
    now = datetime.now(UTC)
    new = total = 0
    batch: list[Item] = []
    known_sources: set[str] = set()

    def flush() -> None:
        nonlocal new
        sources = {item.source for item in batch} - known_sources
        if sources:
            store.sync_sources((name, "import", f"file://{path.name}") for name in sorted(sources))
            known_sources.update(sources)
        new += store.add_items(batch)
        batch.clear()

    for record in read_records(path, report):
        batch.append(_item(record, now))
        total += 1
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return {
        "lines": report.lines,
        "malformed": report.malformed,
        "errors": report.errors,
        "new_items": new,
        "already_stored": total - new,
    }
