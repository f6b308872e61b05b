"""RSS, Atom, RDF and CDF documents read with feedparser, from bytes only.

feedparser is given a ``BytesIO`` and the response headers, never a URL or a string: a string may be
taken for a URL or a file name and fetched, bypassing the fetcher's limits and address guard.
The feed URL travels as ``Content-Location`` so that relative links resolve against it.
"""

from __future__ import annotations

import io
import re
import xml.sax
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import feedparser

from collectors.normalize import has_twelve_hour_clock, html_to_text, normalize_lang, parse_date, to_utc
from collectors.rawfeed import RawEntry, RawFeed

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# feedparser reads these response headers; the others are of no use to it.
_PASSED_HEADERS = ("content-type", "content-language", "content-location")


def _get(mapping: Any, key: str) -> Any:
    # FeedParserDict's item access maps old key names and warns on some (updated -> published);
    # plain dict access reads exactly what the parser stored.
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_html(detail: Any) -> bool:
    return _get(detail, "type") in _HTML_TYPES


def _date(entry: Any) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw = _string(_get(entry, key))
        if has_twelve_hour_clock(raw):  # feedparser ignores AM/PM and would be 12 hours off
            fixed = parse_date(raw)
            if fixed is not None:
                return fixed
            continue
        parsed = _get(entry, f"{key}_parsed")
        if parsed is not None:
            try:
                return to_utc(parsed)
            except (TypeError, ValueError, OverflowError):
                pass  # a date that does not exist (day 0, year 0)
        # feedparser gives up on some real-world forms, such as a weekday in Italian.
        fallback = parse_date(raw)
        if fallback is not None:
            return fallback
    return None


def _text(entry: Any) -> tuple[str, bool, str | None]:
    """The entry's fullest text among its contents and summary.

    Content is usually the full text and the summary an excerpt, but some feeds put a placeholder
    ("...") in content:encoded; the candidate with the most visible text wins either way.
    """
    candidates = [*(_get(entry, "content") or []), _get(entry, "summary_detail")]
    best: tuple[str, bool, str | None] = ("", False, None)
    best_length = 0
    for detail in candidates:
        value = _string(_get(detail, "value")).strip()
        is_html = _is_html(detail)
        length = len(html_to_text(value) if is_html else value)
        if length > best_length:
            best, best_length = (value, is_html, normalize_lang(_get(detail, "language"))), length
    return best


def _entry(entry: Any) -> RawEntry:
    title_detail = _get(entry, "title_detail")
    text, text_is_html, text_lang = _text(entry)
    author = _string(_get(entry, "author")).strip() or None
    guid = _string(_get(entry, "id")).strip() or None
    return RawEntry(
        link=_string(_get(entry, "link")).strip() or None,
        guid=guid,
        title=_string(_get(entry, "title")),
        title_is_html=_is_html(title_detail),
        text=text,
        text_is_html=text_is_html,
        author=author,
        published=_date(entry),
        lang=text_lang or normalize_lang(_get(title_detail, "language")),
        engagement=_media_engagement(entry),
    )


# Media RSS <media:community>: feedparser keeps <media:statistics> and <media:starRating> attributes as
# strings. YouTube channel feeds carry view and rating counts there.
_MEDIA_COUNTERS = (
    ("media_statistics", "views", "views"),
    ("media_statistics", "favorites", "favorites"),
    ("media_starrating", "count", "ratings"),
)


def _media_engagement(entry: Any) -> dict[str, int]:
    counters: dict[str, int] = {}
    for element, attribute, name in _MEDIA_COUNTERS:
        raw = _string(_get(_get(entry, element), attribute)).strip()
        if raw.isascii() and raw.isdigit():  # "", "n/a", "-1" or "³" say nothing worth keeping
            counters[name] = int(raw)
    return counters


_COMMENTS = re.compile(rb"<!--.*?-->", re.DOTALL)
# The first start tag: "<?xml" and "<!DOCTYPE" cannot match, since a name starts with a letter or "_".
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)")
_TAG_END = re.compile(rb"\s*>")


def _root_closed(content: bytes) -> bool:
    """Whether the end tag of the document's first element is in its last few kilobytes.

    Told from the bytes, since feedparser's lenient fallback parses a document cut in the middle of an
    item and one with a stray ``&nbsp;`` alike. A document in UTF-16 or 32 reads as not closed; it only
    matters for one that also failed to parse.
    """
    root = _FIRST_TAG.search(_COMMENTS.sub(b"", content[:65536]))
    if root is None:
        return False
    closing = b"</" + root.group(1)
    tail = content[-4096:]
    at = tail.rfind(closing)
    return at >= 0 and _TAG_END.match(tail, at + len(closing)) is not None


def parse_xml_feed(content: bytes, headers: Mapping[str, str], url: str) -> RawFeed:
    """Parse an XML feed. Never raises for bad input: a document that is not a feed comes back with
    ``version=None`` and no entries (the caller decides that this is an error)."""
    response_headers = {name: headers[name] for name in _PASSED_HEADERS if name in headers}
    response_headers["content-location"] = url
    result = feedparser.parse(
        io.BytesIO(content),
        response_headers=response_headers,
        # Both passes rewrite embedded HTML (through a slow SGML parser: half of feedparser's time on
        # typical feeds), and both are moot here: HTML only ever becomes plain text (html_to_text drops
        # every tag and script), and links inside it are not kept. Entry links still resolve.
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    problem = None
    truncated = False
    if _get(result, "bozo"):
        exc = _get(result, "bozo_exception")
        problem = f"{type(exc).__name__}: {exc}" if exc is not None else "ill-formed document"
        # Only after a syntax error: feedparser's other bozo reasons (an encoding the headers contradict,
        # a non-XML Content-Type) concern documents that parsed to the end.
        truncated = isinstance(exc, xml.sax.SAXException) and not _root_closed(content)
    feed = _get(result, "feed")
    lang = normalize_lang(_get(feed, "language"))
    entries = [_entry(entry) for entry in _get(result, "entries") or [] if isinstance(entry, dict)]
    return RawFeed(
        version=_get(result, "version") or None,
        entries=entries,
        lang=lang,
        problem=problem,
        truncated=truncated,
    )
