"""The ``feed`` source kind: RSS, Atom and JSON Feed fetched over HTTP, turned into items."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urljoin

from collectors.base import CollectResult
from collectors.fetcher import Fetcher
from collectors.jsonfeed import JSONFeedError, looks_like_json, parse_json_feed
from collectors.normalize import (
    collapse_whitespace,
    detect_lang,
    html_to_text,
    strip_unprintable,
    to_utc,
    web_url,
)
from collectors.rawfeed import RawEntry, RawFeed
from collectors.xmlfeed import parse_xml_feed
from radar.domain import Item, SourceState, item_id_for
from radar.errors import FeedParseError
from radar.settings import SourceConfig

log = logging.getLogger(__name__)


def parse_feed(content: bytes, headers: Mapping[str, str], url: str) -> RawFeed:
    """Parse fetched bytes as JSON Feed or XML feed. Raises :class:`FeedParseError` when they are not a
    feed: no recognisable feed version and no entries (an HTML page, garbage, an empty document), or a
    document that breaks off with no entry that has a title or text (a server that failed mid-response).
    A complete feed with no entries is no error: it has nothing new yet."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    received = f"got {content_type or 'no Content-Type'}"
    if not content.strip():
        raise FeedParseError(f"not a feed: {received} with an empty body", url=url)
    try:
        if looks_like_json(content, content_type):
            feed = parse_json_feed(content)
        else:
            feed = parse_xml_feed(content, headers, url)
    except JSONFeedError as exc:
        raise FeedParseError(f"not a feed: {received}, {exc}", url=url) from exc
    except Exception as exc:
        # feedparser is lenient but not proven total, and the contract allows FetchError only.
        raise FeedParseError(
            f"feed parser failed on {received}: {type(exc).__name__}: {exc}", url=url
        ) from exc
    cut_before_content = feed.truncated and not any(e.title or e.text for e in feed.entries)
    if (feed.version is None and not feed.entries) or cut_before_content:
        # A cut-off feed would otherwise read as a quiet one, and the source's failures would never show.
        cut = " that break off before any entry" if cut_before_content else ""
        why = f" ({feed.problem})" if feed.problem else ""
        raise FeedParseError(f"not a feed: {received}, {len(content)} bytes{cut}{why}", url=url)
    return feed


def _http_url(link: str | None, base: str) -> str | None:
    """The canonical absolute http(s) URL of ``link``, or None (no link, another scheme, malformed)."""
    if not link:
        return None
    try:
        return web_url(urljoin(base, link))
    except ValueError:  # 'http://[::1' cannot be joined
        return None


def _content_key(title: str, text: str) -> str:
    return "sha256:" + hashlib.sha256(f"{title}\x1f{text}".encode()).hexdigest()


class FeedCollector:
    """Collects RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed 1.0/1.1 sources."""

    kind = "feed"

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        now = to_utc(now)
        # Validators belong to the URL they came from; after a URL change they would be wrong.
        same_url = state.url == source.url
        etag = state.etag if same_url else None
        last_modified = state.last_modified if same_url else None
        response = fetcher.get(
            source.url, etag=etag, last_modified=last_modified, allow_private=source.allow_private
        )
        if response.status == 304:
            # Servers may omit the validators on a 304; the stored ones are still current then.
            return CollectResult(
                items=[],
                not_modified=True,
                etag=response.headers.get("etag") or etag,
                last_modified=response.headers.get("last-modified") or last_modified,
                status=304,
            )
        feed = parse_feed(response.content, response.headers, response.url)
        items = entries_to_items(feed, source=source, base_url=response.url, fetched_at=now)
        return CollectResult(
            items=items,
            not_modified=False,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            status=response.status,
        )


def collect_at(
    url: str, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
) -> CollectResult:
    """Collect ``source`` as a feed fetched from ``url``, an address built from its parameters (a YouTube
    channel, a Google News query). The store keys validators on the configured url while the feed
    collector compares them with the address it fetches, so both are moved to ``url`` together (or
    neither, when the stored state belongs to another configured url)."""
    fed_state = dataclasses.replace(state, url=url) if state.url == source.url else state
    return FeedCollector().collect(source.model_copy(update={"url": url}), fed_state, fetcher, now)


def entries_to_items(
    feed: RawFeed, *, source: SourceConfig, base_url: str, fetched_at: datetime
) -> list[Item]:
    """Normalized items of ``feed``, in feed order, without entries lacking both title and text and
    without repeats of an id already seen."""
    urls = [_http_url(entry.link, base_url) for entry in feed.entries]
    # Some feeds point every entry at the same page (a home page, a podcast site). Keyed on that URL they
    # would collapse into one item, so such entries are keyed on their guid instead.
    shared = {url for url, count in Counter(u for u in urls if u).items() if count > 1}
    items: list[Item] = []
    seen: set[str] = set()
    for entry, url in zip(feed.entries, urls, strict=True):
        try:
            item = _item(entry, url, url in shared, feed=feed, source=source, fetched_at=fetched_at)
        except (ValueError, TypeError, UnicodeError) as exc:
            # One odd entry must not cost the others; it is skipped, never half-filled.
            log.warning("skipping an entry of %s that cannot be normalized: %s", source.name, exc)
            continue
        if item is None or item.id in seen:
            continue
        seen.add(item.id)
        items.append(item)
    return items


def _item(
    entry: RawEntry,
    url: str | None,
    url_shared: bool,
    *,
    feed: RawFeed,
    source: SourceConfig,
    fetched_at: datetime,
) -> Item | None:
    title = html_to_text(entry.title) if entry.title_is_html else collapse_whitespace(entry.title)
    text = html_to_text(entry.text) if entry.text_is_html else collapse_whitespace(entry.text)
    if not title and not text:
        log.debug("skipping an entry of %s with neither title nor text", source.name)
        return None
    # Ids are stored as well: the same characters as in text would make the store refuse the batch.
    guid = strip_unprintable(entry.guid or "") or None
    if url_shared and guid:
        key = guid
    else:
        key = url or guid or _content_key(title, text)
    lang = entry.lang or feed.lang or detect_lang(f"{title}. {text}", source.lang)
    author = html_to_text(entry.author) if entry.author else ""
    return Item(
        id=item_id_for(source.name, key),
        source=source.name,
        url=url,
        title=title,
        text=text,
        published_at=entry.published or fetched_at,
        fetched_at=fetched_at,
        guid=guid,
        author=author or None,
        lang=lang,
        date_from_fetch=entry.published is None,
        engagement=dict(entry.engagement),
    )
