"""The ``jetstream`` source kind: live Bluesky posts from a Jetstream websocket, filtered by tags or words.

Jetstream relays the whole network's commits as JSON frames
(``{did, time_us, kind: "commit", commit: {operation, collection, rkey, record}}``); with
``wantedCollections=app.bsky.feed.post`` only posts come. A scheduled collector cannot listen forever, so
each collection listens for at most ``params.listen_s`` seconds (never past the fetch deadline,
``fetch_deadline_s``), or until ``params.max_events`` events newer than the cursor, then returns. Only
``create`` commits of posts whose text or hashtags match ``params.tags`` / ``params.keywords`` (and whose
language is in ``params.langs``, when given) become items.

Resuming: the source cursor remembers the newest ``time_us`` received. The next collection asks for
frames from ``params.rewind_s`` seconds before it, as the Jetstream documentation advises, because frames
do not arrive in strict ``time_us`` order and a reconnection may otherwise miss some. The posts already
returned within that window are listed in the cursor too, so that the replayed ones are not returned
twice. The cursor is JSON: ``{"time_us": N, "seen": {"<item id>": time_us, ...}}``; a bare ``time_us``
is also accepted.

The source ``url`` is written with http(s) (``https://jetstream2.us-east.bsky.network/subscribe``) since
sources are http(s) URLs; it is dialled as ws(s). The connection passes the same address guard as HTTP
fetches: the host is resolved, every address checked, and the socket opened to a checked address, so a
DNS answer cannot change in between. Redirects are refused.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from collectors.base import CollectResult
from collectors.bluesky import POST_COLLECTION, hashtags, post_item, record_langs
from collectors.jsonapi import check_params, config_error, configured
from collectors.netguard import address_problem, resolve_host
from collectors.normalize import detect_lang, normalize_lang, to_utc
from radar.domain import Item, SourceState
from radar.errors import FetchError, FetchRefused
from radar.settings import SourceConfig

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

    from collectors.fetcher import Fetcher

log = logging.getLogger(__name__)

DEFAULT_LISTEN_S = 20.0
DEFAULT_MAX_EVENTS = 20_000
DEFAULT_REWIND_S = 3.0
MAX_SEEN = 2_000  # posts remembered in the cursor; a rewind window rarely holds more matching ones
MAX_FRAME_BYTES = 1 << 20  # Jetstream frames are a few KiB; a larger one is not a post worth reading
_SCHEMES = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}


# --- pure: settings, frames, filter, cursor --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Which posts are kept: any tag or keyword matches (and, when ``langs`` is set, the language).

    Tags match hashtags (facets, record tags, or ``#tag`` written in the text) case-insensitively.
    Keywords match whole words or phrases, case-insensitively ("ai" does not match "said").
    """

    tags: frozenset[str]
    keywords: tuple[re.Pattern[str], ...]
    langs: frozenset[str]

    @classmethod
    def from_source(cls, source: SourceConfig) -> PostFilter:
        tags = _strings(source, "tags")
        keywords = _strings(source, "keywords")
        langs = _strings(source, "langs")
        if not tags and not keywords and not langs:
            # Unfiltered, Jetstream sends every post of the network: dozens a second.
            raise config_error(
                source, "params", "params.tags, params.keywords or params.langs must select posts"
            )
        return cls(
            tags=frozenset(tag.lstrip("#").casefold() for tag in tags),
            keywords=tuple(
                re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE) for word in keywords
            ),
            langs=frozenset(filter(None, (normalize_lang(lang) for lang in langs))),
        )

    def matches(self, record: Mapping[str, Any]) -> bool:
        raw = record.get("text")
        text = raw if isinstance(raw, str) else ""
        if self.langs:
            langs = record_langs(record) or [detect_lang(text) or ""]
            if not self.langs.intersection(langs):
                return False
        if not self.tags and not self.keywords:
            return True
        found = {tag.casefold() for tag in hashtags(record)}
        found.update(match.casefold() for match in re.findall(r"(?<!\w)#(\w+)", text))
        if self.tags & found:
            return True
        return any(pattern.search(text) for pattern in self.keywords)


