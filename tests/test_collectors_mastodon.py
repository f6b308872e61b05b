"""The mastodon collector against a real local HTTP server serving Mastodon API responses.

The Status entity is the official example of the Mastodon documentation (../shared/data/social); the other
statuses (more pages, a reblog wrapper, a private one) are derived from it here, in the test.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from collectors import registry
from collectors.feed import FeedCollector
from collectors.fetcher import Fetcher, FetchPolicy
from collectors.mastodon import MastodonCollector, read_config
from radar.domain import SourceState
from radar.errors import ConfigError, FeedParseError, FetchError
from radar.settings import SourceConfig

SOCIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "social"
STATUS_SAMPLE = SOCIAL / "mastodon_status_entity_example.json"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
TIMELINE = "/api/v1/timelines/tag/cats"
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>#cats</title>
    <description>Public posts tagged #cats</description>
    <link>https://mastodon.example/tags/cats</link>
    <item>
      <guid isPermaLink="true">https://mastodon.example/@ann/112233</guid>
      <link>https://mastodon.example/@ann/112233</link>
      <pubDate>Tue, 30 Apr 2024 08:00:00 +0000</pubDate>
      <description>&lt;p&gt;A cat asleep on the keyboard &lt;a href="https://mastodon.example/tags/cats"
        class="mention hashtag"&gt;#&lt;span&gt;cats&lt;/span&gt;&lt;/a&gt;&lt;/p&gt;</description>
      <category>cats</category>
    </item>
  </channel>
</rss>"""


@pytest.fixture
def sample() -> dict[str, Any]:
    if not STATUS_SAMPLE.is_file():
        pytest.skip(f"Mastodon sample not found at {STATUS_SAMPLE} (../shared/data/social)")
    status: dict[str, Any] = json.loads(STATUS_SAMPLE.read_text(encoding="utf-8"))["status"]
    return status


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, backoff_s=0.01), sleep=lambda s: None) as f:
        yield f


def source_for(url: str, **params: object) -> SourceConfig:
    return SourceConfig(
        name="masto-cats", kind="mastodon", url=url, allow_private=True, params={"tag": "cats", **params}
    )


def state_for(source: SourceConfig, cursor: str | None = None) -> SourceState:
    return SourceState(source.name, source.kind, source.url, cursor=cursor)


def derived(sample: dict[str, Any], ident: int, **changes: object) -> dict[str, Any]:
    status = copy.deepcopy(sample)
    status.update(
        id=str(ident),
        url=f"https://mastodon.social/@Gargron/{ident}",
        uri=f"https://mastodon.social/users/Gargron/statuses/{ident}",
        content=f"<p>Cat picture number {ident} for the timeline</p>",
    )
    status.update(changes)
    return status


def collect(source: SourceConfig, fetcher: Fetcher, cursor: str | None = None) -> Any:
    return MastodonCollector().collect(source, state_for(source, cursor), fetcher, NOW)


def test_the_official_status_example_becomes_an_item(
    httpserver: HTTPServer, fetcher: Fetcher, sample: dict[str, Any]
) -> None:
    httpserver.expect_request(TIMELINE, query_string={"limit": "40"}).respond_with_json([sample])
    result = collect(source_for(httpserver.url_for("/")), fetcher)
    (item,) = result.items
    assert item.url == "https://mastodon.social/@Gargron/103270115826048975"
    assert item.guid == "https://mastodon.social/users/Gargron/statuses/103270115826048975"
    assert item.author == "Gargron"
    assert item.lang == "en"
    assert item.published_at == datetime(2019, 12, 8, 3, 48, 33, 901000, tzinfo=UTC)
    assert not item.date_from_fetch
    assert item.title.startswith('"I lost my inheritance with one wrong digit on my sort code" https://www.')
    assert item.title.endswith("…")  # 172 characters of text: the title is cut, the text is whole
    assert item.text.endswith("/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code")
    assert "<" not in item.text and "invisible" not in item.text
    assert item.engagement == {"replies": 5, "reblogs": 6, "favourites": 11}
    assert result.cursor == "103270115826048975"
    assert result.status == 200


def test_reblog_wrappers_give_the_shared_status_and_non_public_ones_are_skipped(
    httpserver: HTTPServer, fetcher: Fetcher, sample: dict[str, Any]
) -> None:
    wrapper = derived(sample, 103270115826049999, content="", reblog=sample, replies_count=0)
    private = derived(sample, 103270115826048980, visibility="private")
    tagged = derived(sample, 103270115826048990, tags=[{"name": "cats", "url": "https://x/tags/cats"}])
    page = [wrapper, private, tagged, sample, "not a status", {"id": 12}]
    httpserver.expect_request(TIMELINE).respond_with_json(page)
    result = collect(source_for(httpserver.url_for("/")), fetcher)
    assert [i.url for i in result.items] == [
        "https://mastodon.social/@Gargron/103270115826048975",  # through the wrapper, then not repeated
        "https://mastodon.social/@Gargron/103270115826048990",
    ]
    assert result.items[0].engagement["replies"] == 5  # the shared status's counts, not the wrapper's
    assert result.items[1].title == "Cat picture number 103270115826048990 for the timeline #cats"
    assert result.cursor == "103270115826049999"  # the newest id on the page, wrappers included


