"""The ``hackernews`` source kind: Hacker News stories, from the Algolia search API or the Firebase API.

Configuration (``sources.toml``); the mode follows from the params, the base URL is configurable::

    [[source]]
    name = "hn-heat-pumps"
    kind = "hackernews"
    url = "https://hn.algolia.com/api/v1"        # Algolia: stories matching a query, newest first
    params = { query = "heat pump" }              # query = "" follows every new story
    # params.tags (default "story"), params.hits_per_page (1-1000, default 100), params.max_pages (1-10, 3)

    [[source]]
    name = "hn-new"
    kind = "hackernews"
    url = "https://hacker-news.firebaseio.com/v0"  # Firebase: a ranked list, then each item
    params = { list = "newstories", max_items = 30 }  # or topstories, beststories, ask/show/jobstories

Algolia (``/search_by_date``) resumes from a cursor, the newest ``created_at_i`` seen, with
``numericFilters=created_at_i>cursor``; one run reads at most ``max_pages`` pages, and when more new
stories than that arrived, the older of them are skipped (logged: shorten the interval). Firebase reads
the list, then up to ``max_items`` items (``/item/{id}.json``) a few at a time (the fetcher's per-host
limit); for ``newstories``, whose ids grow with time, the cursor is the highest id read, and ids at or
below it are not fetched again. Ranked lists (top, best) have no such order and no cursor.

Kept: title, text (Ask HN and job posts), the story's URL or else its HN page, the author, the date,
and ``points`` and ``comments`` as engagement. Items are keyed on their HN page, so a story has the same
id whichever API brought it, and several submissions of one article stay several items.
Comments, poll options, dead and deleted items are skipped.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from collectors.base import CollectResult
from collectors.fetcher import Fetcher
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
    iso_to_utc,
    make_item,
    param_int,
    param_str,
    text_of,
    web_url,
)
from collectors.normalize import html_to_text, to_utc
from radar.domain import Item, SourceState
from radar.errors import FetchError
from radar.settings import SourceConfig

log = logging.getLogger(__name__)

HN_ITEM_PAGE = "https://news.ycombinator.com/item?id="
LISTS = ("newstories", "topstories", "beststories", "askstories", "showstories", "jobstories")
_KEPT_TYPES = frozenset({"story", "job", "poll"})


@dataclass(frozen=True, slots=True)
class AlgoliaSource:
    base: str
    query: str
    tags: str
    hits_per_page: int
    max_pages: int


@dataclass(frozen=True, slots=True)
class FirebaseSource:
    base: str
    list: str
    max_items: int


def read_config(source: SourceConfig) -> AlgoliaSource | FirebaseSource:
    """The validated configuration of ``source``; :class:`ConfigError` naming the source and key."""
    check_params(source, ("query", "tags", "hits_per_page", "max_pages", "list", "max_items"))
    has_query, has_list = "query" in source.params, "list" in source.params
    if has_query == has_list:
        raise config_error(
            source,
            "params.query",
            "give either query (Algolia search) or list (Firebase), not both or neither",
        )
    # A bare host gets the API's usual path prefix; a URL with a path is taken as given (a proxy, a mirror).
    path = urlsplit(source.url).path.rstrip("/")
    if has_query:
        query = source.params["query"]
        if not isinstance(query, str):
            raise config_error(source, "params.query", f"must be a string, got {query!r}")
        return AlgoliaSource(
            base=source.url.rstrip("/") + ("" if path else "/api/v1"),
            query=query.strip(),
            tags=param_str(source, "tags") or "story",
            hits_per_page=param_int(source, "hits_per_page", 100, 1, 1000),
            max_pages=param_int(source, "max_pages", 3, 1, 10),
        )
    name = param_str(source, "list")
    if name not in LISTS:
        raise config_error(source, "params.list", f"must be one of {', '.join(LISTS)}, got {name!r}")
    return FirebaseSource(
        base=source.url.rstrip("/") + ("" if path else "/v0"),
        list=name,
        max_items=param_int(source, "max_items", 30, 1, 500),
    )


def hit_to_item(hit: dict[str, Any], *, source: SourceConfig, fetched_at: datetime) -> Item | None:
    """One Algolia hit as an item; None without an id or a title."""
    ident = text_of(hit, "objectID")
    title = html_to_text(text_of(hit, "title") or text_of(hit, "story_title"))
    if not ident or not title:
        return None
    page = HN_ITEM_PAGE + ident
    return make_item(
        source=source,
        key=page,
        url=web_url(hit.get("url")) or page,
        title=title,
        text=html_to_text(text_of(hit, "story_text") or text_of(hit, "comment_text")),
        published=epoch_to_utc(hit.get("created_at_i")) or iso_to_utc(hit.get("created_at")),
        fetched_at=fetched_at,
        guid=f"hn:{ident}",
        author=text_of(hit, "author"),
        counts=engagement(points=count_of(hit, "points"), comments=count_of(hit, "num_comments")),
    )


def story_to_item(story: dict[str, Any], *, source: SourceConfig, fetched_at: datetime) -> Item | None:
    """One Firebase item as an item; None for comments, poll options, dead or deleted items."""
    ident = count_of(story, "id")
    if ident is None or story.get("type") not in _KEPT_TYPES or story.get("dead") or story.get("deleted"):
        return None
    title = html_to_text(text_of(story, "title"))
    if not title:
        return None
    page = f"{HN_ITEM_PAGE}{ident}"
    return make_item(
        source=source,
        key=page,
        url=web_url(story.get("url")) or page,
        title=title,
        text=html_to_text(text_of(story, "text")),
        published=epoch_to_utc(story.get("time")),
        fetched_at=fetched_at,
        guid=f"hn:{ident}",
        author=text_of(story, "by"),
        counts=engagement(points=count_of(story, "score"), comments=count_of(story, "descendants")),
    )


def _created(hit: object) -> int | None:
    return count_of(hit, "created_at_i") if isinstance(hit, dict) else None


class HackerNewsCollector:
    """Collects Hacker News stories through Algolia search or the Firebase lists."""

    kind = "hackernews"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        read_config(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        now = to_utc(now)
        config = configured(read_config, source)
        cursor = state.cursor if state.cursor and state.url == source.url else None
        if isinstance(config, AlgoliaSource):
            return self._search(config, source, fetcher, now, cursor)
        return self._firebase(config, source, fetcher, now, cursor)

    def _search(
        self, config: AlgoliaSource, source: SourceConfig, fetcher: Fetcher, now: datetime, cursor: str | None
    ) -> CollectResult:
        query: dict[str, str | int] = {"query": config.query, "tags": config.tags}
        query["hitsPerPage"] = config.hits_per_page
        if cursor and cursor.isdigit():
            query["numericFilters"] = f"created_at_i>{cursor}"
        hits: list[Any] = []
        status, more = 200, False
        for page in range(config.max_pages):
            response = fetcher.get(
                api_url(config.base, "/search_by_date", {**query, "page": page}),
                allow_private=source.allow_private,
            )
            status = response.status
            body = expect_object(decode_json(response, source), "a search result", source, response)
            hits.extend(expect_list(body.get("hits"), "a list of hits", source, response))
            more = page + 1 < (count_of(body, "nbPages") or 0)
            if not more:
                break
        if more and cursor:  # a first run takes the newest pages only, by design
            log.warning(
                "%s: more new stories than %d pages of %d; older ones skipped (shorten the interval)",
                source.name,
                config.max_pages,
                config.hits_per_page,
            )
        items = convert_entries(hits, lambda h: hit_to_item(h, source=source, fetched_at=now), source)
        created = [c for c in map(_created, hits) if c is not None]
        newest = str(max(created)) if created else None
        return CollectResult(
            items=items, not_modified=False, etag=None, last_modified=None, status=status, cursor=newest
        )

    def _firebase(
        self,
        config: FirebaseSource,
        source: SourceConfig,
        fetcher: Fetcher,
        now: datetime,
        cursor: str | None,
    ) -> CollectResult:
        response = fetcher.get(
            api_url(config.base, f"/{config.list}.json"), allow_private=source.allow_private
        )
        listed = expect_list(decode_json(response, source), f"{config.list} (ids)", source, response)
        ids = [i for i in listed if isinstance(i, int) and not isinstance(i, bool) and i > 0]
        chronological = config.list == "newstories"
        if chronological and cursor and cursor.isdigit():
            ids = [i for i in ids if i > int(cursor)]
        ids = ids[: config.max_items]
        stories, errors = self._fetch_items(config, source, fetcher, ids)
        if ids and not stories and errors:
            raise FetchError(
                f"source {source.name!r}: none of {len(ids)} items could be read; first error: {errors[0]}",
                url=errors[0].url,
                status=errors[0].status,
            ) from errors[0]
        items = convert_entries(stories, lambda s: story_to_item(s, source=source, fetched_at=now), source)
        newest = str(max(ids)) if chronological and ids else None
        return CollectResult(
            items=items,
            not_modified=False,
            etag=None,
            last_modified=None,
            status=response.status,
            cursor=newest,
        )

    def _fetch_items(
        self, config: FirebaseSource, source: SourceConfig, fetcher: Fetcher, ids: list[int]
    ) -> tuple[list[Any], list[FetchError]]:
        """The items of ``ids`` in list order (null ones, for deleted items, left out), and the errors of
        those that could not be read: one bad item is skipped, not the run."""

        def one(ident: int) -> Any:
            try:
                response = fetcher.get(
                    api_url(config.base, f"/item/{ident}.json"), allow_private=source.allow_private
                )
                return decode_json(response, source)
            except FetchError as exc:
                log.warning("%s: skipping item %d: %s", source.name, ident, exc)
                return exc

        if not ids:
            return [], []
        # The fetcher bounds connections per host; more threads than that would only queue.
        workers = max(1, min(len(ids), fetcher.policy.max_per_host))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hn-items") as pool:
            results = list(pool.map(one, ids))
        errors = [r for r in results if isinstance(r, FetchError)]
        return [r for r in results if r is not None and not isinstance(r, FetchError)], errors
