"""Prometheus metrics: defined once in radar.metrics, moved by the real code paths, served by the worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from radar import metrics
from radar.bootstrap import make_cache
from radar.collect import collect_one
from radar.core import Radar
from radar.errors import ModelError
from radar.settings import SourceConfig, load_config
from radar.store import open_store
from tests.conftest import utc
from tests.fakes import HashEmbedder

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://example.org/</link>
<item><title>First post about repair cafes</title><link>https://example.org/a</link>
<pubDate>Mon, 02 Nov 2026 09:00:00 GMT</pubDate><description>Repairing toasters together.</description></item>
<item><title>Second post about seed libraries</title><link>https://example.org/b</link>
<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>Borrowing seeds.</description></item>
</channel></rss>"""

NAMES = (
    "vigie_items_collected_total",
    "vigie_fetch_errors_total",
    "vigie_items_embedded_total",
    "vigie_embedding_seconds",
    "vigie_analysis_seconds",
    "vigie_alerts_sent_total",
    "vigie_items_purged_total",
)


def value(name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


@pytest.fixture
def radar(home: Path) -> Iterator[Radar]:
    config = load_config(home, {"RADAR_FETCH_ALLOW_PRIVATE": "true"})
    opened = Radar(config, open_store(config.settings.store_url), make_cache(config.settings), HashEmbedder())
    yield opened
    opened.close()


def test_render_exposes_every_metric_with_help() -> None:
    body, content_type = metrics.render()
    text = body.decode()
    assert content_type.startswith("text/plain")
    for name in NAMES:
        base = name.removesuffix("_total")
        assert f"# HELP {base}" in text and f"# TYPE {base}" in text, name


def test_collecting_counts_items_and_errors_by_source(radar: Radar, httpserver: HTTPServer) -> None:
    from collectors.fetcher import Fetcher, FetchPolicy

    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    httpserver.expect_request("/broken").respond_with_data("down", status=500)
    good = SourceConfig(name="metrics-good", url=httpserver.url_for("/feed"))
    bad = SourceConfig(name="metrics-bad", url=httpserver.url_for("/broken"))
    radar.store.sync_sources([(s.name, s.kind, s.url) for s in (good, bad)])
    before = (
        value("vigie_items_collected_total", source="metrics-good"),
        value("vigie_fetch_errors_total", source="metrics-bad"),
    )
    with Fetcher(FetchPolicy(allow_private=True, retries=0)) as fetcher:
        now = lambda: utc(2026, 11, 2, 12)  # noqa: E731
        assert collect_one(radar.store, good, fetcher, now=now).new_items == 2
        assert collect_one(radar.store, good, fetcher, now=now).new_items == 0  # nothing new: no count
        assert collect_one(radar.store, bad, fetcher, now=now).error
    assert value("vigie_items_collected_total", source="metrics-good") - before[0] == 2
    assert value("vigie_fetch_errors_total", source="metrics-bad") - before[1] == 1
    assert value("vigie_fetch_errors_total", source="metrics-good") == 0


def test_embedding_counts_items_and_times_batches(radar: Radar, httpserver: HTTPServer) -> None:
    from radar.domain import Item

    radar.store.sync_sources([("alpha", "feed", "https://example.org/feed")])
    radar.store.add_items(
        [
            Item(
                id=f"m{n}",
                source="alpha",
                url=f"https://example.org/m/{n}",
                title=f"post {n}",
                text=f"words number {n} and {n * 31}",
                published_at=utc(2026, 11, 1) + timedelta(hours=n),
                fetched_at=utc(2026, 11, 2),
            )
            for n in range(7)
        ]
    )
    items, batches = value("vigie_items_embedded_total"), value("vigie_embedding_seconds_count")
    assert radar.embed_pending() == 7
    assert value("vigie_items_embedded_total") - items == 7
    assert value("vigie_embedding_seconds_count") - batches == 1
    assert value("vigie_embedding_seconds_sum") > 0


def test_analysis_time_is_observed_by_outcome(radar: Radar, monkeypatch: pytest.MonkeyPatch) -> None:
    import radar.analysis.run as run_module

    done, failed = (
        value("vigie_analysis_seconds_count", outcome="done"),
        value("vigie_analysis_seconds_count", outcome="failed"),
    )

    def fails(*_args: Any, **_kwargs: Any) -> None:
        raise ModelError("the fit failed")

    monkeypatch.setattr(run_module, "run_analysis", fails)
    with pytest.raises(ModelError):
        radar.analyze()
    assert value("vigie_analysis_seconds_count", outcome="failed") - failed == 1
    assert value("vigie_analysis_seconds_count", outcome="done") == done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_worker_serves_metrics_on_its_port(home: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    (home / "config" / "sources.toml").write_text(
        f'[[source]]\nname = "served"\nurl = "{httpserver.url_for("/feed")}"\ninterval = "1h"\n'
        "allow_private = true\n",
        encoding="utf-8",
    )
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update({"RADAR_HOME": str(home), "RADAR_METRICS_PORT": str(port)})
    process = subprocess.Popen(
        [sys.executable, "-m", "radar.cli", "run"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        text = ""
        while time.monotonic() < deadline:
            try:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            except httpx.HTTPError:
                text = ""
            if 'vigie_items_collected_total{source="served"} 2.0' in text:
                break
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert 'vigie_items_collected_total{source="served"} 2.0' in text, stderr
    assert "process_cpu_seconds_total" in text  # the process collectors come along
    assert process.returncode == 0, stderr
