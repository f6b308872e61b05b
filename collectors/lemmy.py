"""The ``lemmy`` source kind: the newest posts of a Lemmy community, from the API or its RSS feed.

Configuration (``sources.toml``)::

    [[source]]
    name = "lemmy-technology"
    kind = "lemmy"
    url = "https://lemmy.world"                      # the instance
    params = { community = "technology" }            # or "technology@lemmy.world" for a remote one
    # params.max_pages: API pages per run, 1 to 10 (default 2), 50 posts each

The API (``/api/v3/post/list?community_name=...&sort=New&limit=50``, Lemmy 0.19) is paged with its
``next_page`` cursor until a page reaches a post already seen (the stored cursor is the highest post id
read; post ids grow as the instance receives posts) or ``max_pages`` is spent. When the API is refused
(401, 403, 404 on instances that removed v3, 429) or its answer is not a post list, the collector reads
the community's RSS feed (``/feeds/c/{community}.xml?sort=New``) with the feed parser instead.
Lemmy 1.0's shape (``items`` instead of ``posts``, counts inside ``post``, ``published_at``) is read too.

Kept: the post name as title, its body (Markdown) as text, the post page (``ap_id``, the same on every
instance) as URL, ``name@host`` of the creator as author, and ``score``, ``comments``, ``upvotes`` and
``downvotes`` as engagement (none from RSS). Deleted and removed posts are skipped.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

from collectors.base import CollectResult
from collectors.feed import entries_to_items, parse_feed
from collectors.fetcher import Fetcher, Response
from collectors.jsonapi import (
    api_url,
    check_params,
    config_error,
    configured,
    convert_entries,
    count_of,
    decode_json,
    engagement,
    expect_list,
    expect_object,
    iso_to_utc,
    make_item,
    object_of,
    param_int,
    param_str,
    signed_of,
    site_root,
    text_of,
    web_url,
)
from collectors.normalize import collapse_whitespace, to_utc
from radar.domain import Item, SourceState
from radar.errors import FeedParseError, FetchError
from radar.settings import SourceConfig

log = logging.getLogger(__name__)

PAGE_SIZE = 50
_COMMUNITY = re.compile(r"^[a-z0-9_]{1,64}(@[A-Za-z0-9.-]+(:\d+)?)?$")
_FALLBACK_STATUSES = frozenset({400, 401, 403, 404, 429})


@dataclass(frozen=True, slots=True)
class LemmySource:
    instance: str
    community: str
    max_pages: int

    def api_url(self, page_cursor: str | None) -> str:
        query: dict[str, str | int] = {"community_name": self.community, "sort": "New", "limit": PAGE_SIZE}
        if page_cursor:
            query["page_cursor"] = page_cursor
        return api_url(self.instance, "/api/v3/post/list", query)

    @property
    def feed_url(self) -> str:
        return api_url(self.instance, f"/feeds/c/{quote(self.community, safe='@')}.xml", {"sort": "New"})


def read_config(source: SourceConfig) -> LemmySource:
    """The validated configuration of ``source``; :class:`ConfigError` naming the source and key."""
    check_params(source, ("community", "max_pages"))
    path = urlsplit(source.url).path
    if path not in ("", "/"):
        raise config_error(source, "url", f"must be the instance (https://host), got path {path!r}")
    community = param_str(source, "community")
    if community is None:
        raise config_error(source, "params.community", "missing: the community's name, e.g. 'technology'")
    community = community.removeprefix("!")
    if not _COMMUNITY.match(community):
        raise config_error(source, "params.community", f"{community!r} is not a community name (name[@host])")
    return LemmySource(site_root(source.url), community, param_int(source, "max_pages", 2, 1, 10))


def post_view_to_item(view: dict[str, Any], *, source: SourceConfig, fetched_at: datetime) -> Item | None:
    """One PostView as an item; None for a deleted or removed post or one without an id or a name."""
    post = object_of(view, "post")
    ident = count_of(post, "id")
    title = collapse_whitespace(text_of(post, "name"))
    if ident is None or not title or post.get("deleted") or post.get("removed"):
        return None
    page = web_url(post.get("ap_id"))
    creator = object_of(view, "creator")
    name = text_of(creator, "name")
    host = urlsplit(text_of(creator, "actor_id") or text_of(creator, "ap_id")).hostname
    # Lemmy 0.19 keeps the counts beside the post, Lemmy 1.0 inside it.
    counts = object_of(view, "counts") or post
    return make_item(
        source=source,
        key=page or f"lemmy:{ident}",
        url=page or web_url(post.get("url")),
        title=title,
        text=collapse_whitespace(text_of(post, "body")),
        published=iso_to_utc(post.get("published") or post.get("published_at")),
        fetched_at=fetched_at,
        guid=page or str(ident),
        author=f"{name}@{host}" if name and host else name,
        counts=engagement(
            score=signed_of(counts, "score"),
            comments=count_of(counts, "comments"),
            upvotes=count_of(counts, "upvotes"),
            downvotes=count_of(counts, "downvotes"),
        ),
    )


def _post_views(response: Response, source: SourceConfig) -> tuple[list[Any], str | None]:
    body = expect_object(decode_json(response, source), "a post list", source, response)
    key = "posts" if "posts" in body else "items"
    views = expect_list(body.get(key), "a list of posts", source, response)
    next_page = body.get("next_page")
    return views, next_page if isinstance(next_page, str) and next_page else None


def _post_id(view: object) -> int | None:
    return count_of(object_of(view, "post"), "id") if isinstance(view, dict) else None


class LemmyCollector:
    """Collects a Lemmy community's newest posts: the API first, the RSS feed when the API is refused."""

    kind = "lemmy"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        read_config(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        now = to_utc(now)
        config = configured(read_config, source)
        stored = state.cursor if state.cursor and state.url == source.url else None
        seen_up_to = int(stored) if stored and stored.isdigit() else None
        try:
            views, status = self._from_api(config, source, fetcher, seen_up_to)
        except FetchError as exc:
            if not isinstance(exc, FeedParseError) and exc.status not in _FALLBACK_STATUSES:
                raise
            log.info("%s: API unusable (%s); reading the RSS feed", source.name, exc)
            return self._from_feed(config, source, fetcher, now, exc)
        items = convert_entries(views, lambda v: post_view_to_item(v, source=source, fetched_at=now), source)
        ids = [i for i in map(_post_id, views) if i is not None]
        newest = max(ids) if ids else None
        cursor = str(newest) if newest is not None and (seen_up_to is None or newest > seen_up_to) else None
        return CollectResult(
            items=items, not_modified=False, etag=None, last_modified=None, status=status, cursor=cursor
        )

    def _from_api(
        self, config: LemmySource, source: SourceConfig, fetcher: Fetcher, seen_up_to: int | None
    ) -> tuple[list[Any], int]:
        views: list[Any] = []
        page_cursor: str | None = None
        status = 200
        for _ in range(config.max_pages):
            response = fetcher.get(config.api_url(page_cursor), allow_private=source.allow_private)
            status = response.status
            page, page_cursor = _post_views(response, source)
            views.extend(page)
            ids = [i for i in map(_post_id, page) if i is not None]
            reached_seen = seen_up_to is not None and any(i <= seen_up_to for i in ids)
            if not page_cursor or not page or reached_seen:
                break
        return views, status

    def _from_feed(
        self,
        config: LemmySource,
        source: SourceConfig,
        fetcher: Fetcher,
        now: datetime,
        api_error: FetchError,
    ) -> CollectResult:
        try:
            response = fetcher.get(config.feed_url, allow_private=source.allow_private)
            feed = parse_feed(response.content, response.headers, response.url)
        except FetchError as exc:
            raise FetchError(
                f"source {source.name!r}: API failed ({api_error}), RSS feed too ({exc})",
                url=config.feed_url,
                status=exc.status,
            ) from exc
        items = entries_to_items(feed, source=source, base_url=response.url, fetched_at=now)
        # No cursor: the feed has no post ids, and the stored one stays valid for the API's next success.
        return CollectResult(
            items=items, not_modified=False, etag=None, last_modified=None, status=response.status
        )
