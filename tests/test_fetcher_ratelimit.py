"""Per-host pacing in the shared fetcher: requests to a paced host start at least an interval apart.

A fake monotonic clock that moves only when the fetcher sleeps makes the waits exact and the tests instant,
while the requests still go to a real local HTTP server.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from pytest_httpserver import HTTPServer

from collectors.fetcher import Fetcher, FetchPolicy
from radar.errors import FetchError


class FakeClock:
    """A monotonic clock that advances only by what is slept, shared safely by several threads."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


def fetcher_with(clock: FakeClock, **policy: object) -> Fetcher:
    settings: dict[str, object] = {"allow_private": True, "timeout_s": 5, "deadline_s": 30, "backoff_s": 0.01}
    settings.update(policy)
    return Fetcher(FetchPolicy(**settings), sleep=clock.sleep, clock=clock)  # type: ignore[arg-type]


def test_requests_to_a_paced_host_wait_for_their_turn(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    clock = FakeClock()
    with fetcher_with(clock) as fetcher:
        for _ in range(3):
            assert fetcher.get(httpserver.url_for("/a"), min_interval_s=6).content == b"ok"
    # The clock never moved, so each request waits for the slot reserved after the previous one.
    assert clock.sleeps == [6.0, 12.0]
    assert len(httpserver.log) == 3


def test_time_that_already_passed_counts_toward_the_interval(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    clock = FakeClock()
    with fetcher_with(clock) as fetcher:
        fetcher.get(httpserver.url_for("/a"), min_interval_s=6)
        clock.now += 4
        fetcher.get(httpserver.url_for("/a"), min_interval_s=6)
        clock.now += 10
        fetcher.get(httpserver.url_for("/a"), min_interval_s=6)
    assert clock.sleeps == [pytest.approx(2.0)]


def test_unpaced_requests_never_wait(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    clock = FakeClock()
    with fetcher_with(clock) as fetcher:
        for _ in range(3):
            fetcher.get(httpserver.url_for("/a"))
    assert clock.sleeps == []


def test_policy_paces_a_domain_and_its_subdomains_together() -> None:
    clock = FakeClock()
    with fetcher_with(clock, host_min_interval_s=(("example.test", 5.0),)) as fetcher:
        # _pace is the whole of the pacing decision; calling it avoids needing DNS for made-up hosts.
        for url in ("https://www.example.test/x", "https://old.example.test/y", "https://example.test/z"):
            fetcher._pace(url, 0.0, deadline=float("inf"))
        fetcher._pace("https://other.test/", 0.0, deadline=float("inf"))
        fetcher._pace("https://notexample.test/", 0.0, deadline=float("inf"))
    assert clock.sleeps == [5.0, 10.0]


def test_reddit_is_paced_by_default() -> None:
    assert ("reddit.com", 6.0) in FetchPolicy().host_min_interval_s


def test_a_wait_past_the_deadline_is_refused_without_taking_a_turn(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    clock = FakeClock()
    with fetcher_with(clock, deadline_s=10) as fetcher:
        fetcher.get(httpserver.url_for("/a"), min_interval_s=8)
        fetcher.get(httpserver.url_for("/a"), min_interval_s=8)  # waits 8 s: within 10
        with pytest.raises(FetchError, match="not allowed before the deadline") as info:
            fetcher.get(httpserver.url_for("/a"), min_interval_s=8)  # would wait 16 s
        assert info.value.url == httpserver.url_for("/a")
        clock.now += 16
        fetcher.get(httpserver.url_for("/a"), min_interval_s=8)  # the refused call reserved nothing
    assert clock.sleeps == [8.0]
    assert len(httpserver.log) == 3


def test_retries_are_paced_too(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/busy").respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request("/busy").respond_with_data("ok")
    clock = FakeClock()
    with fetcher_with(clock) as fetcher:
        assert fetcher.get(httpserver.url_for("/busy"), min_interval_s=6).content == b"ok"
    # One backoff sleep (about 0.01 s) after the 429, then the pacing wait for the second attempt.
    assert len(clock.sleeps) == 2
    assert clock.sleeps[1] == pytest.approx(6.0)


def test_threads_share_one_schedule(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("ok")
    clock = FakeClock()
    with fetcher_with(clock, max_per_host=4) as fetcher, ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: fetcher.get(httpserver.url_for("/a"), min_interval_s=3), range(4)))
    # Four threads, one clock instant: every thread gets its own slot, none shares one.
    assert sorted(clock.sleeps) == [3.0, 6.0, 9.0]


def test_a_user_agent_can_be_given_per_request(httpserver: HTTPServer) -> None:
    mine = "python:vigie:0.1 (by /u/someone)"
    httpserver.expect_request("/ua", headers={"User-Agent": mine}).respond_with_data("mine")
    httpserver.expect_request("/ua").respond_with_data("default")
    clock = FakeClock()
    with fetcher_with(clock, user_agent="Vigie/test") as fetcher:
        assert fetcher.get(httpserver.url_for("/ua"), user_agent=mine).content == b"mine"
        assert fetcher.get(httpserver.url_for("/ua")).content == b"default"
    assert httpserver.log[1][0].headers["User-Agent"] == "Vigie/test"