def _strings(source: SourceConfig, name: str) -> list[str]:
    value = source.params.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise config_error(source, f"params.{name}", f"must be a list of strings, got {value!r}")
    return [v.strip() for v in value if v.strip()]


def _number(source: SourceConfig, name: str, default: float, low: float, high: float) -> float:
    value = source.params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise config_error(
            source, f"params.{name}", f"must be a number from {low:g} to {high:g}, got {value!r}"
        )
    return float(value)


PARAMS = ("tags", "keywords", "langs", "listen_s", "max_events", "rewind_s")


@dataclass(frozen=True, slots=True)
class Listening:
    """What a ``jetstream`` source asks for, read from its ``params``."""

    post_filter: PostFilter
    listen_s: float
    max_events: int
    rewind_us: int

    @classmethod
    def from_source(cls, source: SourceConfig) -> Listening:
        """A :class:`ConfigError` naming the source and key for unknown or malformed ``params``."""
        check_params(source, PARAMS)
        return cls(
            post_filter=PostFilter.from_source(source),
            listen_s=_number(source, "listen_s", DEFAULT_LISTEN_S, 0.05, 600),
            max_events=int(_number(source, "max_events", DEFAULT_MAX_EVENTS, 1, 10_000_000)),
            rewind_us=int(_number(source, "rewind_s", DEFAULT_REWIND_S, 0, 3600) * 1e6),
        )


@dataclass(frozen=True, slots=True)
class Post:
    """A ``create`` commit of a post, as read from one frame."""

    did: str
    rkey: str
    time_us: int
    record: dict[str, Any]


