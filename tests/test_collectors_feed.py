"""The feed collector end to end: bytes served by a real local HTTP server become items."""

from __future__ import annotations

import ast
import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from collectors.base import CollectResult
from collectors.feed import FeedCollector, parse_feed
from collectors.fetcher import Fetcher, FetchPolicy
from radar.domain import SourceState, item_id_for
from radar.errors import FeedParseError, FetchError
from radar.settings import SourceConfig

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
DATE_STRINGS = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds" / "feedparser_date_strings.tsv"
)

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>Radar test</title><link>https://example.org/</link><language>en-us</language>
  <item>
    <title>First &amp; foremost</title>
    <link>https://Example.org/posts/1?utm_source=rss&amp;b=2&amp;a=1#comments</link>
    <guid isPermaLink="false">post-1</guid>
    <description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;
      &lt;script&gt;alert(1)&lt;/script&gt;</description>
    <author>ann@example.org (Ann)</author>
    <pubDate>Tue, 30 Apr 2024 08:00:00 +0200</pubDate>
  </item>
  <item>
    <title>No date here</title>
    <link>/posts/2</link>
  </item>
  <item><guid>only-a-guid</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Flux</title><id>urn:x</id><updated>2024-04-30T10:00:00Z</updated>
  <entry>
    <title type="html">Le &lt;em&gt;retour&lt;/em&gt; du vinyle</title>
    <link href="https://example.fr/vinyle"/>
    <id>urn:uuid:1</id>
    <updated>2024-04-30T10:00:00+02:00</updated>
    <published>2024-04-29T09:00:00Z</published>
    <author><name>Marie</name></author>
    <content type="html">&lt;p&gt;Les ventes de disques vinyles progressent encore.&lt;/p&gt;</content>
  </entry>
