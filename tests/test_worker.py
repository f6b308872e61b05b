"""The worker with the real APScheduler against a real local HTTP server: jobs fire when the store says."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from radar.bootstrap import make_radar
from radar.core import Radar
from radar.settings import load_config
from radar.worker import Worker

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title><link>https://{name}.example/</link>
<item><title>Post from {name}</title><link>https://{name}.example/1</link><guid>{name}-1</guid>
<pubDate>Mon, 02 Nov 2026 10:00:00 +0000</pubDate></item></channel></rss>"""


class Hits:
    """When each path was requested (wall-clock seconds), recorded by the server thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}

    def handler(self, name: str) -> object:
        def respond(request: Request) -> Response:
            with self.lock:
                self.times.setdefault(name, []).append(time.time())
            return Response(RSS.format(name=name), content_type="application/rss+xml")

        return respond

    def of(self, name: str) -> list[float]:
        with self.lock:
            return list(self.times.get(name, []))


@pytest.fixture
def hits(httpserver: HTTPServer) -> Hits:
    recorded = Hits()
    for name in ("fast", "slow"):
        httpserver.expect_request(f"/{name}").respond_with_handler(recorded.handler(name))  # type: ignore[arg-type]
    return recorded


def _write_sources(home: Path, server: HTTPServer, intervals: dict[str, str]) -> None:
    text = "".join(
        f'[[source]]\nname = "{name}"\nurl = "{server.url_for("/" + name)}"\ninterval = "{every}"\n'
        "allow_private = true\n\n"
        for name, every in intervals.items()
    )
    (home / "config" / "sources.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def radar(home: Path, httpserver: HTTPServer, hits: Hits) -> Iterator[Radar]:
    _write_sources(home, httpserver, {"fast": "2s", "slow": "3s"})
    opened = make_radar(load_config(home, {}))
    yield opened
    opened.close()


def _start(radar: Radar) -> Worker:
    from apscheduler.schedulers.background import BackgroundScheduler

    worker = Worker(radar, BackgroundScheduler(timezone=UTC), jitter=lambda: 0.0)
    worker.schedule()
    worker.scheduler.start()
    return worker


def _stop(worker: Worker) -> None:
    worker.request_stop()
    worker.close()


def _wait_for(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_each_source_runs_on_its_interval_and_a_restart_resumes(radar: Radar, hits: Hits) -> None:
    started = time.time()
    worker = _start(radar)
    # Never fetched: both run at once (two sources, fewer than the fetch concurrency).
    _wait_for(lambda: hits.of("fast") and hits.of("slow"))
    _wait_for(lambda: all(s.next_due_at for s in radar.store.source_states()))
    _stop(worker)
    assert hits.of("fast")[0] - started < 1.5 and hits.of("slow")[0] - started < 1.5
    stored = {s.name: s for s in radar.store.source_states()}
    for name, every in (("fast", 2), ("slow", 3)):
        state = stored[name]
        assert state.last_success_at is not None and state.next_due_at is not None
        assert state.next_due_at == state.last_fetch_at + timedelta(seconds=every)  # type: ignore[operator]

    # A restart does not refetch: each source waits for the due time its last fetch stored.
    worker = _start(radar)
    time.sleep(4.6)
    _stop(worker)
    for name, every in (("fast", 2), ("slow", 3)):
        due = stored[name].next_due_at.timestamp()  # type: ignore[union-attr]
        after_restart = hits.of(name)[1:]
        assert after_restart, f"{name} was not fetched again"
        assert after_restart[0] >= due - 0.05, f"{name} refetched {due - after_restart[0]:.2f} s early"
        # ...and then keeps to its interval, from the time it last ran.
        gaps = [b - a for a, b in zip(after_restart, after_restart[1:], strict=False)]
        assert all(every - 0.1 <= gap <= every + 1.0 for gap in gaps), (name, gaps)
    assert len(hits.of("fast")) >= 3 and len(hits.of("slow")) >= 2
    final = {s.name: s for s in radar.store.source_states()}
    assert final["fast"].next_due_at > stored["fast"].next_due_at  # type: ignore[operator]


def test_a_failing_source_backs_off_in_the_stored_due_time(
    home: Path, httpserver: HTTPServer, hits: Hits
) -> None:
    httpserver.expect_request("/down").respond_with_data("gone", status=404)
    _write_sources(home, httpserver, {"down": "1s"})
    radar = make_radar(load_config(home, {}))
    try:
        worker = _start(radar)
        _wait_for(lambda: (s := radar.store.source_state("down")) is not None and s.consecutive_errors >= 2)
        _stop(worker)
        state = radar.store.source_state("down")
        assert state is not None and state.next_due_at is not None and state.last_fetch_at is not None
        # Two failures in a row: due two intervals after the last fetch, not one.
        factor = 2 ** (state.consecutive_errors - 1)
        assert state.next_due_at - state.last_fetch_at == timedelta(seconds=factor)
        assert "404" in str(state.last_error)
    finally:
        radar.close()


def test_radar_run_stops_cleanly_on_sigterm(home: Path, httpserver: HTTPServer, hits: Hits) -> None:
    _write_sources(home, httpserver, {"fast": "1h", "slow": "1h"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env["RADAR_HOME"] = str(home)
    process = subprocess.Popen(
        [sys.executable, "-m", "radar.cli", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: hits.of("fast") and hits.of("slow"), timeout=30)
        # The fetch is recorded after the response: give the job a moment to write its due time.
        radar = make_radar(load_config(home, {}))
        try:
            _wait_for(lambda: all(s.next_due_at for s in radar.store.source_states()))
            states = radar.store.source_states()
        finally:
            radar.close()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "finishing the running jobs" in stderr
    now = datetime.now(UTC)
    assert all(now + timedelta(minutes=50) < s.next_due_at < now + timedelta(minutes=66) for s in states)  # type: ignore[operator]
