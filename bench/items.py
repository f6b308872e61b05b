"""The backtest's JSONL input, read the way ``radar backtest`` reads it (issue 3, section 6).

One JSON object a line: ``id``, ``published_at`` (ISO 8601; no timezone means UTC), ``title``, ``text`` and
optional ``url``, ``source``, ``lang``, ``author``. Items that share a URL are one item: its first appearance
(earliest ``published_at``, then file order) counts and the others are its duplicates. A malformed line is
skipped and counted. Pure standard library: the BERTrend runner imports this from another virtualenv.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

__all__ = [
    "Item",
    "ItemSet",
    "dedupe",
    "iter_jsonl",
    "open_text",
    "parse_items",
    "parse_time",
    "read_items",
    "write_jsonl",
]


@dataclass(frozen=True, slots=True)
class Item:
    """One input line. ``key`` makes two lines the same item: the URL, or the id when there is none."""

    id: str
    published_at: datetime
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    lang: str | None = None
    line: int = 0

    @property
    def key(self) -> str:
        return self.url or f"id:{self.id}"

    @property
    def day(self) -> date:
        return self.published_at.date()

    @property
    def content(self) -> str:
        return f"{self.title}\n{self.text}"


@dataclass(slots=True)
class ItemSet:
    """Distinct items (oldest first), the canonical id of every input id, and the lines that were skipped."""

    items: list[Item]
    canonical: dict[str, str]
    malformed: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0

    @property
    def by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}


def parse_time(value: str) -> datetime:
    """ISO 8601 to an aware UTC datetime; a bare date is midnight UTC, a naive time is UTC."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _item(record: Any, line: int) -> Item:
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    item_id, published = record.get("id"), record.get("published_at")
    if not isinstance(item_id, str) or not item_id:
        raise ValueError("missing id")
    if not isinstance(published, str):
        raise ValueError("missing published_at")
    url = record.get("url") or None
    return Item(
        id=item_id,
        published_at=parse_time(published),
        title=str(record.get("title") or ""),
        text=str(record.get("text") or ""),
        url=str(url) if url else None,
        source=record.get("source") or None,
        lang=record.get("lang") or None,
        line=line,
    )


def parse_items(lines: Iterable[str]) -> ItemSet:
    """Parse JSONL text lines (numbered from 1) and merge the items that share a URL."""
    parsed: list[Item] = []
    malformed: list[tuple[int, str]] = []
    count = 0
    for number, raw in enumerate(lines, start=1):
        count = number
        if not raw.strip():
            continue
        try:
            parsed.append(_item(json.loads(raw), number))
        except (ValueError, TypeError) as exc:
            malformed.append((number, str(exc)))
    items, canonical = dedupe(parsed)
    return ItemSet(items=items, canonical=canonical, malformed=malformed, lines=count)


def dedupe(parsed: Iterable[Item]) -> tuple[list[Item], dict[str, str]]:
    """Distinct items oldest first, and ``input id -> id of the first appearance`` for every input id."""
    ordered = sorted(parsed, key=lambda item: (item.published_at, item.line))
    first: dict[str, Item] = {}
    canonical: dict[str, str] = {}
    for item in ordered:
        original = first.setdefault(item.key, item)
        canonical.setdefault(item.id, original.id)
    return list(first.values()), canonical


def open_text(path: Path, mode: str = "r") -> IO[str]:
    """A text stream over a plain or gzip'd (``.gz``) file."""
    if path.suffix == ".gz" and mode == "w":  # mtime 0: the same records give the same bytes
        return io.TextIOWrapper(gzip.GzipFile(path, "wb", mtime=0), encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")
    return path.open(mode, encoding="utf-8")


def read_items(path: Path) -> ItemSet:
    """Read and parse an input file (``.jsonl`` or ``.jsonl.gz``)."""
    with open_text(path) as stream:
        return parse_items(stream)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write one compact JSON object a line (gzip'd when the name ends in ``.gz``); return the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open_text(path, "w") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The objects of a JSONL file (blank lines skipped)."""
    with open_text(path) as stream:
        for raw in stream:
            if raw.strip():
                yield json.loads(raw)
