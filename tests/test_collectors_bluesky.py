"""The bluesky kind against a local AppView that pages an author feed built from real posts.

There is no real getAuthorFeed response in the shared data, only the lexicon schemas. The responses here
follow ``app.bsky.feed.getAuthorFeed`` / ``app.bsky.feed.defs#feedViewPost``, and their post records are
the real ones of the Jetstream capture, so that texts, facets and languages are what people wrote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from collectors import registry
from collectors.bluesky import BlueskyCollector, post_view_item
from collectors.fetcher import Fetcher, FetchPolicy
from radar.domain import SourceState
from radar.errors import ConfigError, FeedParseError, FetchError
from radar.settings import SourceConfig

NOW = datetime(2026, 7, 5, tzinfo=UTC)
SOCIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "social"
FRAMES = SOCIAL / "bluesky_jetstream_v1_events_150frames.jsonl"
LEXICON = SOCIAL / "bluesky_lexicon_app.bsky.feed.defs.json"
ACTOR = "radar-test.bsky.social"
ACTOR_DID = "did:plc:radartestactor00000000000"
PAGE = 5


def iso(time_us: int) -> str:
    return datetime.fromtimestamp(time_us / 1e6, tz=UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def records() -> list[dict[str, Any]]:
    """The real post creations of the capture: ``{did, rkey, time_us, record}``, in arrival order."""
    if not FRAMES.is_file():
        pytest.skip(f"Jetstream capture not found at {FRAMES} (../shared/data/social)")
    found = []
    for line in FRAMES.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        commit = event.get("commit") or {}
        if commit.get("operation") == "create" and commit.get("collection") == "app.bsky.feed.post":
            found.append({"did": event["did"], "rkey": commit["rkey"], "time_us": event["time_us"], **commit})
    return found


def post_view(entry: dict[str, Any], n: int, *, own: bool) -> dict[str, Any]:
    """A postView (lexicon: uri, cid, author, record, indexedAt required) around a real record."""
    did, handle = (ACTOR_DID, ACTOR) if own else (entry["did"], f"poster{n}.bsky.social")
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{entry['rkey']}",
        "cid": entry["cid"],
        "author": {"did": did, "handle": handle, "displayName": f"Poster {n}", "labels": []},
        "record": entry["record"],
        "replyCount": n,
        "repostCount": 2 * n,
        "likeCount": 10 * n,
        "quoteCount": 0,
        "indexedAt": iso(entry["time_us"] + 500_000),
        "labels": [],
    }


def author_feed(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """feedViewPosts, newest first: every third one a repost of someone else's post, the rest own posts."""
    feed = []
    for n, entry in enumerate(records):
        if n % 3 == 2:
            repost = {
                "$type": "app.bsky.feed.defs#reasonRepost",
                "by": {"did": ACTOR_DID, "handle": ACTOR},
                "indexedAt": iso(entry["time_us"] + 600_000),
            }
            feed.append({"post": post_view(entry, n, own=False), "reason": repost})
        else:
            feed.append({"post": post_view(entry, n, own=True)})
    return sorted(feed, key=sort_time, reverse=True)


def sort_time(view: dict[str, Any]) -> str:
    return str(view.get("reason", {}).get("indexedAt") or view["post"]["indexedAt"])


class AppView:
    """Serves ``feed`` in pages of ``PAGE``, the cursor being the offset, as a real AppView would page."""

    def __init__(self, feed: list[dict[str, Any]], pinned: dict[str, Any] | None = None) -> None:
        self.feed = feed
        self.pinned = pinned
        self.requests: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.requests.append(args)
        if args.get("actor") != ACTOR or args.get("limit") != "100":
            return Response(json.dumps({"error": "InvalidRequest"}), status=400)
        start = int(args.get("cursor", "0"))
        page = self.feed[start : start + PAGE]
        if start == 0 and self.pinned is not None:
            page = [self.pinned, *page]
        body: dict[str, Any] = {"feed": page}
        if start + PAGE < len(self.feed):
            body["cursor"] = str(start + PAGE)
        return Response(json.dumps(body), content_type="application/json")


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, backoff_s=0.01), sleep=lambda s: None) as f:
        yield f


