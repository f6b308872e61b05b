"""The ``youtube`` source kind: a channel's or playlist's video feed, with its view counts.

YouTube publishes the latest ~15 videos of a channel (or playlist) as Atom with ``yt:`` and Media RSS
extensions, without a key. The feed is read by the ``feed`` kind's parser, which keeps the video
description (``media:description``) as text and the ``media:community`` counters as engagement:
``views`` (``media:statistics@views``), ``favorites`` and ``ratings`` (``media:starRating@count``).

Which feed: ``params.channel_id`` or ``params.playlist_id`` builds
``{origin of url}/feeds/videos.xml?channel_id=...``; a ``url`` of the form ``.../channel/UC...`` gives the
channel id itself; any other ``url`` is fetched as it is (a ready ``feeds/videos.xml`` address).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from collectors.base import CollectResult
from collectors.feed import collect_at
from collectors.jsonapi import check_params, config_error, configured
from radar.domain import SourceState
from radar.settings import SourceConfig

if TYPE_CHECKING:
    from collectors.fetcher import Fetcher

FEED_PATH = "/feeds/videos.xml"
# Channel ids are "UC" and 22 base64url characters; a looser match would take user names for ids.
_CHANNEL_PATH = re.compile(r"^/channel/(UC[A-Za-z0-9_-]{22})/?$")


PARAMS = ("channel_id", "playlist_id")


def feed_url(source: SourceConfig) -> str:
    """The address of the video feed that ``source`` names (see the module docstring); a
    :class:`ConfigError` for unknown or malformed ``params``."""
    check_params(source, PARAMS)
    parts = urlsplit(source.url)
    for param in PARAMS:
        value = source.params.get(param)
        if value is not None:
            if not isinstance(value, str) or not value.strip():
                raise config_error(source, f"params.{param}", f"must be a non-empty string, got {value!r}")
            query = urlencode({param: value.strip()})
            return urlunsplit((parts.scheme, parts.netloc, FEED_PATH, query, ""))
    channel = _CHANNEL_PATH.match(parts.path)
    if channel:
        query = urlencode({"channel_id": channel.group(1)})
        return urlunsplit((parts.scheme, parts.netloc, FEED_PATH, query, ""))
    return source.url


class YouTubeCollector:
    """A channel or playlist feed through the ``feed`` kind, at the address :func:`feed_url` gives."""

    kind = "youtube"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        feed_url(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        return collect_at(configured(feed_url, source), source, state, fetcher, now)
