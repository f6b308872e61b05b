"""The youtube kind: the real channel feed sample served by a local HTTP server, view counts kept."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from collectors import registry
from collectors.feed import FeedCollector
from collectors.fetcher import Fetcher, FetchPolicy
from collectors.youtube import YouTubeCollector, feed_url
from radar.domain import SourceState
from radar.errors import ConfigError, FetchError
from radar.settings import SourceConfig

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SOCIAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "social"
SAMPLE = SOCIAL / "youtube_channel_videos_feed.xml"
CHANNEL = "UC7_gcs09iThXybpVgjHZ_7g"


@pytest.fixture
def sample() -> bytes:
    if not SAMPLE.is_file():
        pytest.skip(f"YouTube channel feed sample not found at {SAMPLE} (../shared/data/social)")
    return SAMPLE.read_bytes()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, backoff_s=0.01), sleep=lambda s: None) as f:
        yield f


def source_for(url: str, **params: object) -> SourceConfig:
    return SourceConfig(name="pbs-space", kind="youtube", url=url, allow_private=True, params=params)


def test_a_channel_feed_becomes_items_with_views_and_description(
    httpserver: HTTPServer, fetcher: Fetcher, sample: bytes
) -> None:
    httpserver.expect_request("/feeds/videos.xml", query_string={"channel_id": CHANNEL}).respond_with_data(
        sample, content_type="application/atom+xml; charset=UTF-8", headers={"ETag": '"v1"'}
    )
    source = source_for(httpserver.url_for("/"), channel_id=CHANNEL)
    result = YouTubeCollector().collect(source, SourceState(source.name, "youtube", source.url), fetcher, NOW)

    assert result.status == 200 and result.etag == '"v1"'
    [item] = result.items
    assert item.title == "Navigating with Quantum Entanglement"
    assert item.url == "https://www.youtube.com/watch?v=0A1ouV7iD8o"
    assert item.guid == "yt:video:0A1ouV7iD8o"
    assert item.author == "PBS Space Time"
    assert item.published_at == datetime(2020, 12, 22, 19, 15, 1, tzinfo=UTC)
    assert not item.date_from_fetch
    # media:description, with its escaped "&amp;" read as the "&" it stands for.
    assert item.text == (
        "Check Out Weathered on PBS Terra https://www.youtube.com/watch?v=znSN7ZFIaOg&ab_channel=PBSTerra"
    )
    assert item.engagement == {"views": 304321, "favorites": 42, "ratings": 15020}


def test_validators_follow_the_configured_url_across_runs(
    httpserver: HTTPServer, fetcher: Fetcher, sample: bytes
) -> None:
    """The store keeps the validators against the configured url, not the built feed address."""
    httpserver.expect_request(
        "/feeds/videos.xml", query_string={"channel_id": CHANNEL}, headers={"If-None-Match": '"v1"'}
    ).respond_with_data(b"", status=304)
    source = source_for(httpserver.url_for("/"), channel_id=CHANNEL)
    state = SourceState(source.name, "youtube", source.url, etag='"v1"')
    result = YouTubeCollector().collect(source, state, fetcher, NOW)
    assert result.not_modified and result.items == [] and result.etag == '"v1"'


def test_the_generic_feed_kind_keeps_media_counters_and_drops_unreadable_ones(
    httpserver: HTTPServer, fetcher: Fetcher, sample: bytes
) -> None:
    doctored = sample.replace(b'views="304321"', b'views="n/a"').replace(b'count="15020"', b'count="-3"')
    httpserver.expect_request("/clean.xml").respond_with_data(sample, content_type="application/atom+xml")
    httpserver.expect_request("/odd.xml").respond_with_data(doctored, content_type="application/atom+xml")
    collector = FeedCollector()
    clean = SourceConfig(name="yt-feed", url=httpserver.url_for("/clean.xml"), allow_private=True)
    odd = SourceConfig(name="yt-odd", url=httpserver.url_for("/odd.xml"), allow_private=True)
    [kept] = collector.collect(clean, SourceState(clean.name, "feed", clean.url), fetcher, NOW).items
    [partial] = collector.collect(odd, SourceState(odd.name, "feed", odd.url), fetcher, NOW).items
    assert kept.engagement == {"views": 304321, "favorites": 42, "ratings": 15020}
    assert partial.engagement == {"favorites": 42}


def test_the_shared_corpus_copy_parses_the_same(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    copy = SOCIAL.parent / "feeds" / "feedrs__atom_atom_mediarss_youtube_1.xml"
    if not copy.is_file():
        pytest.skip(f"feed corpus copy not found at {copy} (../shared/data/feeds)")
    httpserver.expect_request("/feeds/videos.xml").respond_with_data(
        copy.read_bytes(), content_type="application/atom+xml"
    )
    source = source_for(httpserver.url_for("/feeds/videos.xml"))
    [item] = (
        YouTubeCollector()
        .collect(source, SourceState(source.name, "youtube", source.url), fetcher, NOW)
        .items
    )
    assert item.engagement["views"] == 304321


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    [
        (
            "https://www.youtube.com",
            {"channel_id": CHANNEL},
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
        ),
        (
            "https://www.youtube.com/",
            {"playlist_id": "PLx y"},
            "https://www.youtube.com/feeds/videos.xml?playlist_id=PLx+y",
        ),
        (
            f"https://www.youtube.com/channel/{CHANNEL}",
            {},
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
        ),
        # A user page is not a channel id: fetched as given (and the feed parser will say it is no feed).
        ("https://www.youtube.com/@pbsspacetime", {}, "https://www.youtube.com/@pbsspacetime"),
        (
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
            {},
            f"https://www.youtube.com/feeds/videos.xml?channel_id={CHANNEL}",
        ),
    ],
)
def test_feed_url(url: str, params: dict[str, object], expected: str) -> None:
    assert feed_url(source_for(url, **params)) == expected


def test_bad_params_are_config_errors_before_and_fetch_errors_during_collection(fetcher: Fetcher) -> None:
    collector = YouTubeCollector()
    with pytest.raises(ConfigError, match=r"'pbs-space' \(youtube\) params.channel_id"):
        collector.validate(source_for("https://www.youtube.com", channel_id=""))
    with pytest.raises(ConfigError, match="params.channelid: unknown key"):
        collector.validate(source_for("https://www.youtube.com", channelid=CHANNEL))
    collector.validate(source_for("https://www.youtube.com", channel_id=CHANNEL))
    bad = source_for("https://www.youtube.com", channel_id=3)
    with pytest.raises(FetchError, match="invalid configuration: .*params.channel_id"):
        collector.collect(bad, SourceState(bad.name, "youtube", bad.url), fetcher, NOW)


def test_youtube_is_a_built_in_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})
    assert isinstance(registry.get_collector("youtube"), YouTubeCollector)
