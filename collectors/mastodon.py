"""The ``mastodon`` source kind: one hashtag's public timeline on one Mastodon instance.

Configuration (``sources.toml``)::

    [[source]]
    name = "masto-solarpunk"
    kind = "mastodon"
    url = "https://mastodon.social"           # the instance; or its tag page .../tags/solarpunk,
    params = { tag = "solarpunk" }            # or the API URL .../api/v1/timelines/tag/solarpunk
    # params.max_pages: requests per run, 1 to 10 (default 3), 40 statuses each

Paging: the first run takes the newest page and up to ``max_pages - 1`` older ones (``max_id``); later runs
page forward from the stored cursor, the newest status id seen, with ``min_id``, so nothing between two
runs is skipped as long as fewer than ``max_pages * 40`` statuses arrived in between; past that the
remainder waits for the next run (the cursor only moves over what was fetched).

Kept: public statuses only (reblog wrappers are replaced by the status they share); text from the HTML
content (a content warning becomes the title), ``account.acct`` as author, the status language, hashtags
missing from the text, and ``replies``, ``reblogs``, ``favourites`` as engagement.

Access: an instance that answers 401 or 403 requires login for hashtag timelines; that is raised as a
:class:`FetchError` that says so. An empty first page is ambiguous: the Mastodon documentation says a
disabled feed answers an empty array, but a quiet or new tag does too. So the collector then asks the
instance (``/api/v2/instance``, Mastodon 4.5+) whether hashtag feeds are public: when neither local nor
remote ones are, that is an error; otherwise (public, or an older instance that does not say) it is a
logged warning and an empty result, and the next run is again a first run.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from collectors.base import CollectResult
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
    iso_to_utc,
    make_item,
    object_of,
    param_int,
    param_str,
    site_root,
    text_of,
    web_url,
)
from collectors.normalize import collapse_whitespace, html_to_text, normalize_lang, to_utc
from radar.domain import Item, SourceState
from radar.errors import FetchError
from radar.settings import SourceConfig

log = logging.getLogger(__name__)

PAGE_SIZE = 40  # the API's maximum
_TAG = re.compile(r"^\w+$")
_API_PATH = re.compile(r"^/api/v1/timelines/tag/([^/]+)/?$")
_TAG_PAGE = re.compile(r"^/tags/([^/.]+)/?$")


@dataclass(frozen=True, slots=True)
class MastodonSource:
    """A validated ``mastodon`` source: the instance root, the tag and the page budget."""

    instance: str
    tag: str
    max_pages: int

    @property
    def timeline_url(self) -> str:
        return api_url(self.instance, f"/api/v1/timelines/tag/{quote(self.tag, safe='')}")

    @property
    def host(self) -> str:
        return urlsplit(self.instance).netloc


def read_config(source: SourceConfig) -> MastodonSource:
    """The validated configuration of ``source``; :class:`ConfigError` naming the source and key."""
    check_params(source, ("tag", "max_pages"))
    path = urlsplit(source.url).path
    match = _API_PATH.match(path) or _TAG_PAGE.match(path)
    if path not in ("", "/") and match is None:
        raise config_error(
            source,
            "url",
            "must be the instance (https://host), its tag page (/tags/<tag>) or the hashtag timeline "
            f"(/api/v1/timelines/tag/<tag>), got path {path!r}",
        )
    from_url = unquote(match.group(1)) if match else None
    from_params = param_str(source, "tag")
    if from_params is not None:
        from_params = from_params.removeprefix("#")
    if from_url and from_params and from_url.lower() != from_params.lower():
        raise config_error(
            source, "params.tag", f"{from_params!r} differs from the tag in url ({from_url!r})"
        )
    tag = from_params or from_url
    if not tag:
        raise config_error(source, "params.tag", "missing: the hashtag to follow, without '#'")
    if not _TAG.match(tag):
        raise config_error(source, "params.tag", f"{tag!r} is not a hashtag (letters, digits and '_')")
    max_pages = param_int(source, "max_pages", 3, 1, 10)
    return MastodonSource(site_root(source.url), tag, max_pages)


def status_id(status: dict[str, Any]) -> str | None:
    value = status.get("id")
    return value if isinstance(value, str) and value else None


def _id_order(value: str) -> tuple[int, str]:
    # Mastodon ids are decimal strings of growing length; other servers' are fixed-length sortable strings.
    return (len(value), value)


def newest_id(statuses: list[Any]) -> str | None:
    ids = [i for s in statuses if isinstance(s, dict) and (i := status_id(s))]
    return max(ids, key=_id_order) if ids else None


def oldest_id(statuses: list[Any]) -> str | None:
    ids = [i for s in statuses if isinstance(s, dict) and (i := status_id(s))]
    return min(ids, key=_id_order) if ids else None


def status_to_item(status: dict[str, Any], *, source: SourceConfig, fetched_at: datetime) -> Item | None:
    """One Status entity as an item; None for a non-public status or one without an id or any text."""
    shared = status.get("reblog")
    if isinstance(shared, dict):
        status = shared  # a reblog's wrapper has no content of its own
    visibility = status.get("visibility")
    ident = status_id(status)
    if ident is None or visibility not in (None, "public"):
        return None
    url = web_url(status.get("url")) or web_url(status.get("uri"))
    text = html_to_text(text_of(status, "content"))
    missing = [f"#{name}" for name in _tag_names(status) if f"#{name}".lower() not in text.lower()]
    if missing:
        text = f"{text} {' '.join(missing)}".strip()
    return make_item(
        source=source,
        key=url or f"mastodon:{ident}",
        url=url,
        title=collapse_whitespace(text_of(status, "spoiler_text")),  # the content warning, if any
        text=text,
        published=iso_to_utc(status.get("created_at")),
        fetched_at=fetched_at,
        guid=text_of(status, "uri") or ident,
        author=text_of(object_of(status, "account"), "acct"),
        lang=normalize_lang(status.get("language")),
        counts=engagement(
            replies=count_of(status, "replies_count"),
            reblogs=count_of(status, "reblogs_count"),
            favourites=count_of(status, "favourites_count"),
        ),
    )


def _tag_names(status: dict[str, Any]) -> list[str]:
    tags = status.get("tags")
    if not isinstance(tags, list):
        return []
    return [name for tag in tags if isinstance(tag, dict) and (name := text_of(tag, "name"))]


class MastodonCollector:
    """Collects a hashtag timeline of a Mastodon instance through its public API."""

    kind = "mastodon"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        read_config(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        now = to_utc(now)
        config = configured(read_config, source)
        # A cursor belongs to the instance it came from; after a URL change it would be meaningless.
        cursor = state.cursor if state.cursor and state.url == source.url else None
        if cursor:
            statuses, new_cursor, status = self._newer(config, source, fetcher, cursor)
        else:
            statuses, new_cursor, status = self._latest(config, source, fetcher)
        items = convert_entries(statuses, lambda s: status_to_item(s, source=source, fetched_at=now), source)
        return CollectResult(
            items=items, not_modified=False, etag=None, last_modified=None, status=status, cursor=new_cursor
        )

    def _latest(
        self, config: MastodonSource, source: SourceConfig, fetcher: Fetcher
    ) -> tuple[list[Any], str | None, int]:
        page, status = self._page(config, source, fetcher, {"limit": PAGE_SIZE})
        if not page:
            self._explain_empty(config, source, fetcher)
            return [], None, status
        statuses = list(page)
        for _ in range(config.max_pages - 1):
            older_than = oldest_id(page)
            if len(page) < PAGE_SIZE or older_than is None:
                break
            page, status = self._page(config, source, fetcher, {"limit": PAGE_SIZE, "max_id": older_than})
            statuses.extend(page)
        return statuses, newest_id(statuses), status

    def _newer(
        self, config: MastodonSource, source: SourceConfig, fetcher: Fetcher, cursor: str
    ) -> tuple[list[Any], str | None, int]:
        statuses: list[Any] = []
        since, status = cursor, 200
        for _ in range(config.max_pages):
            page, status = self._page(config, source, fetcher, {"limit": PAGE_SIZE, "min_id": since})
            newest = newest_id(page)
            statuses.extend(page)
            if newest is None or _id_order(newest) <= _id_order(since):
                break  # nothing newer, or nothing to page on
            since = newest
            if len(page) < PAGE_SIZE:
                break
        return statuses, (since if since != cursor else None), status

    def _page(
        self, config: MastodonSource, source: SourceConfig, fetcher: Fetcher, query: dict[str, str | int]
    ) -> tuple[list[Any], int]:
        url = api_url(config.timeline_url, "", query)
        try:
            response = fetcher.get(url, allow_private=source.allow_private)
        except FetchError as exc:
            if exc.status in (401, 403):
                raise FetchError(
                    f"{config.host} answers {exc.status} for public hashtag timelines: "
                    "the instance requires login",
                    url=exc.url or url,
                    status=exc.status,
                ) from exc
            if exc.status == 404:
                raise FetchError(
                    f"{config.host} answers 404 for #{config.tag}: no such hashtag, or not a Mastodon API",
                    url=exc.url or url,
                    status=404,
                ) from exc
            raise
        return _statuses(response, source), response.status

    def _explain_empty(self, config: MastodonSource, source: SourceConfig, fetcher: Fetcher) -> None:
        """Raise when the instance says its hashtag feeds are not public; otherwise log a warning."""
        access = self._hashtag_feed_access(config, source, fetcher)
        closed = {where: how for where, how in access.items() if how != "public"}
        if access and len(closed) == len(access):
            detail = ", ".join(f"{where} {how}" for where, how in sorted(closed.items()))
            raise FetchError(
                f"{config.host} serves no public hashtag timelines ({detail}): the instance requires login",
                url=config.timeline_url,
            )
        log.warning(
            "%s: the first fetch of #%s on %s returned nothing; the tag may be unused there%s",
            source.name,
            config.tag,
            config.host,
            f" (hashtag feeds: {access})" if access else ", or the instance may hide it",
        )

    def _hashtag_feed_access(
        self, config: MastodonSource, source: SourceConfig, fetcher: Fetcher
    ) -> dict[str, str]:
        """``{"local": ..., "remote": ...}`` from the instance's 4.5+ configuration; empty when unknown."""
        try:
            response = fetcher.get(
                api_url(config.instance, "/api/v2/instance"), allow_private=source.allow_private
            )
            info = decode_json(response, source)
        except FetchError as exc:
            log.info("%s: could not read the instance configuration: %s", source.name, exc)
            return {}
        if not isinstance(info, dict):
            return {}
        feeds = object_of(object_of(object_of(info, "configuration"), "timelines_access"), "hashtag_feeds")
        return {where: how for where in ("local", "remote") if (how := text_of(feeds, where))}


def _statuses(response: Response, source: SourceConfig) -> list[Any]:
    return expect_list(decode_json(response, source), "an array of statuses", source, response)
