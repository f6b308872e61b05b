"""The lemmy collector against a real local HTTP server serving Lemmy API responses and an RSS feed.

No real Lemmy response with clear provenance exists in ../shared/data (its README says so), so the
responses below are written here, by hand, from the shapes documented for Lemmy 0.19 (``/api/v3/post/list``
-> {posts: [PostView], next_page}; PostView = {post, creator, community, counts}) and Lemmy 1.0
(``items``, counts inside ``post``, ``published_at``). The values are invented.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from collectors import registry
from collectors.base import CollectResult
from collectors.fetcher import Fetcher, FetchPolicy
from collectors.lemmy import LemmyCollector
from radar.domain import SourceState
from radar.errors import ConfigError, FeedParseError, FetchError
from radar.settings import SourceConfig

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LIST = "/api/v3/post/list"
FIRST = {"community_name": "technology", "sort": "New", "limit": "50"}
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Lemmy - technology</title>
    <link>https://lemmy.example/c/technology</link>
    <description>Posts of !technology</description>
    <item>
      <title>Heat pumps outsell gas boilers again</title>
      <link>https://lemmy.example/post/5001</link>
      <guid>https://lemmy.example/post/5001</guid>
      <pubDate>Tue, 30 Apr 2024 08:15:00 +0000</pubDate>
      <dc:creator>https://lemmy.example/u/ana</dc:creator>
      <description>&lt;p&gt;Sales figures for the first quarter.&lt;/p&gt;</description>
    </item>
  </channel>
</rss>"""


def view(ident: int, name: str, **post: Any) -> dict[str, Any]:
    """A Lemmy 0.19 PostView with the fields the collector reads, and a few it does not."""
    return {
        "post": {
            "id": ident,
            "name": name,
            "body": f"Body of post {ident}.\n\nWith a *second* paragraph.",
            "url": f"https://news.example/{ident}",
            "ap_id": f"https://lemmy.example/post/{ident}",
            "published": "2024-04-30T08:15:00.123456Z",
            "nsfw": False,
            "deleted": False,
            "removed": False,
            **post,
        },
        "creator": {"id": 7, "name": "ana", "actor_id": "https://lemmy.example/u/ana", "local": True},
        "community": {"id": 3, "name": "technology", "actor_id": "https://lemmy.example/c/technology"},
        "counts": {"post_id": ident, "score": 42, "comments": 7, "upvotes": 45, "downvotes": 3},
        "subscribed": "NotSubscribed",
    }


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, backoff_s=0.01), sleep=lambda s: None) as f:
        yield f


def source_for(url: str, **params: object) -> SourceConfig:
    params = {"community": "technology", **params}
    return SourceConfig(name="lemmy-test", kind="lemmy", url=url, allow_private=True, params=params)


def collect(source: SourceConfig, fetcher: Fetcher, cursor: str | None = None) -> CollectResult:
    state = SourceState(source.name, source.kind, source.url, cursor=cursor)
    return LemmyCollector().collect(source, state, fetcher, NOW)


