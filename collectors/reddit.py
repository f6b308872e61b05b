"""The ``reddit`` source kind: the newest posts of a subreddit, or of a search, without OAuth.

Configuration (``sources.toml``)::

    [[source]]
    name = "reddit-solarpunk"
    kind = "reddit"
    url = "https://www.reddit.com"               # or "https://www.reddit.com/r/solarpunk"
    params = { subreddit = "solarpunk", contact = "/u/your_account" }

    [[source]]
    name = "reddit-search-heat-pumps"
    kind = "reddit"
    url = "https://www.reddit.com"
    params = { query = "heat pump", t = "week" }   # add subreddit to search inside one subreddit

One request per run: ``/r/{sub}/new.json?limit=100`` or ``/search.json?q=...&sort=new&limit=100``. When
the JSON answer is refused (403, 429) or is not a JSON Listing (a block page), the collector falls back
to the Atom feed of the same listing (``/r/{sub}/new/.rss``, ``/search.rss``) read by the feed parser;
items from either path get the same ids, since both are keyed on the post's permalink.

Politeness: Reddit allows 10 requests a minute without OAuth and asks for a User-Agent that identifies
the client. Every request here is paced at least 6 s after the previous one to the same host (the shared
fetcher keeps the schedule across threads), and ``params.contact`` (a Reddit username or an e-mail)
is added to the User-Agent; set it, since generic agents are the first ones Reddit blocks.

Kept: title, ``selftext`` as text, the permalink as URL, the author, ``created_utc``, and ``score``,
``comments`` (num_comments) and ``upvote_ratio_pct`` (upvote_ratio x 100) as engagement. The Atom
fallback carries no counts.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

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
    epoch_to_utc,
    expect_list,
    expect_object,
    make_item,
    object_of,
    param_int,
    param_str,
    signed_of,
    site_root,
    text_of,
    web_url,
)
from collectors.normalize import html_to_text, to_utc
from radar.domain import Item, SourceState
from radar.errors import FeedParseError, FetchError
from radar.settings import SourceConfig

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 6.0  # 10 requests a minute, Reddit's allowance without OAuth
_SUBREDDIT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]{1,20}$")
_SUBREDDIT_PATH = re.compile(r"^/r/([^/]+)(?:/new)?/?$")
_WINDOWS = ("hour", "day", "week", "month", "year", "all")
_FALLBACK_STATUSES = frozenset({403, 429})
_GONE = frozenset({"[deleted]", "[removed]"})


@dataclass(frozen=True, slots=True)
class RedditSource:
    """A validated ``reddit`` source: the site, what to list and how to identify ourselves."""

    site: str
    subreddit: str | None
    query: str | None
    window: str | None
    limit: int
    contact: str | None

    def listing_url(self, ext: str) -> str:
        """The listing as ``.json`` or as its Atom feed (``.rss``)."""
        if self.query is None:
            path = f"/r/{self.subreddit}/new/.rss" if ext == ".rss" else f"/r/{self.subreddit}/new.json"
            return api_url(self.site, path, {"limit": self.limit})
        query: dict[str, str | int] = {"q": self.query, "sort": "new", "limit": self.limit}
        if self.window:
            query["t"] = self.window
        prefix = ""
        if self.subreddit:
            prefix = f"/r/{self.subreddit}"
            query["restrict_sr"] = 1
        return api_url(self.site, f"{prefix}/search{ext}", query)

    def user_agent(self, base: str) -> str:
        return f"{base} (contact: {self.contact})" if self.contact else base


def read_config(source: SourceConfig) -> RedditSource:
    """The validated configuration of ``source``; :class:`ConfigError` naming the source and key."""
    check_params(source, ("subreddit", "query", "t", "limit", "contact"))
    path = urlsplit(source.url).path
    match = _SUBREDDIT_PATH.match(path)
    if path not in ("", "/") and match is None:
        raise config_error(
            source,
            "url",
            f"must be the site (https://www.reddit.com) or a subreddit (/r/<name>), got {path!r}",
        )
    from_url = match.group(1) if match else None
    subreddit = param_str(source, "subreddit")
    if subreddit is not None:
        subreddit = subreddit.removeprefix("/").removeprefix("r/")
    if from_url and subreddit and from_url.lower() != subreddit.lower():
        raise config_error(
            source, "params.subreddit", f"{subreddit!r} differs from the one in url ({from_url!r})"
        )
    subreddit = subreddit or from_url
    query = param_str(source, "query")
    if subreddit is None and query is None:
        raise config_error(source, "params.subreddit", "missing: give a subreddit, a query, or both")
    if subreddit is not None and not _SUBREDDIT.match(subreddit):
        raise config_error(source, "params.subreddit", f"{subreddit!r} is not a subreddit name")
    window = param_str(source, "t")
    if window is not None and (query is None or window not in _WINDOWS):
        raise config_error(source, "params.t", f"a search time window, one of {', '.join(_WINDOWS)}")
    limit = param_int(source, "limit", 100, 1, 100)
    return RedditSource(site_root(source.url), subreddit, query, window, limit, param_str(source, "contact"))


def post_to_item(
    child: dict[str, Any], *, source: SourceConfig, site: str, fetched_at: datetime
) -> Item | None:
    """One Listing child as an item; None for anything but a post (t3) or a post without a title."""
    if child.get("kind") != "t3":
        return None
    post = object_of(child, "data")
    ident = text_of(post, "name") or (f"t3_{text_of(post, 'id')}" if text_of(post, "id") else "")
    url = web_url(text_of(post, "permalink"), site)
    if not ident and not url:
        return None
    # Without raw_json=1, Reddit escapes &, < and > in every string: html_to_text undoes exactly that.
    title = html_to_text(text_of(post, "title"))
    if not title:
        return None
    selftext = html_to_text(text_of(post, "selftext"))
    author = text_of(post, "author")
    ratio = post.get("upvote_ratio")
    ratio_pct = None
    if isinstance(ratio, float | int) and not isinstance(ratio, bool) and 0 <= ratio <= 1:
        ratio_pct = round(ratio * 100)
    return make_item(
        source=source,
        key=url or ident,
        url=url,
        title=title,
        text="" if selftext in _GONE else selftext,
        published=epoch_to_utc(post.get("created_utc")),
        fetched_at=fetched_at,
        guid=ident or None,
        author=None if author in _GONE else author,
        counts=engagement(
            score=signed_of(post, "score"),
            comments=count_of(post, "num_comments"),
            upvote_ratio_pct=ratio_pct,
        ),
    )


def listing_children(response: Response, source: SourceConfig) -> list[Any]:
    """The ``data.children`` of a Listing; :class:`FeedParseError` for anything else."""
    listing = expect_object(decode_json(response, source), "a Listing", source, response)
    data = expect_object(listing.get("data"), "a Listing's data", source, response)
    return expect_list(data.get("children"), "a Listing's children", source, response)


class RedditCollector:
    """Collects a subreddit's or a search's newest posts: JSON first, the Atom feed when JSON is refused."""

    kind = "reddit"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        read_config(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        now = to_utc(now)
        config = configured(read_config, source)
        user_agent = config.user_agent(fetcher.policy.user_agent)
        json_url = config.listing_url(".json")
        try:
            response = self._get(fetcher, json_url, source, user_agent)
            children = listing_children(response, source)
        except FetchError as exc:
            if not isinstance(exc, FeedParseError) and exc.status not in _FALLBACK_STATUSES:
                raise
            log.info("%s: JSON listing unusable (%s); trying the Atom feed", source.name, exc)
            return self._from_feed(config, source, fetcher, user_agent, now, exc)
        items = convert_entries(
            children, lambda c: post_to_item(c, source=source, site=config.site, fetched_at=now), source
        )
        return CollectResult(
            items=items, not_modified=False, etag=None, last_modified=None, status=response.status
        )

    def _from_feed(
        self,
        config: RedditSource,
        source: SourceConfig,
        fetcher: Fetcher,
        user_agent: str,
        now: datetime,
        json_error: FetchError,
    ) -> CollectResult:
        feed_url = config.listing_url(".rss")
        try:
            response = self._get(fetcher, feed_url, source, user_agent)
            feed = parse_feed(response.content, response.headers, response.url)
        except FetchError as exc:
            raise FetchError(
                f"source {source.name!r}: JSON listing failed ({json_error}), Atom feed too ({exc})",
                url=feed_url,
                status=exc.status,
            ) from exc
        items = entries_to_items(feed, source=source, base_url=response.url, fetched_at=now)
        # The feed names authors "/u/name"; the JSON listing, and every other kind, just "name".
        items = [
            dataclasses.replace(item, author=item.author.removeprefix("/u/")) if item.author else item
            for item in items
        ]
        return CollectResult(
            items=items, not_modified=False, etag=None, last_modified=None, status=response.status
        )

    def _get(self, fetcher: Fetcher, url: str, source: SourceConfig, user_agent: str) -> Response:
        return fetcher.get(
            url, allow_private=source.allow_private, min_interval_s=MIN_INTERVAL_S, user_agent=user_agent
        )
