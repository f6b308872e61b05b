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
    from collectors.normalize import strip_unprintable as clean
    from collectors.normalize import web_url

    # An import file is untrusted input like any feed, held to the same rules as collected items: a URL that
    # is not http(s) (``javascript:`` would become a link in the dashboard and exports) is dropped, and NUL
    # or lone surrogates are removed, since one of them made the store refuse the whole batch (a traceback
    # on SQLite, 1,000 lines lost on PostgreSQL) instead of the line being read.
    url = web_url(record.url) if record.url else None
    source = clean(record.source).strip() or "import"
    author = clean(record.author).strip() if record.author else None
    return Item(
        id=item_id_for(source, url or f"import:{clean(record.id)}"),
        source=source,
        url=url,
        guid=clean(record.id) or None,
        title=clean(record.title),
        text=clean(record.text),
        author=author or None,
        lang=clean(record.lang or "") or None,
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
        item = _item(record, now)
        if not item.title and not item.text:
            report.malformed += 1
            if len(report.errors) < 20:
                report.errors.append(f"{path}:{record.line}: title and text hold only control characters")
            continue
        batch.append(item)
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
