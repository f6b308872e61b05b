"""Reading items from JSON Lines (the backtest and import format), with line-numbered errors.

One JSON object per line: ``id``, ``published_at`` (ISO 8601; no timezone means UTC), ``title``, ``text``,
and optional ``url``, ``source``, ``lang``, ``author``. A malformed line is reported and skipped; it never
stops the file.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from radar.domain import item_content
from radar.errors import ConfigError

_WORDS = re.compile(r"\w+", re.UNICODE)
# Texts shorter than this (in normalised characters) are too generic to call two items duplicates.
MIN_DUPLICATE_CHARS = 24


@dataclass(frozen=True, slots=True)
class Record:
    id: str
    published_at: datetime
    title: str
    text: str
    url: str | None
    source: str
    lang: str | None
    author: str | None
    line: int

    @property
    def content(self) -> str:
        return item_content(self.title, self.text)


@dataclass(slots=True)
class ReadReport:
    lines: int = 0
    malformed: int = 0
    errors: list[str] = field(default_factory=list)  # the first few, with line numbers


def open_items(path: Path) -> IO[str]:
    try:
        if path.suffix == ".gz":
            return gzip.open(path, "rt", encoding="utf-8")
        return path.open("r", encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read items file: {exc}", file=str(path)) from exc


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise ValueError("published_at must be an ISO 8601 string")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _text(data: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise ValueError(f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string")
    return value


def parse_record(line: str, number: int) -> Record:
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    raw_id = data.get("id")
    if not isinstance(raw_id, str | int) or raw_id == "":
        raise ValueError("id is missing")
    title = _text(data, "title") or ""
    text = _text(data, "text") or ""
    if not title and not text:
        raise ValueError("title and text are both empty")
    return Record(
        id=str(raw_id),
        published_at=parse_time(data.get("published_at")),
        title=title,
        text=text,
        url=_text(data, "url") or None,
        source=_text(data, "source") or "import",
        lang=_text(data, "lang"),
        author=_text(data, "author"),
        line=number,
    )


def read_records(path: Path, report: ReadReport) -> Iterator[Record]:
    """Every valid record of ``path`` in file order; malformed lines are counted in ``report``."""
    with open_items(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            report.lines += 1
            try:
                yield parse_record(line, number)
            except (ValueError, TypeError) as exc:
                report.malformed += 1
                if len(report.errors) < 20:
                    report.errors.append(f"{path}:{number}: {exc}")


def content_key(title: str, text: str) -> str | None:
    """A key equal for near-identical texts (case, punctuation and spacing ignored); None if too short."""
    words = " ".join(_WORDS.findall(f"{title} {text}".lower()))
    if len(words) < MIN_DUPLICATE_CHARS:
        return None
    return hashlib.sha1(words.encode()).hexdigest()
