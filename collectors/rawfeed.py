"""What a feed parser hands to the feed collector: entries as the feed wrote them, format-neutral.

The XML (feedparser) and JSON Feed readers both produce these, so that turning entries into items
(text extraction, URL canonicalization, ids, languages) is written once, in :mod:`collectors.feed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as read. ``title`` and ``text`` are HTML when the matching ``*_is_html`` is true;
    ``link`` may still be relative; ``published`` is aware UTC or None; ``lang`` is a normalized code."""

    link: str | None = None
    guid: str | None = None
    title: str = ""
    title_is_html: bool = False
    text: str = ""
    text_is_html: bool = False
    author: str | None = None
    published: datetime | None = None
    lang: str | None = None
    # Counters the feed itself publishes (Media RSS views, star ratings); kept as Item.engagement.
    engagement: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawFeed:
    """``version`` names the format ("rss20", "atom10", "json1.1", ...) or is None when the document is
    not a recognisable feed; ``problem`` says what the parser disliked (kept for error messages);
    ``truncated`` is true when the document breaks off before its root element closes (a server that
    failed mid-response), which a parser that recovers what it can would otherwise hide."""

    version: str | None
    entries: list[RawEntry] = field(default_factory=list)
    lang: str | None = None
    problem: str | None = None
    truncated: bool = False