def test_paging_forward_from_the_cursor_over_two_runs(
    httpserver: HTTPServer, fetcher: Fetcher, sample: dict[str, Any]
) -> None:
    source = source_for(httpserver.url_for("/"))
    httpserver.expect_ordered_request(TIMELINE, query_string={"limit": "40"}).respond_with_json([sample])
    first = collect(source, fetcher)
    assert first.cursor == "103270115826048975"

    newer = [derived(sample, 103270115826048975 + n) for n in range(40, 0, -1)]  # newest first, as served
    httpserver.expect_ordered_request(
        TIMELINE, query_string={"limit": "40", "min_id": "103270115826048975"}
    ).respond_with_json(newer)
    httpserver.expect_ordered_request(
        TIMELINE, query_string={"limit": "40", "min_id": "103270115826049015"}
    ).respond_with_json([derived(sample, 103270115826049016)])
    second = collect(source, fetcher, cursor=first.cursor)
    assert len(second.items) == 41
    assert second.cursor == "103270115826049016"

    httpserver.expect_ordered_request(
        TIMELINE, query_string={"limit": "40", "min_id": "103270115826049016"}
    ).respond_with_json([])
    third = collect(source, fetcher, cursor=second.cursor)
    assert third.items == [] and third.cursor is None  # None keeps the stored cursor
    httpserver.check_assertions()


def test_the_first_run_goes_back_at_most_max_pages(
    httpserver: HTTPServer, fetcher: Fetcher, sample: dict[str, Any]
) -> None:
    top = [derived(sample, 2000 - n) for n in range(40)]  # 2000 .. 1961
    older = [derived(sample, 1960 - n) for n in range(40)]  # 1960 .. 1921
    httpserver.expect_ordered_request(TIMELINE, query_string={"limit": "40"}).respond_with_json(top)
    httpserver.expect_ordered_request(
        TIMELINE, query_string={"limit": "40", "max_id": "1961"}
    ).respond_with_json(older)
    result = collect(source_for(httpserver.url_for("/"), max_pages=2), fetcher)
    assert len(result.items) == 80
    assert result.cursor == "2000"
    assert len(httpserver.log) == 2  # a full second page, but the budget is spent


def test_the_api_timeline_url_is_a_valid_configuration(
    httpserver: HTTPServer, fetcher: Fetcher, sample: dict[str, Any]
) -> None:
    httpserver.expect_request(TIMELINE, query_string={"limit": "40"}).respond_with_json([sample])
    source = SourceConfig(
        name="masto-cats", kind="mastodon", url=httpserver.url_for(TIMELINE), allow_private=True
    )
    assert len(collect(source, fetcher).items) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_an_instance_that_requires_login_says_so(
    httpserver: HTTPServer, fetcher: Fetcher, status: int
) -> None:
    httpserver.expect_request(TIMELINE).respond_with_json(
        {"error": "The access token is invalid"}, status=status
    )
    with pytest.raises(FetchError) as info:
        collect(source_for(httpserver.url_for("/")), fetcher)
    host = f"{httpserver.host}:{httpserver.port}"
    assert f"{host} answers {status} for public hashtag timelines: the instance requires login" in str(
        info.value
    )
    assert info.value.status == status


@pytest.mark.parametrize("access", [("authenticated", "authenticated"), ("disabled", "authenticated")])
def test_an_empty_first_page_of_a_closed_instance_is_an_error(
    httpserver: HTTPServer, fetcher: Fetcher, access: tuple[str, str]
) -> None:
    httpserver.expect_request(TIMELINE).respond_with_json([])
    feeds = {"local": access[0], "remote": access[1]}
    httpserver.expect_request("/api/v2/instance").respond_with_json(
        {"domain": "mastodon.example", "configuration": {"timelines_access": {"hashtag_feeds": feeds}}}
    )
    with pytest.raises(FetchError, match="serves no public hashtag timelines .*requires login"):
        collect(source_for(httpserver.url_for("/")), fetcher)


