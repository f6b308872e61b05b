"""The ``googlenews`` source kind: Google News RSS searches (and topic or headline feeds).

What Google sends, and what is kept:

- ``<link>`` is ``https://news.google.com/rss/articles/CBMi...?oc=5``, an encoded redirect, not the
  article's address. Resolving it would take one request per item to Google (throttled, and behind a
  consent page in some regions), so it is **kept as the item URL**: it opens the article in a browser.
- ``<title>`` is ``"Headline - Publisher"``. The suffix is cut off and the publisher becomes the item's
  ``author``, when the description confirms it: the description is
  ``<a href=...>Headline</a>&nbsp;&nbsp;<font color="#6f6f6f">Publisher</font>`` and so ends with the same
  name. (The ``<source url=...>`` element names the same publisher; the shared feed parser does not
  surface it, and the description makes it unnecessary.) A title without a confirmed suffix is kept whole.
- The description says nothing beyond headline and publisher, so it is dropped as text; a longer one
  (topic feeds list related headlines) is kept.
- The same story comes back under different redirect ids from one fetch to the next, so items are
  identified by **headline and publisher** (case-folded), not by link: one story, one item.

Which feed: with ``params.q`` the search feed ``{origin of url}/rss/search?q=...&hl=...&gl=...&ceid=...``
is built (``hl`` defaults to ``en-US``, ``gl`` to ``US``, ``ceid`` to ``{gl}:{language of hl}``);
without it ``url`` is fetched as it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from collectors.base import CollectResult
from collectors.feed import collect_at
from collectors.jsonapi import check_params, config_error, configured
from collectors.normalize import collapse_whitespace
from radar.domain import Item, SourceState, item_id_for
from radar.settings import SourceConfig

if TYPE_CHECKING:
    from collectors.fetcher import Fetcher

SEARCH_PATH = "/rss/search"
PARAMS = ("q", "hl", "gl", "ceid")
_SUFFIX = " - "


def _param(source: SourceConfig, name: str, default: str) -> str:
    value = source.params.get(name, default)
    if not isinstance(value, str) or not value.strip():
        raise config_error(source, f"params.{name}", f"must be a non-empty string, got {value!r}")
    return value.strip()


def feed_url(source: SourceConfig) -> str:
    """The address of the feed that ``source`` names (see the module docstring); a :class:`ConfigError`
    for unknown or malformed ``params``."""
    check_params(source, PARAMS)
    if "q" not in source.params:
        return source.url
    query = _param(source, "q", "")
    hl = _param(source, "hl", "en-US")
    gl = _param(source, "gl", "US")
    ceid = _param(source, "ceid", f"{gl}:{hl.split('-')[0]}")
    parts = urlsplit(source.url)
    path = parts.path if parts.path not in ("", "/") else SEARCH_PATH
    # urlencode writes spaces as "+", which Google reads as it reads "%20".
    encoded = urlencode({"q": query, "hl": hl, "gl": gl, "ceid": ceid})
    return urlunsplit((parts.scheme, parts.netloc, path, encoded, ""))


def split_publisher(title: str, description: str) -> tuple[str, str | None]:
    """``("Headline", "Publisher")`` from ``"Headline - Publisher"`` when the description text ends with
    the same publisher (or is empty); ``(title, None)`` otherwise."""
    headline, separator, publisher = title.rpartition(_SUFFIX)
    publisher = publisher.strip()
    if not separator or not headline.strip() or not publisher:
        return title, None
    if description and not description.endswith(publisher):
        return title, None
    return headline.strip(), publisher


def _extra_text(description: str, headline: str, publisher: str | None) -> str:
    """The description minus what the title already says: usually nothing."""
    rest = description
    if publisher and rest.endswith(publisher):
        rest = rest[: -len(publisher)]
    rest = collapse_whitespace(rest)
    # Long headlines are cut with "..." in both places, at the same point.
    if not rest or rest == headline or headline.startswith(rest.rstrip(". …")):
        return ""
    return rest


def story_key(headline: str, publisher: str | None) -> str:
    """What identifies a story across redirect ids: its headline and publisher, case-folded."""
    return f"googlenews:{headline.casefold()}\x1f{(publisher or '').casefold()}"


def tidy_items(items: Iterable[Item], source_name: str) -> list[Item]:
    """Items of a Google News feed with the publisher split off, the echo description dropped, ids
    keyed on the story, and repeats of a story removed (the first, newest in Google's order, stays)."""
    kept: list[Item] = []
    seen: set[str] = set()
    for item in items:
        headline, publisher = split_publisher(item.title, item.text)
        item_id = item_id_for(source_name, story_key(headline, publisher))
        if item_id in seen:
            continue
        seen.add(item_id)
        kept.append(
            dataclasses.replace(
                item,
                id=item_id,
                title=headline,
                text=_extra_text(item.text, headline, publisher),
                author=publisher or item.author,
            )
        )
    return kept


class GoogleNewsCollector:
    """A Google News RSS feed through the ``feed`` kind, tidied by :func:`tidy_items`."""

    kind = "googlenews"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        feed_url(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        result = collect_at(configured(feed_url, source), source, state, fetcher, now)
        return dataclasses.replace(result, items=tidy_items(result.items, source.name))
