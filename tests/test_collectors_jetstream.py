"""The jetstream kind against a real local websocket server replaying the real Jetstream captures.

The server runs in a thread (``websockets`` sync server) and behaves as Jetstream does where it matters:
without ``cursor`` it sends frames in arrival order (live), with ``cursor`` it replays every event from
that ``time_us`` on, in ``time_us`` order. Expected posts are computed here from the capture with a
plain word split, independently of the collector's filter.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pytest_httpserver import HTTPServer
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from collectors import registry
from collectors.fetcher import Fetcher, FetchPolicy
from collectors.jetstream import Cursor, JetstreamCollector, stream_url
from radar.domain import SourceState
from radar.errors import ConfigError, FetchError, FetchRefused
from radar.settings import SourceConfig

NOW = datetime(2026, 7, 5, tzinfo=UTC)
SOCIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "social"
CAPTURE = SOCIAL / "bluesky_jetstream_v1_events_150frames.jsonl"
GOLDEN = SOCIAL / "bluesky_jetstream_v1_events_golden.jsonl"
POST = "app.bsky.feed.post"


def read_frames(path: Path) -> list[str]:
    if not path.is_file():
        pytest.skip(f"Jetstream capture not found at {path} (../shared/data/social)")
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def created_posts(frames: list[str]) -> list[dict[str, Any]]:
    events = [json.loads(frame) for frame in frames]
    return [
        e
        for e in events
        if e["kind"] == "commit"
        and e["commit"]["operation"] == "create"
        and e["commit"]["collection"] == POST
    ]


def guid(event: dict[str, Any]) -> str:
    return f"at://{event['did']}/{POST}/{event['commit']['rkey']}"


def words(event: dict[str, Any]) -> set[str]:
    return set(re.findall(r"\w+", event["commit"]["record"].get("text", "").casefold()))


def facet_tags(event: dict[str, Any]) -> set[str]:
    record = event["commit"]["record"]
    return {
        feature["tag"].casefold()
        for facet in record.get("facets", [])
        for feature in facet["features"]
        if feature["$type"] == "app.bsky.richtext.facet#tag"
    }


def time_of(frame: str) -> int | None:
    try:
        value = json.loads(frame).get("time_us")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) else None


class Jetstream:
    """A local Jetstream: replays ``frames``; closes the stream after them unless ``stay_open``."""

    def __init__(self, frames: list[str | bytes], *, stay_open: bool = False) -> None:
        self.frames = frames
        self.stay_open = stay_open
        self.paths: list[str] = []
        self.done = threading.Event()
        self.server: Server = serve(self.handle, "127.0.0.1", 0)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/subscribe"

    def handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.paths.append(connection.request.path)
        query = parse_qs(urlsplit(connection.request.path).query)
        frames = self.frames
        if "cursor" in query:
            start = int(query["cursor"][0])
            timed = [(time_of(f), f) for f in frames if isinstance(f, str)]
            frames = [f for t, f in sorted((t, f) for t, f in timed if t is not None and t >= start)]
        try:
            for frame in frames:
                connection.send(frame)
            if self.stay_open:
                self.done.wait(10)
        except ConnectionClosed:
            pass  # the collector stopped listening first, as it may

    def close(self) -> None:
        self.done.set()
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10)) as f:
        yield f


@pytest.fixture
def capture() -> list[str]:
    return read_frames(CAPTURE)


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[list[Jetstream]]:
    started: list[Jetstream] = []
    yield started
    for server in started:
        server.close()


def start(served: list[Jetstream], frames: list[Any], **kwargs: Any) -> Jetstream:
    server = Jetstream(frames, **kwargs)
    served.append(server)
    return server


def source_for(url: str, allow_private: bool = True, **params: object) -> SourceConfig:
    return SourceConfig(
        name="bsky-live", kind="jetstream", url=url, allow_private=allow_private, params=params
    )


def collect(source: SourceConfig, fetcher: Fetcher, cursor: str | None = None) -> Any:
    state = SourceState(source.name, source.kind, source.url, cursor=cursor)
    return JetstreamCollector().collect(source, state, fetcher, NOW)


def test_keywords_and_tags_select_exactly_the_matching_posts(
    served: list[Jetstream], fetcher: Fetcher, capture: list[str]
) -> None:
    server = start(served, list(capture))
    source = source_for(server.url, keywords=["Government", "band"], tags=["#TalesAtWonderworld"])
    result = collect(source, fetcher)

    expected = [
        guid(e)
        for e in created_posts(capture)
        if words(e) & {"government", "band"} or "talesatwonderworld" in facet_tags(e)
    ]
    assert len(expected) == 6
    assert [item.guid for item in result.items] == expected
    item = next(i for i in result.items if i.guid == expected[0])
    did, rkey = expected[0].removeprefix("at://").split(f"/{POST}/")
    assert item.url == f"https://bsky.app/profile/{did}/post/{rkey}" and item.author == did
    assert item.date_from_fetch is False and item.published_at.tzinfo is not None
    assert Cursor.parse(result.cursor) == Cursor(
        max(t for t in map(time_of, capture) if t is not None),
        {i.id: time_of_guid(capture, i.guid) for i in result.items},
    )
    # wantedCollections asked for posts only; no cursor on a first collection (live).
    assert parse_qs(urlsplit(server.paths[0]).query) == {"wantedCollections": [POST]}


def time_of_guid(frames: list[str], at_uri: str | None) -> int:
    return next(e["time_us"] for e in created_posts(frames) if guid(e) == at_uri)


def test_a_language_filter_alone_selects_by_declared_language(
    served: list[Jetstream], fetcher: Fetcher, capture: list[str]
) -> None:
    server = start(served, list(capture))
    result = collect(source_for(server.url, langs=["tr"]), fetcher)
    expected = [guid(e) for e in created_posts(capture) if "tr" in (e["commit"]["record"].get("langs") or [])]
    assert len(expected) == 3
    assert [item.guid for item in result.items] == expected
    assert all(item.lang == "tr" for item in result.items)


def test_a_second_collection_resumes_from_the_cursor_without_repeats_or_gaps(
    served: list[Jetstream], fetcher: Fetcher, capture: list[str]
) -> None:
    server = start(served, list(capture))
    source = source_for(server.url, langs=["en"], max_events=80)
    first = collect(source, fetcher)
    stored = Cursor.parse(first.cursor)
    assert stored is not None and first.items

    second = collect(source, fetcher, cursor=first.cursor)
    # Jetstream is asked to rewind three seconds (the default) before the newest event seen...
    assert parse_qs(urlsplit(server.paths[1]).query)["cursor"] == [str(stored.time_us - 3_000_000)]
    first_ids = {item.id for item in first.items}
    # ...and what it replays is not returned twice, while nothing is lost either.
    assert not first_ids & {item.id for item in second.items}
    expected = {guid(e) for e in created_posts(capture) if "en" in (e["commit"]["record"].get("langs") or [])}
    expected -= {guid(e) for e in created_posts(capture) if not e["commit"]["record"].get("text")}
    assert {item.guid for item in first.items + second.items} == expected
    assert len(first.items) < len(expected)  # the first one really stopped part-way


def test_malformed_frames_are_skipped(served: list[Jetstream], fetcher: Fetcher) -> None:
    golden = read_frames(GOLDEN)
    junk: list[Any] = [
        "not json",
        "[1, 2]",
        '{"kind": "commit"}',
        '{"time_us": "soon", "kind": "commit"}',
        b"\xff\xfe\x00",
        json.dumps(
            {
                "did": "did:plc:x",
                "time_us": 1,
                "kind": "commit",
                "commit": {"operation": "create", "collection": POST},
            }
        ),
        json.dumps(
            {
                "did": "did:plc:x",
                "time_us": 2,
                "kind": "commit",
                "commit": {
                    "operation": "create",
                    "collection": POST,
                    "rkey": "a/b",
                    "record": {"text": "rsv"},
                },
            }
        ),
    ]
    frames = [*junk[:4], *golden[:5], *junk[4:], *golden[5:]]
    server = start(served, frames)
    result = collect(source_for(server.url, keywords=["rsv"]), fetcher)
    expected = [guid(e) for e in created_posts(golden) if "rsv" in words(e)]
    assert len(expected) == 1
    assert [item.guid for item in result.items] == expected
    assert [item.title for item in result.items] == ["Try RSV for a good time !!"]
    # identity and account events move the cursor too; junk does not.
    assert Cursor.parse(result.cursor).time_us == max(json.loads(f)["time_us"] for f in golden)  # type: ignore[union-attr]


def test_listening_stops_at_listen_s_on_a_quiet_stream(served: list[Jetstream], fetcher: Fetcher) -> None:
    server = start(served, list(read_frames(GOLDEN)), stay_open=True)
    began = time.monotonic()
    result = collect(source_for(server.url, keywords=["rsv"], listen_s=0.5), fetcher)
    assert 0.4 < time.monotonic() - began < 3
    assert len(result.items) == 1


def test_a_quiet_stream_gives_nothing_and_keeps_the_cursor(served: list[Jetstream], fetcher: Fetcher) -> None:
    server = start(served, [], stay_open=True)
    result = collect(
        source_for(server.url, keywords=["rsv"], listen_s=0.2), fetcher, cursor="1783175888000000"
    )
    assert result.items == [] and result.cursor is None  # None keeps the stored cursor


def test_a_loopback_stream_is_refused_unless_private_addresses_are_allowed(
    served: list[Jetstream], fetcher: Fetcher
) -> None:
    server = start(served, [])
    with pytest.raises(FetchRefused, match="loopback"):
        collect(source_for(server.url, allow_private=False, keywords=["x"]), fetcher)
    assert server.paths == []  # refused before connecting


def test_a_refused_handshake_is_a_fetch_error_with_its_status(fetcher: Fetcher) -> None:
    def refuse(connection: ServerConnection, request: Request) -> Response:
        return connection.respond(HTTPStatus.NOT_FOUND, "no such stream\n")

    with serve(lambda connection: None, "127.0.0.1", 0, process_request=refuse) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.socket.getsockname()[1]}/subscribe"
        try:
            with pytest.raises(FetchError, match="handshake refused: HTTP 404") as caught:
                collect(source_for(url, keywords=["x"]), fetcher)
        finally:
            server.shutdown()
            thread.join(5)
    assert caught.value.status == 404


def test_a_server_that_is_not_a_websocket_or_not_there_is_a_readable_fetch_error(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    httpserver.expect_request("/subscribe").respond_with_data("<html>hello</html>")
    # Refused (HTTP 200 is no upgrade) over HTTP/1.1; failed when the test server speaks HTTP/1.0.
    with pytest.raises(FetchError, match="websocket handshake (refused: HTTP 200|failed)"):
        collect(source_for(httpserver.url_for("/subscribe"), keywords=["x"]), fetcher)
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="cannot connect"):
        collect(source_for(f"http://127.0.0.1:{port}/subscribe", keywords=["x"]), fetcher)


def test_a_source_must_say_which_posts_it_wants(fetcher: Fetcher) -> None:
    url = "https://jetstream2.us-east.bsky.network/subscribe"
    with pytest.raises(
        FetchError, match="invalid configuration: .*params.tags, params.keywords or params.langs"
    ):
        collect(source_for(url), fetcher)
    collector = JetstreamCollector()
    for params, key in [
        ({"tags": ["x"], "listen_s": 0}, "params.listen_s"),
        ({"tags": "x", "rewind_s": True}, "params.rewind_s"),
        ({"keywords": [1]}, "params.keywords"),
        ({"tags": ["x"], "keyword": ["y"]}, "params.keyword: unknown key"),
    ]:
        with pytest.raises(ConfigError, match=key):
            collector.validate(source_for(url, **params))
    collector.validate(source_for(url, tags="x", listen_s=5, max_events=10, rewind_s=0))


def test_stream_url_and_cursor_forms() -> None:
    url = stream_url("https://jetstream2.us-east.bsky.network/subscribe?wantedDids=did:plc:a&cursor=5", 42)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "wss",
        "jetstream2.us-east.bsky.network",
        "/subscribe",
    )
    assert parse_qs(parts.query) == {
        "wantedDids": ["did:plc:a"],
        "wantedCollections": [POST],
        "cursor": ["42"],
    }
    assert Cursor.parse("1783175888090631") == Cursor(1783175888090631, {})
    assert Cursor.parse("garbage") is None and Cursor.parse(None) is None
    cursor = Cursor(10, {"abc": 9})
    assert Cursor.parse(cursor.dump()) == cursor


def test_jetstream_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("jetstream"), JetstreamCollector)