@pytest.mark.parametrize(
    "instance",
    [
        {"domain": "old.example", "version": "4.2.0"},  # says nothing about access
        {"configuration": {"timelines_access": {"hashtag_feeds": {"local": "public", "remote": "public"}}}},
    ],
)
def test_an_empty_first_page_of_an_open_instance_is_a_warning(
    httpserver: HTTPServer, fetcher: Fetcher, caplog: pytest.LogCaptureFixture, instance: dict[str, Any]
) -> None:
    httpserver.expect_request(TIMELINE).respond_with_json([])
    httpserver.expect_request("/api/v2/instance").respond_with_json(instance)
    with caplog.at_level(logging.WARNING, logger="collectors.mastodon"):
        result = collect(source_for(httpserver.url_for("/")), fetcher)
    assert result.items == [] and result.cursor is None
    assert "the first fetch of #cats" in caplog.text


def test_429_is_retried_after_the_time_the_server_asks(
    httpserver: HTTPServer, sample: dict[str, Any]
) -> None:
    httpserver.expect_ordered_request(TIMELINE).respond_with_data(
        "Too many requests", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_ordered_request(TIMELINE).respond_with_json([sample])
    waits: list[float] = []
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=20), sleep=waits.append) as fetcher:
        result = collect(source_for(httpserver.url_for("/")), fetcher)
    assert waits == [7.0]
    assert len(result.items) == 1


def test_429_that_persists_is_a_fetch_error_with_its_status(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request(TIMELINE).respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    with pytest.raises(FetchError) as info:
        collect(source_for(httpserver.url_for("/")), fetcher)
    assert info.value.status == 429
    assert len(httpserver.log) == 3  # the first try and the policy's two retries


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<!DOCTYPE html><html><body>Log in</body></html>", "text/html", "expected JSON, got text/html"),
        ('[{"id": "1", "content": "<p>cut', "application/json", "invalid JSON"),
        ('{"error": "Record not found"}', "application/json", "expected an array of statuses"),
        ("", "application/json", "empty body"),
    ],
)
def test_malformed_responses_are_parse_errors_naming_the_source(
    httpserver: HTTPServer, fetcher: Fetcher, body: str, content_type: str, message: str
) -> None:
    httpserver.expect_request(TIMELINE).respond_with_data(body, content_type=content_type)
    with pytest.raises(FeedParseError, match=message) as info:
        collect(source_for(httpserver.url_for("/")), fetcher)
    assert "source 'masto-cats'" in str(info.value)
    assert info.value.url is not None and TIMELINE in info.value.url


@pytest.mark.parametrize(
    ("url", "params", "key", "message"),
    [
        ("https://m.example", {}, "params.tag", "missing"),
        ("https://m.example", {"tag": "two words"}, "params.tag", "not a hashtag"),
        ("https://m.example/@ann", {"tag": "cats"}, "url", "must be the instance"),
        ("https://m.example/tags/dogs", {"tag": "cats"}, "params.tag", "differs"),
        ("https://m.example", {"tag": "cats", "max_pages": 0}, "params.max_pages", "from 1 to 10"),
        ("https://m.example", {"tag": "cats", "limit": 40}, "params.limit", "unknown key"),
    ],
)
def test_configuration_errors_name_the_source_and_key(
    url: str, params: dict[str, object], key: str, message: str
) -> None:
    source = SourceConfig(name="masto-bad", kind="mastodon", url=url, params=params)
    with pytest.raises(ConfigError, match=message) as info:
        MastodonCollector().validate(source)
    assert info.value.key == f"source 'masto-bad' (mastodon) {key}"
    # While collecting, the same problem is this source's FetchError: the other sources still run.
    with Fetcher() as fetcher, pytest.raises(FetchError, match="invalid configuration") as caught:
        MastodonCollector().collect(source, state_for(source), fetcher, NOW)
    assert not isinstance(caught.value, ConfigError)


def test_a_hash_sign_and_a_unicode_tag_are_accepted() -> None:
    config = read_config(
        SourceConfig(name="m", kind="mastodon", url="https://m.example/", params={"tag": "#Qualitätskatzen"})
    )
    assert config.timeline_url == "https://m.example/api/v1/timelines/tag/Qualit%C3%A4tskatzen"


def test_mastodon_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("mastodon"), MastodonCollector)


def test_a_mastodon_tag_rss_works_through_the_feed_kind(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/tags/cats.rss").respond_with_data(RSS, content_type="application/rss+xml")
    source = SourceConfig(name="masto-rss", url=httpserver.url_for("/tags/cats.rss"), allow_private=True)
    (item,) = FeedCollector().collect(source, state_for(source), fetcher, NOW).items
    assert item.url == "https://mastodon.example/@ann/112233"
    assert "A cat asleep on the keyboard #cats" in f"{item.title} {item.text}"
    assert item.published_at == datetime(2024, 4, 30, 8, 0, tzinfo=UTC)
