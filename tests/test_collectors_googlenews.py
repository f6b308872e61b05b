"""The googlenews kind: a Google News-shaped RSS search result, built from five real items, served locally.

The shared sample keeps only title, summary (Google's description HTML), link and a timestamp per item, as
another tool stored them; the test puts them back into the RSS shape Google serves (channel, guid,
pubDate, description, source) and checks what the collector makes of it. Expected headlines and
publishers are read from the description HTML, not from the title the collector splits.
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

import pytest
from pytest_httpserver import HTTPServer

from collectors import registry
from collectors.fetcher import Fetcher, FetchPolicy
from collectors.googlenews import GoogleNewsCollector, feed_url, split_publisher
from radar.domain import SourceState
from radar.errors import ConfigError
from radar.settings import SourceConfig

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SOCIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "social"
SAMPLE = SOCIAL / "google_news_rss_items_via_bertrend.jsonl"
ANCHOR = re.compile(r"<a [^>]*>(.*?)</a>", re.DOTALL)
FONT = re.compile(r"<font [^>]*>(.*?)</font>", re.DOTALL)


@pytest.fixture
def sample() -> list[dict[str, Any]]:
    if not SAMPLE.is_file():
        pytest.skip(f"Google News sample not found at {SAMPLE} (../shared/data/social)")
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, backoff_s=0.01), sleep=lambda s: None) as f:
        yield f


def rss_item(entry: dict[str, Any], link: str | None = None) -> str:
    link = link or entry["link"]
    published = datetime.fromisoformat(entry["timestamp"]).replace(tzinfo=UTC)
    outlet = html.unescape(FONT.search(entry["summary"]).group(1))  # type: ignore[union-attr]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(entry["url"]))
    return (
        f"<item><title>{escape(entry['title'])}</title><link>{escape(link)}</link>"
        f'<guid isPermaLink="false">{escape(urlsplit(link).path.rsplit("/", 1)[-1])}</guid>'
        f"<pubDate>{email.utils.format_datetime(published, usegmt=True)}</pubDate>"
        f"<description>{escape(entry['summary'])}</description>"
        f"<source url={quoteattr(origin)}>{escape(outlet)}</source></item>"
    )


def rss(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><rss version="2.0" '
        'xmlns:media="http://search.yahoo.com/mrss/"><channel><generator>NFE/5.0</generator>'
        '<title>"sobriété" - Google News</title><link>https://news.google.com/search?q=sobri%C3%A9t%C3%A9</link>'
        "<language>fr</language><webMaster>news-webmaster@google.com</webMaster>"
        "<copyright>2023 Google LLC</copyright><lastBuildDate>Thu, 29 Jun 2023 08:00:00 GMT</lastBuildDate>"
        "<description>Google News</description>" + "".join(items) + "</channel></rss>"
    ).encode()


def source_for(url: str, **params: object) -> SourceConfig:
    return SourceConfig(name="gnews-sobriete", kind="googlenews", url=url, allow_private=True, params=params)


def serve_search(httpserver: HTTPServer, body: bytes) -> None:
    httpserver.expect_request(
        "/rss/search", query_string={"q": "sobriété", "hl": "fr", "gl": "FR", "ceid": "FR:fr"}
    ).respond_with_data(body, content_type="application/rss+xml; charset=utf-8")


def collect(source: SourceConfig, fetcher: Fetcher) -> Any:
    return GoogleNewsCollector().collect(
        source, SourceState(source.name, source.kind, source.url), fetcher, NOW
    )


def test_headlines_publishers_and_links_of_the_real_items(
    httpserver: HTTPServer, fetcher: Fetcher, sample: list[dict[str, Any]]
) -> None:
    # The first story comes a second time under another redirect id, as Google does.
    again = rss_item(sample[0], link=sample[0]["link"].replace("CBMi", "CBMj", 1))
    serve_search(httpserver, rss([rss_item(entry) for entry in sample] + [again]))
    source = source_for(httpserver.url_for("/"), q="sobriété", hl="fr", gl="FR")

    items = collect(source, fetcher).items

    expected = [
        (
            html.unescape(ANCHOR.search(e["summary"]).group(1)),  # type: ignore[union-attr]
            html.unescape(FONT.search(e["summary"]).group(1)),  # type: ignore[union-attr]
        )
        for e in sample
    ]
    assert [(item.title, item.author) for item in items] == expected
    assert [item.url for item in items] == [e["link"] for e in sample]  # Google's redirect, kept
    assert all(item.text == "" for item in items)  # the description only repeated headline and outlet
    assert all(item.lang == "fr" for item in items)
    assert items[0].published_at == datetime(2023, 6, 27, 15, 16, 43, tzinfo=UTC)
    assert len({item.id for item in items}) == len(sample)


def test_a_story_keeps_its_id_when_google_changes_the_redirect(
    httpserver: HTTPServer, fetcher: Fetcher, sample: list[dict[str, Any]]
) -> None:
    httpserver.expect_request("/one.xml").respond_with_data(rss([rss_item(sample[1])]))
    httpserver.expect_request("/two.xml").respond_with_data(
        rss([rss_item(sample[1], link=sample[1]["link"].replace("CBMi", "CBMx", 1))])
    )
    [first] = collect(source_for(httpserver.url_for("/one.xml")), fetcher).items
    [second] = collect(source_for(httpserver.url_for("/two.xml")), fetcher).items
    assert first.url != second.url
    assert first.id == second.id


def test_a_title_without_a_confirmed_publisher_is_kept_whole() -> None:
    assert split_publisher("Paris - Berlin: the night train returns", "Paris - Berlin: the night train") == (
        "Paris - Berlin: the night train returns",
        None,
    )
    assert split_publisher("Headline - Le Monde", "Headline Le Monde") == ("Headline", "Le Monde")
    assert split_publisher("Headline - Le Monde", "") == ("Headline", "Le Monde")
    assert split_publisher("No suffix at all", "No suffix at all") == ("No suffix at all", None)


def test_feed_url_builds_a_search_with_defaults() -> None:
    url = feed_url(source_for("https://news.google.com", q="ai art when:7d"))
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "news.google.com", "/rss/search")
    assert parse_qs(parts.query) == {
        "q": ["ai art when:7d"],
        "hl": ["en-US"],
        "gl": ["US"],
        "ceid": ["US:en"],
    }
    topic = "https://news.google.com/rss/headlines/section/topic/BUSINESS"
    assert feed_url(source_for(topic)) == topic
    with pytest.raises(ConfigError, match="params.q"):
        feed_url(source_for("https://news.google.com", q=" "))
    with pytest.raises(ConfigError, match="params.query: unknown key"):
        GoogleNewsCollector().validate(source_for("https://news.google.com", query="x"))


def test_googlenews_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("googlenews"), GoogleNewsCollector)
