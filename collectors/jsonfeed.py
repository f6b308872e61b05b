"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org), read with the json module.

feedparser 6.0 does not read JSON Feed. Real JSON feeds break the spec in small ways (items without
``id``, RFC 822 dates, fields of the wrong type), so every field is checked for its type and a wrong
one is treated as absent rather than failing the whole feed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from collectors.normalize import normalize_lang, parse_date
from collectors.rawfeed import RawEntry, RawFeed

_VERSION_PREFIX = "https://jsonfeed.org/version/"
_KNOWN_VERSIONS = {"1": "json1", "1.1": "json1.1"}


class JSONFeedError(ValueError):
    """The bytes are not a JSON document (the feed collector turns this into FeedParseError)."""


def looks_like_json(content: bytes, content_type: str) -> bool:
    """Sniff the body first (servers mislabel feeds both ways), the Content-Type only when it is unclear."""
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"{":
        return True
    if head == b"<":
        return False
    return "json" in content_type.lower()


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _date(value: Any) -> datetime | None:
    # RFC 3339 as the spec says, or RFC 822 as some producers write.
    return parse_date(value) if isinstance(value, str) else None


def _author(obj: dict[str, Any]) -> str | None:
    # 1.1 has a list of authors, 1.0 a single author; take the first that has a name.
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else []
    candidates = [*candidates, obj.get("author")]
    for author in candidates:
        if isinstance(author, dict) and (name := _str(author.get("name"))):
            return name
    return None


def _guid(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)  # the spec wants a string; numbers are common enough to accept
    return _str(value)


def _entry(item: dict[str, Any], feed_author: str | None) -> RawEntry:
    html = _str(item.get("content_html"))
    plain = _str(item.get("content_text")) or _str(item.get("summary"))
    return RawEntry(
        link=_str(item.get("url")) or _str(item.get("external_url")),
        guid=_guid(item.get("id")),
        title=_str(item.get("title")) or "",
        title_is_html=False,  # JSON Feed titles are plain text
        text=html or plain or "",
        text_is_html=html is not None,
        author=_author(item) or feed_author,
        published=_date(item.get("date_published")) or _date(item.get("date_modified")),
        lang=normalize_lang(item.get("language")),
    )


def parse_json_feed(content: bytes) -> RawFeed:
    """Parse a JSON Feed. Raises :class:`JSONFeedError` when the bytes are not JSON at all; a JSON
    document that is not a JSON Feed comes back with ``version=None``."""
    try:
        doc = json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise JSONFeedError(f"invalid JSON: {exc}") from exc
    if not isinstance(doc, dict):
        return RawFeed(version=None, problem=f"JSON {type(doc).__name__}, not an object")
    version_url = _str(doc.get("version")) or ""
    version = None
    if version_url.startswith(_VERSION_PREFIX):
        version = _KNOWN_VERSIONS.get(version_url.removeprefix(_VERSION_PREFIX))
    problem = None if version else f"unknown JSON Feed version {version_url or '(none)'!r}"
    items = doc.get("items")
    feed_author = _author(doc)
    entries = (
        [_entry(item, feed_author) for item in items if isinstance(item, dict)]
        if isinstance(items, list)
        else []
    )
    return RawFeed(
        version=version, entries=entries, lang=normalize_lang(doc.get("language")), problem=problem
    )