def parse_frame(data: str | bytes) -> tuple[int | None, Post | None]:
    """``(time_us, post)`` of one frame: ``time_us`` is None for a frame that is not a Jetstream event
    (and then it does not move the cursor); ``post`` is None for any event that is not a post creation."""
    try:
        event = json.loads(data)
    except (ValueError, UnicodeError):
        return None, None
    if not isinstance(event, dict):
        return None, None
    time_us = event.get("time_us")
    if isinstance(time_us, bool) or not isinstance(time_us, int) or time_us <= 0:
        return None, None
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return time_us, None
    did, rkey, record = event.get("did"), commit.get("rkey"), commit.get("record")
    if (
        commit.get("operation") != "create"
        or commit.get("collection") != POST_COLLECTION
        or not isinstance(did, str)
        or not did.startswith("did:")
        or not isinstance(rkey, str)
        or not rkey
        or "/" in rkey
        or not isinstance(record, dict)
    ):
        return time_us, None
    return time_us, Post(did=did, rkey=rkey, time_us=time_us, record=record)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where to resume: the newest ``time_us`` received, and the items returned near it."""

    time_us: int
    seen: dict[str, int]

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        text = text.strip()
        if text.isdigit():
            return cls(int(text), {})
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not isinstance(data.get("time_us"), int):
            log.warning("ignoring an unreadable jetstream cursor %r", text[:80])
            return None
        seen = data.get("seen")
        kept = {k: v for k, v in seen.items() if isinstance(v, int)} if isinstance(seen, dict) else {}
        return cls(data["time_us"], kept)

    def dump(self) -> str:
        return json.dumps({"time_us": self.time_us, "seen": self.seen}, separators=(",", ":"))


def next_cursor(
    previous: Cursor | None, newest_us: int | None, returned: Mapping[str, int], rewind_us: int
) -> Cursor | None:
    """The cursor after a collection: the newest ``time_us`` so far, and the returned items (earlier and
    now) that a rewind from there would replay. None when nothing at all was received."""
    if newest_us is None:
        return None
    newest = max(newest_us, previous.time_us if previous else newest_us)
    merged = {**(previous.seen if previous else {}), **returned}
    window = {key: at for key, at in merged.items() if at >= newest - rewind_us}
    recent = dict(sorted(window.items(), key=lambda kv: kv[1])[-MAX_SEEN:])
    return Cursor(newest, recent)


def stream_url(source_url: str, cursor_us: int | None) -> str:
    """The ws(s) address to dial: the source URL's own query parameters (``wantedDids``, ...) kept,
    ``wantedCollections`` set to posts and ``cursor`` to where to resume."""
    parts = urlsplit(source_url)
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise FetchRefused(f"scheme {parts.scheme!r} cannot reach a websocket", url=source_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("wantedCollections", "cursor")]
    query.append(("wantedCollections", POST_COLLECTION))
    if cursor_us is not None:
        query.append(("cursor", str(cursor_us)))
    return urlunsplit((scheme, parts.netloc, parts.path or "/subscribe", urlencode(query), ""))


def collect_posts(
    frames: Iterator[str | bytes],
    *,
    source: SourceConfig,
    post_filter: PostFilter,
    seen: Mapping[str, int],
    fetched_at: datetime,
    max_events: int,
    after_us: int = 0,
) -> tuple[list[Item], dict[str, int], int | None, int]:
    """Items from ``frames``: ``(items, {item id: time_us}, newest time_us, frames skipped)``.

    Reading stops after ``max_events`` events newer than ``after_us``. Replayed ones (the rewind) are not
    counted, or a rewind window holding more than ``max_events`` events would never let the cursor move.
    """
    items: list[Item] = []
    returned: dict[str, int] = {}
    newest: int | None = None
    skipped = fresh = 0
    for frame in frames:
        time_us, post = parse_frame(frame)
        if time_us is None:
            skipped += 1
            continue
        newest = time_us if newest is None else max(newest, time_us)
        fresh += time_us > after_us
        item = _matching_item(post, source, post_filter, fetched_at) if post is not None else None
        if item is not None and item.id not in seen and item.id not in returned:
            returned[item.id] = time_us
            items.append(item)
        if fresh >= max_events:
            break
    return items, returned, newest, skipped


def _matching_item(
    post: Post, source: SourceConfig, post_filter: PostFilter, fetched_at: datetime
) -> Item | None:
    if not post_filter.matches(post.record):
        return None
    try:
        return post_item(
            source=source,
            did=post.did,
            rkey=post.rkey,
            record=post.record,
            fetched_at=fetched_at,
            fallback_date=datetime.fromtimestamp(post.time_us / 1e6, tz=UTC),
        )
    except (ValueError, TypeError, OverflowError) as exc:  # one odd post must not cost the others
        log.warning("skipping a jetstream post of %s that cannot be normalized: %s", source.name, exc)
        return None


# --- I/O: the guarded websocket --------------------------------------------------------------------------


def _checked_addresses(host: str, port: int, allow_private: bool, url: str) -> list[str]:
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = resolve_host(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve host {host!r}: {exc}", url=url) from exc
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem:
            hint = "" if allow_private else " (set allow_private on the source to reach it)"
            raise FetchRefused(f"host {host!r} refused: {problem}{hint}", url=url)
    if not addresses:
        raise FetchError(f"host {host!r} has no address", url=url)
    return addresses


def _open_socket(addresses: list[str], port: int, timeout: float, url: str) -> socket.socket:
    errors: list[str] = []
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            errors.append(f"{address}: {exc}")
            continue
        # websockets bounds the handshake itself (open_timeout) and reads from a thread of its own, where
        # a socket timeout would end a quiet but healthy stream: as websockets does, it is removed.
        sock.settimeout(None)
        return sock
    raise FetchError(f"cannot connect: {'; '.join(errors)}", url=url)


def _open(url: str, *, allow_private: bool, timeout: float, user_agent: str) -> ClientConnection:
    """A websocket to ``url`` through a socket opened to an address the guard accepted."""
    from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI
    from websockets.sync.client import connect

    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        raise FetchRefused("URL has no host", url=url)
    try:
        port = parts.port or (443 if parts.scheme == "wss" else 80)
    except ValueError as exc:
        raise FetchRefused(f"malformed URL: {exc}", url=url) from exc
    sock = _open_socket(_checked_addresses(host, port, allow_private, url), port, timeout, url)
    try:
        return connect(
            url,
            sock=sock,  # connected to a checked address; websockets refuses redirects with it
            proxy=None,  # an environment proxy would connect on our behalf, past the guard
            open_timeout=timeout,
            # Stopping mid-replay leaves unread frames queued and the server's close frame behind them;
            # the close handshake is then cut short rather than waited for.
            close_timeout=min(timeout, 1.0),
            ping_interval=None,  # a collection is shorter than any keepalive would matter
            max_size=MAX_FRAME_BYTES,
            user_agent_header=user_agent,
        )
    except InvalidStatus as exc:
        sock.close()
        status = exc.response.status_code
        raise FetchError(f"websocket handshake refused: HTTP {status}", url=url, status=status) from exc
    except (InvalidHandshake, InvalidURI, ValueError) as exc:
        sock.close()
        raise FetchError(f"websocket handshake failed: {exc}", url=url) from exc
    except (OSError, TimeoutError) as exc:
        sock.close()
        raise FetchError(f"websocket connection failed: {exc}", url=url) from exc


def _frames(connection: ClientConnection, deadline: float, url: str) -> Iterator[str | bytes]:
    """Frames until the deadline or the server closing the stream.

    A stream that breaks after some frames ends the collection normally: what was received is complete
    and the cursor covers it. One that breaks before any frame is a failed fetch.
    """
    from websockets.exceptions import ConnectionClosedOK, WebSocketException

    received = 0
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            frame = connection.recv(timeout=remaining)
        except (TimeoutError, ConnectionClosedOK):
            return  # quiet until the deadline, or closed by the server: the listening is over
        except (WebSocketException, OSError) as exc:
            if received == 0:
                raise FetchError(f"websocket stream failed: {exc}", url=url) from exc
            log.warning("jetstream %s broke off after %d frames: %s", url, received, exc)
            return
        received += 1
        yield frame


class JetstreamCollector:
    """Listens to a Jetstream for a bounded time; see the module docstring."""

    kind = "jetstream"

    def validate(self, source: SourceConfig) -> None:
        """Raise :class:`ConfigError` for a bad configuration, before any fetch."""
        Listening.from_source(source)

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: Fetcher, now: datetime
    ) -> CollectResult:
        now = to_utc(now)
        wanted = configured(Listening.from_source, source)
        policy = fetcher.policy
        started = time.monotonic()
        # The listening time counts against the fetch deadline, as a long HTTP download would.
        deadline = started + min(wanted.listen_s, policy.deadline_s)
        previous = Cursor.parse(state.cursor) if state.url == source.url else None
        url = stream_url(source.url, previous.time_us - wanted.rewind_us if previous else None)
        connection = _open(
            url,
            allow_private=policy.allow_private or source.allow_private,
            timeout=max(0.1, min(policy.timeout_s, policy.deadline_s)),
            user_agent=policy.user_agent,
        )
        with connection:  # closes it, whatever happens while listening
            items, returned, newest, skipped = collect_posts(
                _frames(connection, deadline, url),
                source=source,
                post_filter=wanted.post_filter,
                seen=previous.seen if previous else {},
                fetched_at=now,
                max_events=wanted.max_events,
                after_us=previous.time_us if previous else 0,
            )
        if skipped:
            log.info("jetstream %s: %d frames that are not events were skipped", source.name, skipped)
        cursor = next_cursor(previous, newest, returned, wanted.rewind_us)
        return CollectResult(
            items=items,
            not_modified=False,
            etag=None,
            last_modified=None,
            status=None,
            cursor=cursor.dump() if cursor else None,
        )
