"""Collecting through the real collector from a real local HTTP server: bad sources never stop the run."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from radar.bootstrap import make_radar
from radar.settings import load_config

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Good</title><link>https://good.example/</link><language>en</language>
{items}
</channel></rss>"""
ITEM = """<item><title>Repair cafés open in town {n}</title><link>https://good.example/post/{n}?utm_source=x</link>
<guid>good-{n}</guid><pubDate>Mon, 0{n} Nov 2026 10:00:00 +0000</pubDate>
<description>&lt;p&gt;Volunteers fix toasters and phones, number {n}.&lt;/p&gt;</description></item>"""


def _rss(count: int) -> str:
    return RSS.format(items="\n".join(ITEM.format(n=n) for n in range(1, count + 1)))


def _config(home: Path, server: HTTPServer) -> None:
    sources = []
    for name in ("good", "missing", "broken", "html", "garbage"):
        sources.append(
            f'[[source]]\nname = "{name}"\nurl = "{server.url_for("/" + name)}"\nallow_private = true\n'
        )
    (home / "config" / "sources.toml").write_text("\n".join(sources), encoding="utf-8")


def test_bad_sources_are_recorded_and_nothing_is_lost(home: Path, httpserver: HTTPServer) -> None:
    _config(home, httpserver)
    httpserver.expect_request("/good").respond_with_data(_rss(3), content_type="application/rss+xml")
    httpserver.expect_request("/missing").respond_with_data("nope", status=404)
    httpserver.expect_request("/broken").respond_with_data("oops", status=500)
    httpserver.expect_request("/html").respond_with_data(
        "<html><body><h1>Welcome</h1></body></html>", content_type="text/html"
    )
    httpserver.expect_request("/garbage").respond_with_data(
        b"\x00\x01\xff garbage", content_type="text/plain"
    )
    radar = make_radar(load_config(home, {}))
    report = radar.collect()
    by_name = {o.name: o for o in report.outcomes}
    assert by_name["good"].new_items == 3 and by_name["good"].error is None
    assert {name for name, o in by_name.items() if o.error} == {"missing", "broken", "html", "garbage"}
    assert "404" in str(by_name["missing"].error)
    states = {s.name: s for s in radar.store.source_states()}
    assert states["broken"].consecutive_errors == 1 and states["broken"].last_error
    assert states["good"].last_success_at is not None

    # The good feed breaks on the next run, then comes back with one more item: nothing is lost or doubled.
    httpserver.clear()
    httpserver.expect_request("/good").respond_with_data("down", status=503)
    for name in ("missing", "broken", "html", "garbage"):
        httpserver.expect_request("/" + name).respond_with_data("x", status=404)
    radar.collect()
    assert radar.stats()["items"] == 3
    httpserver.clear()
    httpserver.expect_request("/good").respond_with_data(_rss(4), content_type="application/rss+xml")
    for name in ("missing", "broken", "html", "garbage"):
        httpserver.expect_request("/" + name).respond_with_data("x", status=404)
    assert radar.collect().new_items == 1
    assert radar.stats()["items"] == 4
    radar.close()


def test_tracking_parameters_do_not_make_new_items(home: Path, httpserver: HTTPServer) -> None:
    (home / "config" / "sources.toml").write_text(
        f'[[source]]\nname = "good"\nurl = "{httpserver.url_for("/good")}"\nallow_private = true\n',
        encoding="utf-8",
    )
    httpserver.expect_request("/good").respond_with_data(_rss(2), content_type="application/rss+xml")
    radar = make_radar(load_config(home, {}))
    radar.collect()
    with radar.store.engine.connect() as conn:
        urls = sorted(row[0] for row in conn.exec_driver_sql("SELECT url FROM items"))
    assert urls == ["https://good.example/post/1", "https://good.example/post/2"]
    radar.close()


def test_loopback_refused_without_permission(home: Path, httpserver: HTTPServer) -> None:
    (home / "config" / "sources.toml").write_text(
        f'[[source]]\nname = "local"\nurl = "{httpserver.url_for("/feed")}"\n', encoding="utf-8"
    )
    httpserver.expect_request("/feed").respond_with_data(_rss(1), content_type="application/rss+xml")
    radar = make_radar(load_config(home, {}))
    report = radar.collect()
    assert report.new_items == 0
    assert report.failed and "loopback" in str(report.failed[0].error)
    assert len(httpserver.log) == 0  # refused before any connection
    radar.close()
    radar = make_radar(load_config(home, {"RADAR_FETCH_ALLOW_PRIVATE": "true"}))
    assert radar.collect().new_items == 1
    radar.close()


@pytest.fixture(autouse=True)
def _no_env_leak(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("RADAR_DATABASE_URL", "RADAR_REDIS_URL", "RADAR_FETCH_ALLOW_PRIVATE"):
        monkeypatch.delenv(key, raising=False)