def source_for(url: str, **params: object) -> SourceConfig:
    return SourceConfig(
        name="bsky-test", kind="bluesky", url=url, allow_private=True, params={"actor": ACTOR, **params}
    )


def collect(source: SourceConfig, fetcher: Fetcher, cursor: str | None = None) -> Any:
    state = SourceState(source.name, source.kind, source.url, cursor=cursor)
    return BlueskyCollector().collect(source, state, fetcher, NOW)


def serve(httpserver: HTTPServer, app: AppView) -> str:
    httpserver.expect_request("/xrpc/app.bsky.feed.getAuthorFeed").respond_with_handler(app)
    return httpserver.url_for("/")


def test_the_lexicon_requires_what_the_test_responses_give() -> None:
    if not LEXICON.is_file():
        pytest.skip(f"Bluesky lexicon not found at {LEXICON} (../shared/data/social)")
    defs = json.loads(LEXICON.read_text(encoding="utf-8"))["defs"]
    assert set(defs["postView"]["required"]) <= {"uri", "cid", "author", "record", "indexedAt"}
    assert defs["feedViewPost"]["required"] == ["post"]
    assert set(defs["reasonRepost"]["required"]) <= {"by", "indexedAt"}


def test_every_post_with_text_becomes_an_item(
    httpserver: HTTPServer, fetcher: Fetcher, records: list[dict[str, Any]]
) -> None:
    feed = author_feed(records)
    app = AppView(feed)
    result = collect(source_for(serve(httpserver, app), max_pages=50), fetcher)

    with_text = [view for view in feed if view["post"]["record"].get("text", "").strip()]
    assert len(with_text) < len(feed)  # the capture has a post with no text (an image alone)
    assert [item.guid for item in result.items] == [view["post"]["uri"] for view in with_text]
    assert len(app.requests) == -(-len(feed) // PAGE)  # every page, and no more
    first, view = result.items[0], with_text[0]
    did, _, rkey = view["post"]["uri"].removeprefix("at://").split("/")
    handle = view["post"]["author"]["handle"]
    assert first.url == f"https://bsky.app/profile/{handle}/post/{rkey}"
    assert first.author == handle
    n = view["post"]["replyCount"]
    assert first.engagement == {"replies": n, "reposts": 2 * n, "likes": 10 * n, "quotes": 0}
    assert first.published_at == datetime.fromisoformat(view["post"]["record"]["createdAt"])
    # Texts are the real ones; long posts are cut for the title and kept whole as text.
    for item, view in zip(result.items, with_text, strict=True):
        record_text = " ".join(view["post"]["record"]["text"].split())
        assert (item.text or item.title) == record_text
        langs = view["post"]["record"].get("langs")
        if langs:
            assert item.lang == langs[0].split("-")[0].lower()
    assert result.cursor == f"{sort_time(feed[0]).replace('Z', '+00:00')} {ACTOR}"


def test_the_next_collection_stops_at_what_was_seen(
    httpserver: HTTPServer, fetcher: Fetcher, records: list[dict[str, Any]]
) -> None:
    feed = author_feed(records)
    old_pin = {
        "post": post_view(records[-1], 99, own=True),
        "reason": {"$type": "app.bsky.feed.defs#reasonPin"},
    }
    old_pin["post"]["indexedAt"] = "2020-01-01T00:00:00Z"
    app = AppView(feed[2:], pinned=old_pin)  # the two newest are not published yet
    source = source_for(serve(httpserver, app), max_pages=50)
    first = collect(source, fetcher)
    assert first.cursor is not None

    app.feed, app.requests = feed, []
    second = collect(source, fetcher, cursor=first.cursor)
    new = [view["post"]["uri"] for view in feed[:2] if view["post"]["record"].get("text", "").strip()]
    assert [item.guid for item in second.items] == new
    assert len(app.requests) == 1  # stopped on the first page, at the first post already seen
    assert second.cursor == f"{sort_time(feed[0]).replace('Z', '+00:00')} {ACTOR}"

    app.requests = []
    third = collect(source, fetcher, cursor=second.cursor)
    assert third.items == [] and third.cursor is None  # None keeps the stored cursor


def test_a_cursor_of_another_actor_is_ignored(
    httpserver: HTTPServer, fetcher: Fetcher, records: list[dict[str, Any]]
) -> None:
    app = AppView(author_feed(records))
    result = collect(
        source_for(serve(httpserver, app), max_pages=1), fetcher, cursor="2099-01-01T00:00:00+00:00 x"
    )
    assert len(app.requests) == 1 and len(result.items) > 0


def test_max_pages_bounds_the_first_collection_and_reposts_can_be_left_out(
    httpserver: HTTPServer, fetcher: Fetcher, records: list[dict[str, Any]]
) -> None:
    feed = author_feed(records)
    app = AppView(feed)
    result = collect(source_for(serve(httpserver, app), max_pages=2, reposts=False), fetcher)
    assert [request.get("cursor") for request in app.requests] == [None, str(PAGE)]
    own = [
        view["post"]["uri"]
        for view in feed[: 2 * PAGE]
        if "reason" not in view and view["post"]["record"].get("text", "").strip()
    ]
    assert [item.guid for item in result.items] == own
    assert app.requests[0]["filter"] == "posts_no_replies"


def test_record_tags_missing_from_the_text_are_appended(records: list[dict[str, Any]]) -> None:
    source = source_for("https://public.api.bsky.app")
    view = post_view(records[0], 1, own=True)
    record = {**view["record"], "text": "Short post on #shortpost", "tags": ["Vinyl", "#vinyl", "ShortPost"]}
    view["record"] = record
    item = post_view_item(view, source=source, fetched_at=NOW)
    # "ShortPost" is shown already (case aside); "Vinyl" and "#vinyl" are one tag.
    assert item is not None and item.title == "Short post on #shortpost #Vinyl" and item.text == ""


def test_malformed_responses_and_settings_are_fetch_errors(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/bad/xrpc/app.bsky.feed.getAuthorFeed").respond_with_data("<html>")
    httpserver.expect_request("/nofeed/xrpc/app.bsky.feed.getAuthorFeed").respond_with_json({"posts": []})
    with pytest.raises(FeedParseError, match="not return JSON"):
        collect(source_for(httpserver.url_for("/bad")), fetcher)
    with pytest.raises(FeedParseError, match="no 'feed' array"):
        collect(source_for(httpserver.url_for("/nofeed")), fetcher)
    with pytest.raises(FetchError, match="invalid configuration: .*params.actor"):
        collect(source_for(httpserver.url_for("/"), actor=""), fetcher)
    collector = BlueskyCollector()
    for params, key in [
        ({"filter": "everything"}, "params.filter"),
        ({"max_pages": 0}, "params.max_pages"),
        ({"reposts": "yes"}, "params.reposts"),
        ({"handle": "x"}, "params.handle: unknown key"),
    ]:
        with pytest.raises(ConfigError, match=key):
            collector.validate(source_for("https://public.api.bsky.app", **params))
    collector.validate(source_for("https://public.api.bsky.app", max_pages=50, reposts=False))


def test_an_unknown_actor_is_a_fetch_error_with_its_status(
    httpserver: HTTPServer, fetcher: Fetcher, records: list[dict[str, Any]]
) -> None:
    serve(httpserver, AppView(author_feed(records)))
    with pytest.raises(FetchError) as caught:
        collect(source_for(httpserver.url_for("/"), actor="nobody.example"), fetcher)
    assert caught.value.status == 400


def test_bluesky_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("bluesky"), BlueskyCollector)
