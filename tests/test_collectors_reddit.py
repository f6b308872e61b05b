"""The reddit collector against a real local HTTP server serving Reddit's JSON Listings and Atom feeds.

The search Listing and the subreddit Atom feed are real responses (../shared/data/social); the self post
and the odd children are derived from them here. A fake clock that advances only when the fetcher sleeps
lets the 6 s pacing run for real without the tests waiting.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from collectors import registry
from collectors.base import CollectResult
from collectors.fetcher import Fetcher, FetchPolicy
from collectors.reddit import RedditCollector, post_to_item
from radar.domain import SourceState
from radar.errors import ConfigError, FeedParseError, FetchError
from radar.settings import SourceConfig

SOCIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "social"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
QUERY = "url:https://medium.com/@shazow/ssh-how-does-it-even-9e43586e4ffc"
SEARCH = {"q": QUERY, "sort": "new", "limit": "100"}
UA = "Vigie/test (+https://vigie.example)"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def sample(name: str) -> bytes:
    path = SOCIAL / name
    if not path.is_file():
        pytest.skip(f"Reddit sample not found at {path} (../shared/data/social)")
    return path.read_bytes()


@pytest.fixture
def listing() -> dict[str, Any]:
    value: dict[str, Any] = json.loads(sample("reddit_search_listing.json"))["response"]
    return value


@pytest.fixture
def atom() -> bytes:
    return sample("reddit_subreddit_feed.atom.xml")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher(clock: FakeClock) -> Iterator[Fetcher]:
    policy = FetchPolicy(timeout_s=5, deadline_s=60, backoff_s=0.01, user_agent=UA)
    with Fetcher(policy, sleep=clock.sleep, clock=clock) as f:
        yield f


def source_for(url: str, **params: object) -> SourceConfig:
    return SourceConfig(name="reddit-test", kind="reddit", url=url, allow_private=True, params=params)


def collect(source: SourceConfig, fetcher: Fetcher) -> CollectResult:
    return RedditCollector().collect(source, SourceState(source.name, "reddit", source.url), fetcher, NOW)


def test_a_real_search_listing_becomes_items(
    httpserver: HTTPServer, fetcher: Fetcher, listing: dict[str, Any]
) -> None:
    httpserver.expect_request("/search.json", query_string=SEARCH).respond_with_json(listing)
    result = collect(source_for(httpserver.url_for("/"), query=QUERY, contact="/u/vigie_test"), fetcher)
    assert [i.author for i in result.items] == ["MisterSnuggles", "speckz", "uiri", "qznc_bot"]
    first = result.items[0]
    assert first.title == "Why aren’t we using SSH for everything?"
    assert first.url == httpserver.url_for("/r/linux/comments/2r539r/why_arent_we_using_ssh_for_everything/")
    assert first.guid == "t3_2r539r"
    assert first.published_at == datetime(2015, 1, 2, 21, 57, 1, tzinfo=UTC)
    assert first.engagement == {"score": 880, "comments": 352, "upvote_ratio_pct": 95}
    assert result.items[1].engagement == {"score": 51, "comments": 47, "upvote_ratio_pct": 82}
    assert result.items[1].title == "Why aren’t we using SSH for everything? — Medium"
    assert first.text == ""  # a link post: no selftext
    assert result.status == 200
    # Reddit asks for a User-Agent that says who is asking.
    assert httpserver.log[0][0].headers["User-Agent"] == f"{UA} (contact: /u/vigie_test)"


def test_self_posts_deleted_authors_and_other_children(
    httpserver: HTTPServer, fetcher: Fetcher, listing: dict[str, Any]
) -> None:
    children = listing["data"]["children"]
    own = copy.deepcopy(children[0])
    own["data"].update(
        name="t3_own1",
        permalink="/r/linux/comments/own1/ssh_everywhere/",
        is_self=True,
        selftext="Why not SSH for *everything*? Tom &amp; Jerry &lt;3 it.",
        author="[deleted]",
    )
    removed = copy.deepcopy(children[1])
    removed["data"].update(name="t3_gone", permalink="/r/x/comments/gone/t/", selftext="[removed]")
    comment = {"kind": "t1", "data": {"name": "t1_c", "body": "a comment"}}
    listing["data"]["children"] = [own, removed, comment, "junk", {"kind": "t3", "data": {"title": ""}}]
    httpserver.expect_request("/r/linux/new.json", query_string={"limit": "100"}).respond_with_json(listing)
    result = collect(source_for(httpserver.url_for("/r/linux")), fetcher)
    assert [i.guid for i in result.items] == ["t3_own1", "t3_gone"]
    assert result.items[0].text == "Why not SSH for *everything*? Tom & Jerry <3 it."
    assert result.items[0].author is None
    assert result.items[1].text == ""


def test_a_refused_json_listing_falls_back_to_the_atom_feed(
    httpserver: HTTPServer, fetcher: Fetcher, clock: FakeClock, atom: bytes
) -> None:
    httpserver.expect_request("/r/rust/new.json").respond_with_data("Blocked", status=403)
    httpserver.expect_request("/r/rust/new/.rss", query_string={"limit": "100"}).respond_with_data(
        atom, content_type="application/atom+xml; charset=UTF-8"
    )
    result = collect(source_for(httpserver.url_for("/"), subreddit="rust"), fetcher)
    (item,) = result.items
    assert item.title == "Hey Rustaceans! Got an easy question? Ask here (21/2020)!"
    assert item.author == "llogiq"
    assert item.url == (
        "https://www.reddit.com/r/rust/comments/glvkc5/hey_rustaceans_got_an_easy_question_ask_here/"
    )
    assert item.published_at == datetime(2020, 5, 18, 5, 44, 47, tzinfo=UTC)
    assert "There are no stupid questions" in item.text
    assert item.engagement == {}
    assert clock.sleeps == [6.0]  # the feed request waited its turn after the JSON one

    # The same post read from the JSON Listing gets the same id: both are keyed on the permalink.
    child = {
        "kind": "t3",
        "data": {
            "name": "t3_glvkc5",
            "title": item.title,
            "permalink": "/r/rust/comments/glvkc5/hey_rustaceans_got_an_easy_question_ask_here/",
        },
    }
    from_json = post_to_item(
        child, source=source_for(httpserver.url_for("/")), site="https://www.reddit.com", fetched_at=NOW
    )
    assert from_json is not None and from_json.id == item.id


def test_429_is_retried_after_retry_after_then_the_feed_is_used(
    httpserver: HTTPServer, fetcher: Fetcher, clock: FakeClock, atom: bytes
) -> None:
    httpserver.expect_request("/r/rust/new.json").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "10"}
    )
    httpserver.expect_request("/r/rust/new/.rss").respond_with_data(atom, content_type="application/atom+xml")
    result = collect(source_for(httpserver.url_for("/"), subreddit="rust"), fetcher)
    assert len(result.items) == 1
    json_tries = [entry for entry, _ in httpserver.log if entry.path.endswith(".json")]
    assert len(json_tries) == 3
    # Retry-After (10 s) is honoured, and already covers the 6 s pacing of the next try.
    assert clock.sleeps == [10.0, 10.0, 6.0]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<!doctype html><html><title>Blocked</title></html>", "text/html; charset=utf-8"),
        ('{"kind": "Listing", "data": {"children": [{"kind": "t3", "da', "application/json"),
        ('{"message": "Forbidden", "error": 403}', "application/json"),
    ],
)
def test_a_json_listing_that_is_not_one_falls_back_to_the_feed(
    httpserver: HTTPServer, fetcher: Fetcher, atom: bytes, body: str, content_type: str
) -> None:
    httpserver.expect_request("/r/rust/new.json").respond_with_data(body, content_type=content_type)
    httpserver.expect_request("/r/rust/new/.rss").respond_with_data(atom, content_type="application/atom+xml")
    assert len(collect(source_for(httpserver.url_for("/"), subreddit="rust"), fetcher).items) == 1


def test_when_both_fail_the_error_names_both(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/r/rust/new.json").respond_with_data(
        "<html>blocked</html>", content_type="text/html"
    )
    httpserver.expect_request("/r/rust/new/.rss").respond_with_data("Forbidden", status=403)
    with pytest.raises(FetchError) as info:
        collect(source_for(httpserver.url_for("/"), subreddit="rust"), fetcher)
    message = str(info.value)
    assert "source 'reddit-test': JSON listing failed" in message
    assert "expected JSON, got text/html" in message and "Atom feed too" in message and "403" in message
    assert info.value.status == 403
    assert isinstance(info.value.__cause__, FetchError)


def test_a_missing_subreddit_is_an_error_without_fallback(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/r/nosuchsub/new.json").respond_with_json({"reason": "banned"}, status=404)
    with pytest.raises(FetchError) as info:
        collect(source_for(httpserver.url_for("/"), subreddit="nosuchsub"), fetcher)
    assert info.value.status == 404
    assert not isinstance(info.value, FeedParseError)
    assert len(httpserver.log) == 1


def test_consecutive_runs_are_paced(
    httpserver: HTTPServer, fetcher: Fetcher, clock: FakeClock, listing: Any
) -> None:
    httpserver.expect_request("/r/linux/search.json").respond_with_json(listing)
    source = source_for(httpserver.url_for("/"), subreddit="linux", query="ssh", t="week")
    collect(source, fetcher)
    clock.now += 2.5
    collect(source, fetcher)
    assert clock.sleeps == [pytest.approx(3.5)]
    assert httpserver.log[0][0].args.to_dict() == {
        "q": "ssh",
        "sort": "new",
        "limit": "100",
        "t": "week",
        "restrict_sr": "1",
    }


@pytest.mark.parametrize(
    ("url", "params", "key", "message"),
    [
        ("https://www.reddit.com", {}, "params.subreddit", "missing"),
        ("https://www.reddit.com", {"subreddit": "a b"}, "params.subreddit", "not a subreddit"),
        ("https://www.reddit.com/r/rust", {"subreddit": "golang"}, "params.subreddit", "differs"),
        ("https://www.reddit.com/user/x", {"subreddit": "rust"}, "url", "must be the site"),
        ("https://www.reddit.com", {"subreddit": "rust", "t": "week"}, "params.t", "time window"),
        ("https://www.reddit.com", {"query": "x", "limit": 500}, "params.limit", "from 1 to 100"),
        ("https://www.reddit.com", {"query": "x", "sort": "top"}, "params.sort", "unknown key"),
    ],
)
def test_configuration_errors_name_the_source_and_key(
    url: str, params: dict[str, object], key: str, message: str
) -> None:
    source = SourceConfig(name="reddit-bad", kind="reddit", url=url, params=params)
    with pytest.raises(ConfigError, match=message) as info:
        RedditCollector().validate(source)
    assert info.value.key == f"source 'reddit-bad' (reddit) {key}"
    with Fetcher() as fetcher, pytest.raises(FetchError, match="invalid configuration"):
        collect(source, fetcher)


def test_reddit_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("reddit"), RedditCollector)
