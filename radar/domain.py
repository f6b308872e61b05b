"""Domain types that flow through the radar: plain, immutable, free of I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def item_content(title: str, text: str) -> str:
    """The text that is embedded and clustered: one definition, so that a backtest (JSON Lines) and a live
    run (the store) see exactly the same text for the same item."""
    return f"{title}. {text}".strip() if text else title


def item_id_for(source: str, key: str) -> str:
    """Stable id of an item: a hash of its source name and its canonical URL (or guid)."""
    digest = hashlib.sha256(f"{source}\x1f{key}".encode()).hexdigest()
    return digest[:24]


@dataclass(frozen=True, slots=True)
class Item:
    """One normalized piece of content from a source.

    ``published_at`` and ``fetched_at`` are timezone-aware UTC datetimes. ``date_from_fetch`` is true when
    the source gave no usable date and ``published_at`` is the fetch time.
    """

    id: str
    source: str
    url: str | None
    title: str
    text: str
    published_at: datetime
    fetched_at: datetime
    guid: str | None = None
    author: str | None = None
    lang: str | None = None
    date_from_fetch: bool = False
    engagement: dict[str, int] = field(default_factory=dict)

    @property
    def content(self) -> str:
        """The text that is embedded and clustered."""
        return item_content(self.title, self.text)


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers about a source between fetches."""

    name: str
    kind: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    consecutive_errors: int = 0
    items_total: int = 0
    next_due_at: datetime | None = None
    # Where a paging source resumes (a Mastodon min_id, a Jetstream time_us); opaque to everything else.
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class Topic:
    """A tracked topic as of the latest analysis run that saw it."""

    id: str
    label: str
    keywords: list[str]
    size: int
    first_seen: date
    last_seen: date
    growth: float
    daily_counts: dict[str, int] = field(default_factory=dict)
    run_id: int | None = None
    kind: str = "cluster"
    state: str = "noise"
    previous_state: str | None = None
    score: float = 0.0
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "keywords": list(self.keywords),
            "size": self.size,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "growth": round(self.growth, 4),
            "daily_counts": dict(self.daily_counts),
            "run_id": self.run_id,
            "kind": self.kind,
            "state": self.state,
            "previous_state": self.previous_state,
            "score": round(self.score, 4),
            "evidence": self.evidence,
        }