</feed>"""

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "JSON",
    "items": [
        {
            "id": "a",
            "url": "https://example.com/a",
            "title": "Solarpunk gardens",
            "content_html": "<p>Rooftop gardens are spreading in the city and the trend is growing.</p>",
            "date_published": "2024-04-30T10:00:00-05:00",
            "authors": [{"name": "Lee"}],
        },
        {"id": "b", "content_text": "Plain text only", "date_modified": "Tue, 30 Apr 2024 08:00:00 GMT"},
        {"id": 7, "title": 12},
    ],
}


def source_for(url: str, **extra: object) -> SourceConfig:
    return SourceConfig.model_validate({"name": "test-feed", "url": url, "allow_private": True, **extra})


def state_for(source: SourceConfig, **extra: object) -> SourceState:
    return SourceState(name=source.name, kind="feed", url=source.url, **extra)  # type: ignore[arg-type]


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, backoff_s=0.01)) as f:
        yield f


def collect(fetcher: Fetcher, source: SourceConfig, **state: object) -> CollectResult:
    return FeedCollector().collect(source, state_for(source, **state), fetcher, NOW)


def test_rss_becomes_items(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
    source = source_for(httpserver.url_for("/rss"))
    result = collect(fetcher, source)
    assert (result.status, result.not_modified) == (200, False)
    first, second = result.items  # the guid-only entry has neither title nor text
    assert first.title == "First & foremost"
    assert first.text == "Hello world"
    assert first.url == "https://example.org/posts/1?a=1&b=2"
    assert first.guid == "post-1"
    assert first.id == item_id_for("test-feed", "https://example.org/posts/1?a=1&b=2")
    assert first.published_at == datetime(2024, 4, 30, 6, 0, tzinfo=UTC)
    assert first.date_from_fetch is False
    assert first.fetched_at == NOW
    assert first.lang == "en"
    assert first.author == "ann@example.org (Ann)"
    assert first.source == "test-feed"
    # relative link resolved against the feed URL; no date -> fetch time, flagged
    assert second.url == httpserver.url_for("/posts/2")
    assert second.published_at == NOW and second.date_from_fetch is True


def test_atom_becomes_items(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/atom").respond_with_data(ATOM, content_type="application/atom+xml")
    result = collect(fetcher, source_for(httpserver.url_for("/atom")))
    (item,) = result.items
    assert item.title == "Le retour du vinyle"
    assert item.text == "Les ventes de disques vinyles progressent encore."
    assert item.published_at == datetime(2024, 4, 29, 9, 0, tzinfo=UTC)  # published beats updated
    assert item.author == "Marie"
    assert item.lang == "fr"
    assert item.guid == "urn:uuid:1"


def test_json_feed_becomes_items(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/json").respond_with_json(JSON_FEED, content_type="application/feed+json")
    result = collect(fetcher, source_for(httpserver.url_for("/json"), lang="de"))
    first, second = result.items  # the third has neither a string title nor text
    assert first.text == "Rooftop gardens are spreading in the city and the trend is growing."
    assert first.published_at == datetime(2024, 4, 30, 15, 0, tzinfo=UTC)
    assert (first.author, first.lang) == ("Lee", "en")  # detected, beats the source's hint
    assert second.url is None and second.title == ""
    assert second.id == item_id_for("test-feed", "b")  # no URL: the guid
    assert second.published_at == datetime(2024, 4, 30, 8, 0, tzinfo=UTC)
    assert second.lang == "de"  # too short to detect: the source's hint


def test_json_feed_item_without_title_or_text_is_skipped() -> None:
    feed = parse_feed(json.dumps(JSON_FEED).encode(), {"content-type": "application/json"}, "https://x/")
    assert [entry.guid for entry in feed.entries] == ["a", "b", "7"]
    assert feed.entries[2].title == ""  # a number is not a title


def test_conditional_get_304_is_not_modified_and_not_parsed(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    seen: list[tuple[str | None, str | None]] = []

    def handler(request: Request) -> Response:
        seen.append((request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")))
        if request.headers.get("If-None-Match") == '"v2"':
            return Response(status=304)
        return Response(RSS, headers={"ETag": '"v2"', "Last-Modified": "Tue, 30 Apr 2024 08:00:00 GMT"})

    httpserver.expect_request("/rss").respond_with_handler(handler)
    source = source_for(httpserver.url_for("/rss"))
    first = collect(fetcher, source)
    assert (first.etag, first.last_modified) == ('"v2"', "Tue, 30 Apr 2024 08:00:00 GMT")
    second = collect(fetcher, source, etag=first.etag, last_modified=first.last_modified)
    assert second == CollectResult(
        items=[], not_modified=True, etag='"v2"', last_modified="Tue, 30 Apr 2024 08:00:00 GMT", status=304
    )
    assert seen == [(None, None), ('"v2"', "Tue, 30 Apr 2024 08:00:00 GMT")]


def test_validators_of_another_url_are_not_sent(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss", headers={"If-None-Match": '"old"'}).respond_with_data("", status=304)
    httpserver.expect_request("/rss").respond_with_data(RSS)
    source = source_for(httpserver.url_for("/rss"))
    state = SourceState(name=source.name, kind="feed", url="https://old.example/feed", etag='"old"')
    result = FeedCollector().collect(source, state, fetcher, NOW)
    assert result.status == 200 and result.items


def test_304_with_a_body_is_still_not_parsed(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss").respond_with_data("this is not xml", status=304)
    result = collect(fetcher, source_for(httpserver.url_for("/rss")), etag='"x"')
    assert result.not_modified and result.items == [] and result.etag == '"x"'


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors(httpserver: HTTPServer, fetcher: Fetcher, status: int) -> None:
    httpserver.expect_request("/rss").respond_with_data("nope", status=status)
    with pytest.raises(FetchError) as info:
        collect(fetcher, source_for(httpserver.url_for("/rss")))
    assert info.value.status == status
    assert not isinstance(info.value, FeedParseError)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"<!doctype html><html><body><h1>Hello</h1><p>Not a feed", "text/html", "not a feed: got text/html"),
        (
            b"\x00\x01\x02garbage\xff\xfe",
            "application/octet-stream",
            "not a feed: got application/octet-stream",
        ),
        (b"", "application/rss+xml", "empty body"),
        (b"   \n", "application/rss+xml", "empty body"),
        (b'{"verion": "1.0"', "application/json", "invalid JSON"),
        (b'{"hello": "world"}', "application/json", "unknown JSON Feed version"),
        (b"[1, 2, 3]", "application/json", "not a feed"),
    ],
)
def test_not_a_feed(
    httpserver: HTTPServer, fetcher: Fetcher, body: bytes, content_type: str, message: str
) -> None:
    httpserver.expect_request("/rss").respond_with_data(body, content_type=content_type)
    with pytest.raises(FeedParseError, match=message) as info:
        collect(fetcher, source_for(httpserver.url_for("/rss")))
    assert info.value.url == httpserver.url_for("/rss")


def test_private_source_refused_without_allow_private(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/rss").respond_with_data(RSS)
    source = SourceConfig(name="test-feed", url=httpserver.url_for("/rss"))
    with pytest.raises(FetchError, match="loopback"):
        FeedCollector().collect(source, state_for(source), fetcher, NOW)


def test_entries_sharing_one_url_are_kept_apart_by_guid() -> None:
    items = b"".join(
        b"<item><title>Episode %d</title><link>https://pod.example/</link>"
        b'<guid isPermaLink="false">ep-%d</guid></item>' % (n, n)
        for n in range(3)
    )
    doc = b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>"
    result = collect_bytes(doc)
    assert [item.guid for item in result.items] == ["ep-0", "ep-1", "ep-2"]
    assert len({item.id for item in result.items}) == 3


def test_repeated_entries_become_one_item() -> None:
    entry = b"<item><title>Same</title><link>https://e.example/x?utm_medium=a</link></item>"
    entry2 = b"<item><title>Same</title><link>https://E.example/x#top</link></item>"
    doc = b'<rss version="2.0"><channel><title>t</title>' + entry + entry2 + b"</channel></rss>"
    assert len(collect_bytes(doc).items) == 1


def test_links_to_other_schemes_are_dropped() -> None:
    doc = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>a</title><link>javascript:alert(1)</link></item>"
        b"<item><title>b</title><link>mailto:x@example.com</link></item>"
        b"<item><title>c</title><link>http://example.c[o.test/</link></item>"
        b"</channel></rss>"
    )
    items = collect_bytes(doc).items
    assert [item.url for item in items] == [None, None, None]
    assert len({item.id for item in items}) == 3  # keyed on a hash of their content


def test_an_entry_that_cannot_be_normalized_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    import collectors.feed as feed_module

    real = feed_module.html_to_text

    def picky(text: str) -> str:
        if "poison" in text:
            raise ValueError("cannot read this")
        return real(text)

    monkeypatch.setattr(feed_module, "html_to_text", picky)
    doc = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>good</title><description>&lt;p&gt;fine&lt;/p&gt;</description></item>"
        b"<item><title>bad</title><description>&lt;p&gt;poison&lt;/p&gt;</description></item>"
        b"</channel></rss>"
    )
    assert [item.title for item in collect_bytes(doc).items] == ["good"]


class StaticFetcher:
    """Stands in for the network: every get returns the same bytes."""

    def __init__(self, content: bytes, content_type: str = "application/rss+xml") -> None:
        self.content = content
        self.content_type = content_type

    def get(self, url: str, **kwargs: object) -> object:
        from collectors.fetcher import Response as FetchResponse

        return FetchResponse(
            url=url, status=200, headers={"content-type": self.content_type}, content=self.content
        )


def collect_bytes(content: bytes, content_type: str = "application/rss+xml") -> CollectResult:
    source = SourceConfig(name="static", url="https://feeds.example/rss")
    fetcher = StaticFetcher(content, content_type)
    return FeedCollector().collect(source, state_for(source), fetcher, NOW)  # type: ignore[arg-type]


def _date_rows() -> list[tuple[str, str, tuple[int, ...] | None]]:
    if not DATE_STRINGS.exists():
        return []
    rows = []
    for line in DATE_STRINGS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parser, raw, expected = line.split("\t")
        rows.append((parser, ast.literal_eval(raw), ast.literal_eval(expected)))
    return rows


# feedparser tries its parsers in turn; for these the lenient ISO 8601 parser answers first, wrongly.
_FEEDPARSER_CHAIN_MISREADS = {"_parse_date_hungarian", "_parse_date_nate", "_parse_date_onblog"}


@pytest.mark.skipif(not DATE_STRINGS.exists(), reason=f"{DATE_STRINGS} is absent (shared test data)")
@pytest.mark.parametrize(("parser", "raw", "expected"), _date_rows() or [("", "", None)])
def test_odd_dates_in_a_feed(parser: str, raw: str, expected: tuple[int, ...] | None) -> None:
    item_xml = f"<item><title>x</title><pubDate>{html.escape(raw)}</pubDate></item>"
    doc = f'<rss version="2.0"><channel>{item_xml}</channel></rss>'
    (item,) = collect_bytes(doc.encode()).items
    assert item.published_at.tzinfo is UTC
    if item.date_from_fetch:
        assert item.published_at == NOW
    if expected is not None and parser not in _FEEDPARSER_CHAIN_MISREADS:
        assert tuple(item.published_at.timetuple())[:6] == expected[:6]