def test_post_views_become_items(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    posts = [
        view(5002, "A solar kiln for every village", published="2024-04-30T09:00:00"),  # 0.18: no zone
        view(5001, "Heat pumps outsell gas boilers again"),
        view(5000, "Deleted", deleted=True),
        view(4999, "Removed by a moderator", removed=True),
        "junk",
        {"post": {"id": 4998}},  # no name
    ]
    httpserver.expect_request(LIST, query_string=FIRST).respond_with_json({"posts": posts})
    result = collect(source_for(httpserver.url_for("/")), fetcher)
    assert [i.title for i in result.items] == [
        "A solar kiln for every village",
        "Heat pumps outsell gas boilers again",
    ]
    kiln, pumps = result.items
    assert kiln.published_at == datetime(2024, 4, 30, 9, 0, tzinfo=UTC)
    assert pumps.published_at == datetime(2024, 4, 30, 8, 15, 0, 123456, tzinfo=UTC)
    assert pumps.url == "https://lemmy.example/post/5001"
    assert pumps.author == "ana@lemmy.example"
    assert pumps.text == "Body of post 5001. With a *second* paragraph."
    assert pumps.engagement == {"score": 42, "comments": 7, "upvotes": 45, "downvotes": 3}
    assert result.cursor == "5002"


def test_pages_until_a_seen_post_and_resumes_from_the_cursor(
    httpserver: HTTPServer, fetcher: Fetcher
) -> None:
    source = source_for(httpserver.url_for("/"), max_pages=5)
    httpserver.expect_ordered_request(LIST, query_string=FIRST).respond_with_json(
        {"posts": [view(11, "eleven"), view(10, "ten")], "next_page": "Pa10"}
    )
    httpserver.expect_ordered_request(LIST, query_string={**FIRST, "page_cursor": "Pa10"}).respond_with_json(
        {"posts": [view(9, "nine")], "next_page": None}
    )
    first = collect(source, fetcher)
    assert [i.title for i in first.items] == ["eleven", "ten", "nine"]
    assert first.cursor == "11"

    # Next run: page one has new posts and reaches post 11, already seen, so page two is not read.
    httpserver.expect_ordered_request(LIST, query_string=FIRST).respond_with_json(
        {"posts": [view(13, "thirteen"), view(12, "twelve"), view(11, "eleven")], "next_page": "Pa11"}
    )
    second = collect(source, fetcher, cursor=first.cursor)
    assert [i.title for i in second.items] == ["thirteen", "twelve", "eleven"]
    assert second.cursor == "13"

    httpserver.expect_ordered_request(LIST, query_string=FIRST).respond_with_json(
        {"posts": [view(13, "thirteen")], "next_page": "Pa13"}
    )
    third = collect(source, fetcher, cursor=second.cursor)
    assert third.cursor is None  # nothing newer: the stored cursor stays
    httpserver.check_assertions()
    assert len(httpserver.log) == 4


def test_max_pages_bounds_a_run(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(LIST).respond_with_json({"posts": [view(1, "one")], "next_page": "again"})
    collect(source_for(httpserver.url_for("/"), max_pages=3), fetcher)
    assert len(httpserver.log) == 3


def test_the_lemmy_1_shape_is_read_too(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    item = view(77, "Version one")
    item["post"].pop("published")
    item["post"].update(published_at="2025-01-02T03:04:05Z", score=5, comments=1, upvotes=6, downvotes=1)
    del item["counts"]
    httpserver.expect_request(LIST).respond_with_json({"items": [item], "next_page": None, "prev_page": None})
    (result,) = collect(source_for(httpserver.url_for("/")), fetcher).items
    assert result.published_at == datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert result.engagement == {"score": 5, "comments": 1, "upvotes": 6, "downvotes": 1}


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (404, '{"error": "unknown"}', "application/json"),
        (403, "Forbidden", "text/plain"),
        (200, "<!DOCTYPE html><html><body>Lemmy</body></html>", "text/html"),
        (200, '{"posts": [{"post": {"id": 1, "na', "application/json"),
    ],
)
def test_an_unusable_api_falls_back_to_the_rss_feed(
    httpserver: HTTPServer, fetcher: Fetcher, status: int, body: str, content_type: str
) -> None:
    httpserver.expect_request(LIST).respond_with_data(body, status=status, content_type=content_type)
    httpserver.expect_request("/feeds/c/technology.xml", query_string={"sort": "New"}).respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    result = collect(source_for(httpserver.url_for("/")), fetcher)
    (item,) = result.items
    assert item.title == "Heat pumps outsell gas boilers again"
    assert item.url == "https://lemmy.example/post/5001"
    assert item.text == "Sales figures for the first quarter."
    assert item.published_at == datetime(2024, 4, 30, 8, 15, tzinfo=UTC)
    assert result.cursor is None


def test_a_remote_community_has_its_host_in_the_feed_path(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(LIST).respond_with_data("no", status=401)
    httpserver.expect_request("/feeds/c/technology@lemmy.world.xml").respond_with_data(
        RSS, content_type="application/rss+xml"
    )
    result = collect(source_for(httpserver.url_for("/"), community="!technology@lemmy.world"), fetcher)
    assert len(result.items) == 1
    assert httpserver.log[0][0].args["community_name"] == "technology@lemmy.world"


def test_when_both_fail_the_error_names_both(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(LIST).respond_with_data("<html>down</html>", content_type="text/html")
    httpserver.expect_request("/feeds/c/technology.xml").respond_with_data(
        "<html>down</html>", content_type="text/html"
    )
    with pytest.raises(FetchError) as info:
        collect(source_for(httpserver.url_for("/")), fetcher)
    message = str(info.value)
    assert "source 'lemmy-test': API failed" in message and "RSS feed too" in message
    assert "not a feed" in message


def test_a_server_error_is_not_hidden_by_the_fallback(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(LIST).respond_with_data("boom", status=502)
    with pytest.raises(FetchError) as info:
        collect(source_for(httpserver.url_for("/")), fetcher)
    assert info.value.status == 502
    assert not isinstance(info.value, FeedParseError)
    assert {entry.path for entry, _ in httpserver.log} == {LIST}


def test_429_is_retried_after_the_time_the_server_asks(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(LIST).respond_with_data(
        "slow", status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_ordered_request(LIST).respond_with_json({"posts": [view(1, "one")]})
    waits: list[float] = []
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=20), sleep=waits.append) as fetcher:
        result = collect(source_for(httpserver.url_for("/")), fetcher)
    assert waits == [2.0]
    assert [i.title for i in result.items] == ["one"]


def test_a_wrong_shape_is_a_parse_error_naming_the_source(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    # The API answered JSON of the wrong shape and the feed is missing: both errors are reported.
    httpserver.expect_request(LIST).respond_with_json({"posts": {"not": "a list"}})
    httpserver.expect_request("/feeds/c/technology.xml").respond_with_data("gone", status=404)
    with pytest.raises(FetchError, match=r"source 'lemmy-test': expected a list of posts \(a JSON array\)"):
        collect(source_for(httpserver.url_for("/")), fetcher)


@pytest.mark.parametrize(
    ("url", "params", "key", "message"),
    [
        ("https://lemmy.example", {}, "params.community", "missing"),
        ("https://lemmy.example", {"community": "Tech News"}, "params.community", "not a community"),
        ("https://lemmy.example/c/technology", {"community": "technology"}, "url", "must be the instance"),
        (
            "https://lemmy.example",
            {"community": "technology", "max_pages": 11},
            "params.max_pages",
            "1 to 10",
        ),
        ("https://lemmy.example", {"community": "technology", "sort": "Hot"}, "params.sort", "unknown key"),
    ],
)
def test_configuration_errors_name_the_source_and_key(
    url: str, params: dict[str, object], key: str, message: str
) -> None:
    source = SourceConfig(name="lemmy-bad", kind="lemmy", url=url, params=params)
    with pytest.raises(ConfigError, match=message) as info:
        LemmyCollector().validate(source)
    assert info.value.key == f"source 'lemmy-bad' (lemmy) {key}"
    with Fetcher() as fetcher, pytest.raises(FetchError, match="invalid configuration"):
        collect(source, fetcher)


def test_lemmy_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("lemmy"), LemmyCollector)
