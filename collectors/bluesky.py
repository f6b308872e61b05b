"""The ``bluesky`` source kind: an account's author feed through the public AppView, without a login.

``GET {url}/xrpc/app.bsky.feed.getAuthorFeed?actor=...&limit=100`` returns the account's posts and
reposts, newest first, in pages linked by an opaque ``cursor``. A collection reads pages until it reaches
what the previous one saw, or ``params.max_pages`` pages. What it saw is stored as the source cursor: the
newest feed time (``indexedAt`` of the post, or of the repost) and the actor, so that changing the actor
does not stop the next collection at the old actor's mark.

Each post becomes one item (see :func:`post_item`, shared with the ``jetstream`` kind): the record text,
``createdAt``, the first of ``langs``, the author's handle, the counts (``replies``, ``reposts``,
``likes``, ``quotes``) as engagement, and ``https://bsky.app/profile/{handle}/post/{rkey}`` as URL.
Search (``searchPosts``) is not used: the public AppView refuses it without a login (HTTP 403).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from collectors.base import CollectResult
from collectors.jsonapi import check_params, config_error, configured
from collectors.normalize import collapse_whitespace, detect_lang, normalize_lang, parse_date, to_utc
from radar.domain import Item, SourceState, item_id_for
from radar.errors import FeedParseError
from radar.settings import SourceConfig

if TYPE_CHECKING:
    from collectors.fetcher import Fetcher

log = logging.getLogger(__name__)

POST_COLLECTION = "app.bsky.feed.post"
AUTHOR_FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
PAGE_LIMIT = 100  # the most the lexicon allows
_TAG_FEATURE = "app.bsky.richtext.facet#tag"
_PIN = "app.bsky.feed.defs#reasonPin"
_FILTERS = frozenset(
    {
        "posts_with_replies",
        "posts_no_replies",
        "posts_with_media",
        "posts_and_author_threads",
        "posts_with_video",
    }
)
_AT_URI = re.compile(r"^at://([^/\s]+)/([^/\s]+)/([^/\s]+)$")
_COUNTS = (
    ("replyCount", "replies"),
    ("repostCount", "reposts"),
    ("likeCount", "likes"),
    ("quoteCount", "quotes"),
)
# A post up to this long is its own title; a longer one gets its start (the Mastodon kind's rule).
TITLE_CHARS = 160


# --- pure: records and post views to items ---------------------------------------------------------


def parse_at_uri(uri: object) -> tuple[str, str, str] | None:
    """``(authority, collection, rkey)`` of ``at://did:plc:x/app.bsky.feed.post/3k...``, or None."""
    match = _AT_URI.match(uri) if isinstance(uri, str) else None
    return (match.group(1), match.group(2), match.group(3)) if match else None


def hashtags(record: Mapping[str, Any]) -> list[str]:
    """The post's hashtags without '#', in order, once each: facet tags, then the record's extra tags
    (which the author set apart from the text)."""
    found: list[Any] = []
    for facet in _list(record.get("facets")):
        for feature in _list(facet.get("features") if isinstance(facet, dict) else None):
            if isinstance(feature, dict) and feature.get("$type") == _TAG_FEATURE:
                found.append(feature.get("tag"))
    found.extend(_list(record.get("tags")))
    unique: dict[str, str] = {}
    for tag in found:
        if isinstance(tag, str) and tag.strip().lstrip("#"):
            clean = tag.strip().lstrip("#")
            unique.setdefault(clean.casefold(), clean)
    return list(unique.values())


def record_langs(record: Mapping[str, Any]) -> list[str]:
    """The record's declared languages, normalized ("en-US" -> "en"), once each."""
    langs = [normalize_lang(code) for code in _list(record.get("langs"))]
    return list(dict.fromkeys(lang for lang in langs if lang))


def post_text(record: Mapping[str, Any]) -> str:
    """The record text, whitespace collapsed; hashtags that the text does not show (record ``tags``) are
    appended as #tag, since they are the author's own words about the post."""
    raw = record.get("text")
    text = collapse_whitespace(raw) if isinstance(raw, str) else ""
    shown = text.casefold()
    missing = [f"#{tag}" for tag in hashtags(record) if f"#{tag.casefold()}" not in shown]
    return " ".join([text, *missing]).strip()


