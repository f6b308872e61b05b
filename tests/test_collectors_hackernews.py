"""The hackernews collector against a real local HTTP server serving the Algolia and Firebase APIs.

The Algolia search response and the Firebase items are real ones (../shared/data/social). The Firebase
``newstories`` list is written here from the ids of those items (the sample's lists are elided), and so
are the few extra hits and stories used to page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from collectors import registry
from collectors.base import CollectResult
from collectors.fetcher import Fetcher, FetchPolicy
from collectors.hackernews import HackerNewsCollector
from radar.domain import SourceState
from radar.errors import ConfigError, FeedParseError, FetchError
from radar.settings import SourceConfig

SOCIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "social"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SEARCH = "/api/v1/search_by_date"
FIRST_PAGE = {"query": "ssh", "tags": "story", "hitsPerPage": "100", "page": "0"}
NEW_IDS = [2921983, 192327, 160705, 126809, 121003, 8863]  # newest first, as newstories.json lists them


def sample(name: str) -> Any:
    path = SOCIAL / name
    if not path.is_file():
        pytest.skip(f"Hacker News sample not found at {path} (../shared/data/social)")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def search() -> dict[str, Any]:
    response: dict[str, Any] = sample("hn_algolia_search.json")["response"]
    return response


@pytest.fixture
def items() -> dict[int, dict[str, Any]]:
    examples = sample("hn_firebase_examples.json")["examples"]
    return {e["response"]["id"]: e["response"] for e in examples if "/v0/item/" in e["url"]}


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, backoff_s=0.01), sleep=lambda s: None) as f:
        yield f


def source_for(url: str, **params: object) -> SourceConfig:
    return SourceConfig(name="hn-test", kind="hackernews", url=url, allow_private=True, params=params)


def collect(source: SourceConfig, fetcher: Fetcher, cursor: str | None = None) -> CollectResult:
    state = SourceState(source.name, source.kind, source.url, cursor=cursor)
    return HackerNewsCollector().collect(source, state, fetcher, NOW)


def serve_items(httpserver: HTTPServer, items: dict[int, dict[str, Any]]) -> None:
    for ident, item in items.items():
        httpserver.expect_request(f"/v0/item/{ident}.json").respond_with_json(item)


def test_algolia_hits_become_items(httpserver: HTTPServer, fetcher: Fetcher, search: dict[str, Any]) -> None:
    httpserver.expect_request(SEARCH, query_string=FIRST_PAGE).respond_with_json(search)
    result = collect(source_for(httpserver.url_for("/api/v1"), query="ssh"), fetcher)
    # Four submissions of one article stay four items: they are four discussions.
    assert [i.author for i in result.items] == ["dkua", "fforflo", "turrini", "mparramon"]
    first = result.items[0]
    assert first.title == "Why aren’t we using SSH for everything?"
    assert first.url == "https://medium.com/@shazow/ssh-how-does-it-even-9e43586e4ffc"
    assert first.guid == "hn:8828543"
    assert first.published_at == datetime(2015, 1, 2, 21, 5, 46, tzinfo=UTC)
    assert first.engagement == {"points": 270, "comments": 103}
    assert result.items[1].title == "Why aren’t we using SSH for everything? (2015)"
    assert result.items[3].url == "https://medium.com/@shazow/ssh-how-does-it-even-9e43586e4ffc?hn=1"
    assert result.items[3].engagement == {"points": 3, "comments": 0}
    assert result.cursor == "1486212445"  # the newest created_at_i, whatever the order of the hits


def test_algolia_resumes_from_the_cursor(
    httpserver: HTTPServer, fetcher: Fetcher, search: dict[str, Any]
) -> None:
    source = source_for(httpserver.url_for("/"), query="ssh")  # a bare host gets /api/v1
    httpserver.expect_ordered_request(SEARCH, query_string=FIRST_PAGE).respond_with_json(search)
    first = collect(source, fetcher)
    newer = dict(search["hits"][0], objectID="40000001", created_at_i=1700000000, points=1, num_comments=0)
    newer.pop("created_at")
    httpserver.expect_ordered_request(
        SEARCH, query_string={**FIRST_PAGE, "numericFilters": "created_at_i>1486212445"}
    ).respond_with_json({"hits": [newer], "nbPages": 1, "page": 0})
    second = collect(source, fetcher, cursor=first.cursor)
    (item,) = second.items
    assert item.guid == "hn:40000001"
    assert item.published_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert second.cursor == "1700000000"
    httpserver.expect_ordered_request(
        SEARCH, query_string={**FIRST_PAGE, "numericFilters": "created_at_i>1700000000"}
    ).respond_with_json({"hits": [], "nbPages": 0, "page": 0})
    third = collect(source, fetcher, cursor=second.cursor)
    assert third.items == [] and third.cursor is None
    httpserver.check_assertions()


def test_algolia_reads_at_most_max_pages(
    httpserver: HTTPServer, fetcher: Fetcher, search: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    for page in range(3):
        hits = [dict(h, objectID=f"{page}{h['objectID']}") for h in search["hits"]]
        httpserver.expect_request(
            SEARCH, query_string={**FIRST_PAGE, "page": str(page), "numericFilters": "created_at_i>1"}
        ).respond_with_json({"hits": hits, "nbPages": 3, "page": page})
    with caplog.at_level(logging.WARNING, logger="collectors.hackernews"):
        result = collect(
            source_for(httpserver.url_for("/api/v1"), query="ssh", max_pages=2), fetcher, cursor="1"
        )
    assert len(result.items) == 8
    assert len(httpserver.log) == 2
    assert "older ones skipped" in caplog.text


def test_firebase_new_stories_become_items(
    httpserver: HTTPServer, fetcher: Fetcher, items: dict[int, dict[str, Any]]
) -> None:
    httpserver.expect_request("/v0/newstories.json").respond_with_json(NEW_IDS)
    serve_items(httpserver, items)
    result = collect(source_for(httpserver.url_for("/v0"), list="newstories"), fetcher)
    # The comment (2921983) and the poll option (160705) are not stories.
    assert [i.guid for i in result.items] == ["hn:192327", "hn:126809", "hn:121003", "hn:8863"]
    job, poll, ask, dropbox = result.items
    assert dropbox.title == "My YC app: Dropbox - Throw away your USB drive"
    assert dropbox.url == "http://www.getdropbox.com/u/2/screencast.html"
    assert dropbox.author == "dhouston"
    assert dropbox.published_at == datetime(2007, 4, 4, 19, 16, 40, tzinfo=UTC)
    assert dropbox.engagement == {"points": 111, "comments": 71}
    assert job.url == "https://news.ycombinator.com/item?id=192327"  # url "" -> the HN page
    assert job.engagement == {"points": 6}
    assert ask.title == "Ask HN: The Arc Effect"
    assert ask.text.startswith("or HN: the Next Iteration I get the impression")
    assert poll.engagement == {"points": 46, "comments": 54}
    assert result.cursor == "2921983"


def test_firebase_new_stories_resume_above_the_cursor(
    httpserver: HTTPServer, fetcher: Fetcher, items: dict[int, dict[str, Any]]
) -> None:
    fresh = dict(items[8863], id=2921999, title="Show HN: a radar for weak signals", kids=[], descendants=0)
    httpserver.expect_request("/v0/newstories.json").respond_with_json([2921999, *NEW_IDS])
    httpserver.expect_request("/v0/item/2921999.json").respond_with_json(fresh)
    result = collect(source_for(httpserver.url_for("/"), list="newstories"), fetcher, cursor="2921983")
    (item,) = result.items
    assert item.title == "Show HN: a radar for weak signals"
    assert result.cursor == "2921999"
    assert [entry.path for entry, _ in httpserver.log] == ["/v0/newstories.json", "/v0/item/2921999.json"]


def test_firebase_reads_at_most_max_items_and_ranked_lists_have_no_cursor(
    httpserver: HTTPServer, fetcher: Fetcher, items: dict[int, dict[str, Any]]
) -> None:
    httpserver.expect_request("/v0/topstories.json").respond_with_json([8863, 121003, 126809, 192327])
    serve_items(httpserver, items)
    result = collect(source_for(httpserver.url_for("/v0"), list="topstories", max_items=2), fetcher)
    assert [i.guid for i in result.items] == ["hn:8863", "hn:121003"]
    assert result.cursor is None
    assert len(httpserver.log) == 3


def test_firebase_skips_items_that_cannot_be_read(
    httpserver: HTTPServer, fetcher: Fetcher, items: dict[int, dict[str, Any]]
) -> None:
    httpserver.expect_request("/v0/newstories.json").respond_with_json([3, 2, 1, 8863])
    httpserver.expect_request("/v0/item/3.json").respond_with_data("null", content_type="application/json")
    httpserver.expect_request("/v0/item/2.json").respond_with_data(
        "<html>oops</html>", content_type="text/html"
    )
    httpserver.expect_request("/v0/item/1.json").respond_with_data("gone", status=404)
    httpserver.expect_request("/v0/item/8863.json").respond_with_json(items[8863])
    result = collect(source_for(httpserver.url_for("/v0"), list="newstories"), fetcher)
    assert [i.guid for i in result.items] == ["hn:8863"]


def test_firebase_fails_when_no_item_can_be_read(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/v0/newstories.json").respond_with_json([2, 1])
    httpserver.expect_request("/v0/item/2.json").respond_with_data("denied", status=403)
    httpserver.expect_request("/v0/item/1.json").respond_with_data("denied", status=403)
    with pytest.raises(FetchError, match="none of 2 items could be read") as info:
        collect(source_for(httpserver.url_for("/v0"), list="newstories"), fetcher)
    assert info.value.status == 403


def test_429_is_retried_after_the_time_the_server_asks(
    httpserver: HTTPServer, search: dict[str, Any]
) -> None:
    httpserver.expect_ordered_request(SEARCH).respond_with_data(
        "busy", status=429, headers={"Retry-After": "3"}
    )
    httpserver.expect_ordered_request(SEARCH).respond_with_json(search)
    waits: list[float] = []
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=20), sleep=waits.append) as fetcher:
        result = collect(source_for(httpserver.url_for("/api/v1"), query="ssh"), fetcher)
    assert waits == [3.0]
    assert len(result.items) == 4


@pytest.mark.parametrize(
    ("path", "body", "content_type", "message"),
    [
        (
            SEARCH,
            "<html><body>Service unavailable</body></html>",
            "text/html",
            "expected JSON, got text/html",
        ),
        (SEARCH, '{"hits": [{"objectID": "1", "title": "cut', "application/json", "invalid JSON"),
        (SEARCH, '{"message": "Invalid query"}', "application/json", "expected a list of hits"),
        ("/v0/newstories.json", '{"error": "Permission denied"}', "application/json", r"newstories \(ids\)"),
    ],
)
def test_malformed_responses_are_parse_errors_naming_the_source(
    httpserver: HTTPServer, fetcher: Fetcher, path: str, body: str, content_type: str, message: str
) -> None:
    httpserver.expect_request(path).respond_with_data(body, content_type=content_type)
    params: dict[str, object] = {"query": "ssh"} if path == SEARCH else {"list": "newstories"}
    base = "/api/v1" if path == SEARCH else "/v0"
    with pytest.raises(FeedParseError, match=message) as info:
        collect(source_for(httpserver.url_for(base), **params), fetcher)
    assert "source 'hn-test'" in str(info.value)


@pytest.mark.parametrize(
    ("params", "key", "message"),
    [
        ({}, "params.query", "either query"),
        ({"query": "x", "list": "newstories"}, "params.query", "not both"),
        ({"query": 3}, "params.query", "must be a string"),
        ({"list": "hotstories"}, "params.list", "must be one of"),
        ({"list": "newstories", "max_items": 501}, "params.max_items", "from 1 to 500"),
        ({"query": "x", "hitsPerPage": 5}, "params.hitsPerPage", "unknown key"),
    ],
)
def test_configuration_errors_name_the_source_and_key(
    params: dict[str, object], key: str, message: str
) -> None:
    source = SourceConfig(
        name="hn-bad", kind="hackernews", url="https://hn.algolia.com/api/v1", params=params
    )
    with pytest.raises(ConfigError, match=message) as info:
        HackerNewsCollector().validate(source)
    assert info.value.key == f"source 'hn-bad' (hackernews) {key}"
    with Fetcher() as fetcher, pytest.raises(FetchError, match="invalid configuration"):
        collect(source, fetcher)


def test_hackernews_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("hackernews"), HackerNewsCollector)
