"""``radar collect`` as a user runs it: all sources, chosen ones, ad-hoc URLs; JSON one object per line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from radar.store import open_store
from tests.conftest import run_cli as radar

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title><link>https://{name}.example/</link>
{items}</channel></rss>"""
ITEM = """<item><title>Story {n} from {name}</title><link>https://{name}.example/{n}</link><guid>{name}-{n}</guid>
<pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate></item>"""
PRIVATE = {"RADAR_FETCH_ALLOW_PRIVATE": "true"}


def _feed(name: str, count: int) -> str:
    return RSS.format(name=name, items="".join(ITEM.format(n=n, name=name) for n in range(count)))


@pytest.fixture
def sources(home: Path, httpserver: HTTPServer) -> Path:
    httpserver.expect_request("/good").respond_with_data(_feed("good", 3), content_type="application/rss+xml")
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    httpserver.expect_request("/other").respond_with_data(
        _feed("other", 2), content_type="application/rss+xml"
    )
    path = home / "config" / "sources.toml"
    path.write_text(
        "".join(
            f'[[source]]\nname = "{name}"\nurl = "{httpserver.url_for("/" + name)}"\n'
            f"allow_private = true\nenabled = {'false' if name == 'other' else 'true'}\n\n"
            for name in ("good", "gone", "other")
        ),
        encoding="utf-8",
    )
    return path


def _lines(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _requested(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def test_collect_json_is_one_object_per_source_and_failures_exit_0(
    home: Path, sources: Path, httpserver: HTTPServer
) -> None:
    result = radar("collect", "--json", home=home)
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    assert [line["source"] for line in lines] == ["good", "gone"]  # the disabled source is not fetched
    assert all(set(line) == {"source", "url", "new_items", "error"} for line in lines)
    good, gone = lines
    assert good["new_items"] == 3 and good["error"] is None
    assert good["url"] == httpserver.url_for("/good")
    assert gone["new_items"] == 0 and "404" in str(gone["error"])
    again = _lines(radar("collect", "--json", home=home).stdout)
    assert again[0]["new_items"] == 0


def test_collect_text_lists_counts_and_failures(home: Path, sources: Path) -> None:
    result = radar("collect", home=home)
    assert result.returncode == 0, result.stderr
    assert "good" in result.stdout and "3 new" in result.stdout
    assert "gone" in result.stdout and "failed" in result.stdout and "404" in result.stdout
    assert "3 new items, 1 sources failed" in result.stdout


def test_collect_only_the_named_sources(home: Path, sources: Path, httpserver: HTTPServer) -> None:
    result = radar("collect", "--json", "--source", "other", home=home)
    assert result.returncode == 0, result.stderr
    # Named, a disabled source is fetched too; nothing else is.
    assert [(line["source"], line["new_items"]) for line in _lines(result.stdout)] == [("other", 2)]
    assert _requested(httpserver) == ["/other"]


def test_unknown_source_name_is_exit_2(home: Path, sources: Path, httpserver: HTTPServer) -> None:
    result = radar("collect", "--source", "good", "--source", "nope", home=home)
    assert result.returncode == 2
    assert "'nope'" in result.stderr and "good" in result.stderr
    assert _requested(httpserver) == []


def test_collect_adhoc_urls_stores_items_without_touching_config(
    home: Path, sources: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/extra.xml").respond_with_data(
        _feed("extra", 4), content_type="application/rss+xml"
    )
    before = sources.read_text(encoding="utf-8")
    url = httpserver.url_for("/extra.xml")
    result = radar(
        "collect", "--json", "--url", url, "--url", httpserver.url_for("/good"), home=home, env=PRIVATE
    )
    assert result.returncode == 0, result.stderr
    lines = _lines(result.stdout)
    # A URL a configured source has is that source; a new one is named after its host.
    assert [(line["source"], line["url"], line["new_items"]) for line in lines] == [
        ("localhost", url, 4),
        ("good", httpserver.url_for("/good"), 3),
    ]
    assert sources.read_text(encoding="utf-8") == before
    store = open_store(f"sqlite:///{home / 'radar.sqlite3'}")
    try:
        assert store.stats()["items"] == 7
        assert store.source_state("localhost") is not None
    finally:
        store.close()


def test_collect_refuses_a_url_that_is_not_http(home: Path, sources: Path) -> None:
    result = radar("collect", "--url", "ftp://example.org/feed", home=home)
    assert result.returncode == 2
    assert "--url" in result.stderr and "ftp://example.org/feed" in result.stderr
