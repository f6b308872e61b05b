"""Every real-world and adversarial feed of the shared corpus, served over HTTP, through the feed collector.

Each file must give either clean items or a clean FeedParseError, never another exception. Headers that
feedparser's test files carry in a leading XML comment ("Header: Content-type: ...") are served as
real HTTP headers, since several of those files test exactly the header-versus-document conflicts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pytest_httpserver import HTTPServer

from collectors.base import CollectResult
from collectors.feed import FeedCollector
from collectors.fetcher import Fetcher, FetchPolicy
from radar.domain import SourceState
from radar.errors import FeedParseError
from radar.settings import SourceConfig

FEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds"
if not FEEDS.is_dir():
    pytest.skip(
        f"real-world feed corpus not found at {FEEDS} (../shared/data/feeds)", allow_module_level=True
    )

NOW = datetime(2030, 1, 1, tzinfo=UTC)
_NOT_FEEDS = {"README.md", "MANIFEST.csv", "MANIFEST.json", "feedparser_date_strings.tsv"}
_DEFAULT_TYPES = {
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html",
}
_COMMENT = re.compile(rb"<!--(.*?)-->", re.DOTALL)
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_HEADER_LINE = re.compile(r"^\s*Header:\s*([A-Za-z0-9-]+):\s*(.*?)\s*$")

# What the corpus must give, where it is clear-cut. Every other file only has to be clean either way.
EXPECTED_ERRORS = {
    "reader__data_sqlite_releases.html",  # an HTML page where a feed was expected
    "gofeed__parser_universal_empty_feed.xml",  # zero bytes
    "gofeed__parser_universal_invalid.json",  # truncated JSON
    "reader__data_unknown.json",  # unknown JSON Feed version, no items
    "fp__illformed_rss_empty_document.xml",  # only a comment
}
EXPECTED_COUNTS = {
    "feedrs__atom_atom_mediarss_reddit_1.xml": 25,
    "feedrs__jsonfeed_jsonfeed_elastic_1.1.json": 3,  # items without the mandatory id
    "fp__json_example.json": 2,
    "feedrs__rss2_rss_2.0_relurl_1.xml": 2,
    "feedrs__atom_atom_entry_1.xml": 1,  # a lone Atom entry document
}


def corpus_files() -> list[Path]:
    manifest = FEEDS / "MANIFEST.csv"
    listed: set[str] = set()
    if manifest.exists():
        with manifest.open(encoding="utf-8", newline="") as handle:
            listed = {row["file"] for row in csv.DictReader(handle)}
    on_disk = {p.name for p in FEEDS.iterdir() if p.is_file() and p.name not in _NOT_FEEDS}
    return [FEEDS / name for name in sorted(on_disk | listed) if (FEEDS / name).is_file()]


def served_headers(path: Path, data: bytes) -> dict[str, str]:
    """The Content-Type for the file's extension, overridden by ``Header:`` lines of its first comment."""
    headers = {"Content-Type": _DEFAULT_TYPES.get(path.suffix, "application/octet-stream")}
    match = _COMMENT.search(data[:4096])
    if match:
        for line in match.group(1).decode("latin-1").splitlines():
            header = _HEADER_LINE.match(line)
            if header:
                name = "Content-Type" if header.group(1).lower() == "content-type" else header.group(1)
                headers[name] = header.group(2)
    return headers


@pytest.fixture(scope="module")
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FetchPolicy(timeout_s=5, deadline_s=10, retries=0)) as f:
        yield f


def collect_file(httpserver: HTTPServer, fetcher: Fetcher, path: Path) -> CollectResult:
    data = path.read_bytes()
    headers = served_headers(path, data)
    content_type = headers.pop("Content-Type")
    httpserver.expect_request(f"/{path.name}").respond_with_data(
        data, content_type=content_type, headers=headers
    )
    source = SourceConfig(name="corpus", url=httpserver.url_for(f"/{path.name}"), allow_private=True)
    state = SourceState(name=source.name, kind="feed", url=source.url)
    return FeedCollector().collect(source, state, fetcher, NOW)


def test_the_corpus_is_there() -> None:
    names = {p.name for p in corpus_files()}
    assert len(names) >= 50
    assert EXPECTED_ERRORS <= names and set(EXPECTED_COUNTS) <= names


def test_comment_headers_are_read() -> None:
    path = FEEDS / "fp__encoding_http_text_xml_charset_overrides_encoding_2.xml"
    if not path.exists():
        pytest.skip(f"{path.name} is absent")
    assert served_headers(path, path.read_bytes()) == {"Content-Type": "text/xml; charset=windows-1252"}


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_file_gives_clean_items_or_a_clean_error(
    httpserver: HTTPServer, fetcher: Fetcher, path: Path
) -> None:
    try:
        result = collect_file(httpserver, fetcher, path)
    except FeedParseError as exc:
        assert path.name not in EXPECTED_COUNTS, f"{path.name} should parse: {exc}"
        assert "not a feed" in str(exc)
        return
    assert path.name not in EXPECTED_ERRORS, f"{path.name} should be refused, got {len(result.items)} items"
    assert result.status == 200 and not result.not_modified
    if path.name in EXPECTED_COUNTS:
        assert len(result.items) == EXPECTED_COUNTS[path.name]
    for item in result.items:
        assert item.published_at.tzinfo is not None and item.published_at.utcoffset() == timedelta(0)
        assert item.fetched_at == NOW
        assert item.date_from_fetch == (item.published_at == NOW)
        assert item.title or item.text
        assert item.title == item.title.strip() and item.text == item.text.strip()
        assert not _UNPRINTABLE.search(item.title + item.text + (item.author or ""))
        assert item.url is None or urlsplit(item.url).scheme in ("http", "https")
        assert "<script" not in item.text.lower() or path.name.startswith("reader__data_relative")
        assert item.source == "corpus" and len(item.id) == 24
    assert len({item.id for item in result.items}) == len(result.items)


def test_relative_links_resolve_against_the_feed_url(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    path = FEEDS / "reader__data_relative.atom"
    if not path.exists():
        pytest.skip(f"{path.name} is absent")
    (item,) = collect_file(httpserver, fetcher, path).items
    assert item.url == httpserver.url_for("/entries/entry.html")


def test_localized_and_twelve_hour_dates(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    cases = {
        "feedrs__rss2_rss_2.0_ilmessaggero.xml": datetime(2022, 11, 15, 23, 38, 15, tzinfo=UTC),
        "feedrs__rss2_rss_2.0_nbcny.xml": datetime(2023, 12, 16, 14, 2, 33, tzinfo=UTC),
    }
    for name, expected in cases.items():
        if not (FEEDS / name).exists():
            continue
        (item,) = collect_file(httpserver, fetcher, FEEDS / name).items
        assert (item.published_at, item.date_from_fetch) == (expected, False), name