def title_and_text(text: str) -> tuple[str, str]:
    """A post has no title: one of at most ``TITLE_CHARS`` is its own title (and has no text); a longer
    one gets its start, cut at a word, as title and the whole post as text (as the Mastodon kind does)."""
    if len(text) <= TITLE_CHARS:
        return text, ""
    cut = text[: TITLE_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > TITLE_CHARS // 2 else cut).rstrip(" ,;:.-") + "…", text


def post_item(
    *,
    source: SourceConfig,
    did: str,
    rkey: str,
    record: Mapping[str, Any],
    fetched_at: datetime,
    handle: str | None = None,
    engagement: Mapping[str, int] | None = None,
    fallback_date: datetime | None = None,
) -> Item | None:
    """One post as an item, or None when it has no text (an image or a quote alone).

    ``fallback_date`` (the AppView's ``indexedAt``, Jetstream's ``time_us``) stands in for a missing or
    unreadable ``createdAt``; without either the item gets ``fetched_at``.
    """
    body = post_text(record)
    if not body:
        return None
    title, text = title_and_text(body)
    created = record.get("createdAt")
    published = (parse_date(created) if isinstance(created, str) else None) or fallback_date
    langs = record_langs(record)
    who = handle if handle and handle != "handle.invalid" else did
    at_uri = f"at://{did}/{POST_COLLECTION}/{rkey}"
    return Item(
        id=item_id_for(source.name, at_uri),
        source=source.name,
        url=f"https://bsky.app/profile/{who}/post/{rkey}",
        title=title,
        text=text,
        published_at=published or fetched_at,
        fetched_at=fetched_at,
        guid=at_uri,
        author=who,
        lang=langs[0] if langs else detect_lang(body, source.lang),
        date_from_fetch=published is None,
        engagement=dict(engagement or {}),
    )


def view_engagement(post: Mapping[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for field, name in _COUNTS:
        value = post.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            counts[name] = value
    return counts


def post_view_item(post: Mapping[str, Any], *, source: SourceConfig, fetched_at: datetime) -> Item | None:
    """A ``app.bsky.feed.defs#postView`` as an item, or None when it is not a readable post."""
    parts = parse_at_uri(post.get("uri"))
    record = post.get("record")
    if parts is None or parts[1] != POST_COLLECTION or not isinstance(record, dict):
        return None
    author = post.get("author")
    handle = author.get("handle") if isinstance(author, dict) else None
    indexed = post.get("indexedAt")
    return post_item(
        source=source,
        did=parts[0],
        rkey=parts[2],
        record=record,
        fetched_at=fetched_at,
        handle=handle if isinstance(handle, str) else None,
        engagement=view_engagement(post),
        fallback_date=parse_date(indexed) if isinstance(indexed, str) else None,
    )


def parse_author_feed(content: bytes, url: str) -> tuple[list[dict[str, Any]], str | None]:
    """The ``feed`` entries and next ``cursor`` of a getAuthorFeed response; FeedParseError when the body
    is not such a response."""
    try:
        body = json.loads(content)
    except (ValueError, UnicodeError) as exc:
        raise FeedParseError(f"getAuthorFeed did not return JSON: {exc}", url=url) from exc
    if not isinstance(body, dict) or not isinstance(body.get("feed"), list):
        raise FeedParseError("getAuthorFeed response has no 'feed' array", url=url)
    cursor = body.get("cursor")
    entries = [entry for entry in body["feed"] if isinstance(entry, dict)]
    return entries, cursor if isinstance(cursor, str) and cursor else None


def entry_time(entry: Mapping[str, Any]) -> datetime | None:
    """Where an author-feed entry sorts: the repost's time for a repost, else the post's ``indexedAt``."""
    reason = entry.get("reason")
    post = entry.get("post")
    stamp = reason.get("indexedAt") if isinstance(reason, dict) else None
    if not isinstance(stamp, str) and isinstance(post, dict):
        stamp = post.get("indexedAt")
    return parse_date(stamp) if isinstance(stamp, str) else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


# --- the collector ------------------------------------------------------------------------------------


PARAMS = ("actor", "filter", "reposts", "max_pages")


@dataclass(frozen=True, slots=True)
class AuthorFeed:
    """What a ``bluesky`` source asks for, read from its ``params``."""

    actor: str
    filter: str
    reposts: bool
    max_pages: int

    @classmethod
    def from_source(cls, source: SourceConfig) -> AuthorFeed:
        """A :class:`ConfigError` naming the source and key for unknown or malformed ``params``."""
        check_params(source, PARAMS)
        params = source.params
        actor = params.get("actor")
        if not isinstance(actor, str) or not actor.strip().lstrip("@"):
            raise config_error(source, "params.actor", f"a handle or DID is required, got {actor!r}")
        feed_filter = params.get("filter", "posts_no_replies")
        if feed_filter not in _FILTERS:
            raise config_error(source, "params.filter", f"must be one of {', '.join(sorted(_FILTERS))}")
        reposts = params.get("reposts", True)
        if not isinstance(reposts, bool):
            raise config_error(source, "params.reposts", f"must be true or false, got {reposts!r}")
        max_pages = params.get("max_pages", 3)
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or not 1 <= max_pages <= 50:
            raise config_error(
                source, "params.max_pages", f"must be an integer from 1 to 50, got {max_pages!r}"
            )
        return cls(actor.strip().lstrip("@"), feed_filter, reposts, max_pages)


def page_url(base: str, actor: str, feed_filter: str, cursor: str | None) -> str:
    parts = urlsplit(base)
    query = {"actor": actor, "limit": str(PAGE_LIMIT), "filter": feed_filter}
    if cursor:
        query["cursor"] = cursor
    path = parts.path.rstrip("/") + AUTHOR_FEED
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


def _mark(cursor: str | None, actor: str) -> datetime | None:
    """The stored feed time for ``actor`` ("<iso time> <actor>"), None for another actor or none."""
    stamp, _, stored_actor = (cursor or "").partition(" ")
    return parse_date(stamp) if stored_actor == actor else None


class BlueskyCollector:
    """An author feed from the public AppView; see the module docstring."""

    kind = "bluesky"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        AuthorFeed.from_source(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        now = to_utc(now)
        wanted = configured(AuthorFeed.from_source, source)
        mark = _mark(state.cursor, wanted.actor)
        newest: datetime | None = None
        items: list[Item] = []
        for entry in self._entries(source, wanted, mark, fetcher):
            when = entry_time(entry)
            if when is not None and (newest is None or when > newest):
                newest = when
            if not wanted.reposts and isinstance(entry.get("reason"), dict):
                continue
            post = entry.get("post")
            item = post_view_item(post, source=source, fetched_at=now) if isinstance(post, dict) else None
            if item is not None and all(item.id != kept.id for kept in items):
                items.append(item)
        # Nothing newer than the mark: None keeps the stored cursor.
        moved = newest is not None and (mark is None or newest > mark)
        cursor = f"{newest.isoformat()} {wanted.actor}" if moved and newest is not None else None
        # The fetcher raises for every failed page, so reaching here means each page answered 200.
        return CollectResult(
            items=items, not_modified=False, etag=None, last_modified=None, status=200, cursor=cursor
        )

    def _entries(
        self,
        source: SourceConfig,
        wanted: AuthorFeed,
        mark: datetime | None,
        fetcher: Fetcher,
    ) -> Iterator[dict[str, Any]]:
        """Author-feed entries newer than ``mark``, newest first, over at most ``max_pages`` pages."""
        page_cursor: str | None = None
        for _page in range(wanted.max_pages):
            url = page_url(source.url, wanted.actor, wanted.filter, page_cursor)
            response = fetcher.get(url, allow_private=source.allow_private)
            entries, next_cursor = parse_author_feed(response.content, response.url)
            for entry in entries:
                reason = entry.get("reason")
                if isinstance(reason, dict) and reason.get("$type") == _PIN:
                    continue  # a pinned post sits on top whatever its age
                when = entry_time(entry)
                if mark is not None and when is not None and when <= mark:
                    return  # newest first: the rest was seen by an earlier collection
                yield entry
            if next_cursor is None or next_cursor == page_cursor or not entries:
                return
            page_cursor = next_cursor
