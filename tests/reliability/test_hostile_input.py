"""Hostile input: what a feed server, an API client or an imported file can throw at Vigie is refused or made
harmless, and each case records its figures.

Feeds: the real fetcher (httpx on real sockets) and the feed collector read tests/hostile_server.py's
``FeedServer`` on loopback, storing into a real SQLite store through ``collect_one`` (what `radar collect`
runs per source). The address guard stays on: the policy comes from default settings (``allow_private``
false) and the local server is reached only because those sources set ``allow_private = true``, the
product's per-source switch for an intranet feed. The SSRF and scheme cases fetch without it.
Memory is tracemalloc's peak over the one case (Python allocations, the fetcher's buffers included).

API: the app over a seeded store (tests/api_seed.py), through FastAPI's TestClient for the many small
requests and under uvicorn on a real socket for what only a server shows (bodies too large, huge URLs).
Dashboard: Streamlit's AppTest, then the real dashboard in headless Chromium (no dialog, no injected node).
"""

from __future__ import annotations

import base64
import gc
import json
import os
import re
import socket
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from collectors.fetcher import Fetcher, FetchPolicy
from radar.collect import SourceOutcome, collect_one
from radar.errors import FetchRefused
from radar.settings import Settings, SourceConfig
from radar.store import SqlStore, open_store
from tests.hostile_server import BILLION_LAUGHS, FeedServer, Route, drip, endless, gzip_bomb, xxe
from tests.test_dashboard_apptest import app_env  # noqa: F401 (a fixture: the app's radar, isolated)
from tests.test_dashboard_browser import browser, page, start_dashboard  # noqa: F401 (fixtures)

Record = Callable[..., None]
XML = {"Content-Type": "application/rss+xml"}
MB = 1024 * 1024


# -- shared pieces -----------------------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    value: Any = None
    error: Exception | None = None


def measured(run: Callable[[], Any]) -> Measured:
    """Run ``run`` once, timing it and tracing the peak of Python memory allocated meanwhile."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    value: Any = None
    error: Exception | None = None
    try:
        value = run()
    except Exception as exc:  # the caller asserts on it
        error = exc
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measured(round(seconds, 2), round(peak / MB, 1), value, error)


def guarded_settings(**overrides: Any) -> Settings:
    """Default fetch settings with the address guard on, whatever RADAR_* the environment holds."""
    settings = Settings(fetch_allow_private=False, **overrides)
    assert FetchPolicy.from_settings(settings).allow_private is False
    return settings


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'radar.sqlite3'}")
    yield opened
    opened.close()


def collect(store: SqlStore, url: str, name: str, settings: Settings | None = None) -> Measured:
    """``collect_one`` of a feed source at ``url`` (allow_private: it is on loopback); value: its outcome."""
    source = SourceConfig(name=name, url=url, allow_private=True)
    store.sync_sources([(name, "feed", url)])
    with Fetcher(FetchPolicy.from_settings(settings or guarded_settings())) as fetcher:
        result = measured(lambda: collect_one(store, source, fetcher))
    assert result.error is None, f"collect_one raised {result.error!r}: a source's failure must be recorded"
    assert isinstance(result.value, SourceOutcome)
    return result


def stored_titles(store: SqlStore) -> list[str]:
    with store.engine.connect() as conn:
        return [str(title) for (title,) in conn.execute(text("SELECT title FROM items")).all()]


def stored_texts(store: SqlStore) -> list[str]:
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT title, text, author, guid, url FROM items")).all()
    return [" ".join(str(value) for value in row if value) for row in rows]


def recorded_error(store: SqlStore, name: str) -> str:
    state = store.source_state(name)
    assert state is not None and state.last_error, f"no error recorded for {name}"
    return state.last_error


def counting(body: Callable[[], Iterator[bytes]], sent: list[int]) -> Callable[[], Iterator[bytes]]:
    """``body`` whose bytes handed to the socket are added up in ``sent[0]``."""

    def generate() -> Iterator[bytes]:
        for chunk in body():
            yield chunk
            sent[0] += len(chunk)

    return generate


def settled(sent: list[int], quiet_s: float = 0.5, limit_s: float = 10.0) -> int:
    """``sent[0]`` once the server has stopped writing (the client hung up) for ``quiet_s``."""
    deadline = time.monotonic() + limit_s
    last = -1
    while time.monotonic() < deadline and sent[0] != last:
        last = sent[0]
        time.sleep(quiet_s)
    return sent[0]


# -- 1. entity bombs and external entities ------------------------------------------------------------------


def test_billion_laughs_is_not_expanded(server: FeedServer, store: SqlStore, reliability: Record) -> None:
    url = server.route("/laughs", Route(BILLION_LAUGHS, headers=XML))
    run = collect(store, url, "laughs")
    texts = stored_texts(store)
    longest = max((len(t) for t in texts), default=0)
    outcome: SourceOutcome = run.value
    # Nine levels of ten "lol"s: 3 GB once expanded. Nothing near that may be built or stored.
    assert longest < 1000 and not any("lollol" in t for t in texts), texts
    assert run.peak_mb < 50 and run.seconds < 10
    what = (
        f"refused: {outcome.error}"
        if outcome.error
        else f"read with the entity left unexpanded: {outcome.new_items} item stored, titled "
        f"{stored_titles(store)[0][:40]!r}, longest stored text {longest} chars (feedparser drops DTD "
        "entities that nest others)"
    )
    reliability(
        "Billion-laughs XML feed (9 nested entities, 10^9 'lol' = 3 GB if expanded)",
        what,
        seconds=run.seconds,
        peak_traced_mb=run.peak_mb,
        body_bytes=len(BILLION_LAUGHS),
        items_stored=len(texts),
        longest_stored_chars=longest,
    )


def test_quadratic_blowup_is_not_expanded(server: FeedServer, store: SqlStore, reliability: Record) -> None:
    # One 100 KB entity referenced 30,000 times: 3 GB from a 190 KB body, no nesting needed.
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "' + b"x" * 100_000 + b'">]>'
        b'<rss version="2.0"><channel><title>q</title><item><title>quad</title><description>'
        + b"&a;" * 30_000
        + b"</description><link>http://e.example/quad</link></item></channel></rss>"
    )
    url = server.route("/quadratic", Route(body, headers=XML))
    run = collect(store, url, "quadratic")
    texts = stored_texts(store)
    longest = max((len(t) for t in texts), default=0)
    assert longest < 200_000 and run.peak_mb < 100 and run.seconds < 10
    outcome: SourceOutcome = run.value
    reliability(
        "Quadratic-blowup XML feed (one 100 KB entity used 30,000 times: 3 GB if expanded)",
        f"not expanded: {outcome.error or f'{outcome.new_items} item stored, longest text {longest} chars'} "
        "(expat's amplification limit stops the strict parse; the lenient one ignores the DTD)",
        seconds=run.seconds,
        peak_traced_mb=run.peak_mb,
        body_bytes=len(body),
        longest_stored_chars=longest,
    )


def test_external_entities_read_nothing(
    server: FeedServer, store: SqlStore, tmp_path: Path, reliability: Record
) -> None:
    marker = f"VIGIE-SECRET-{uuid.uuid4().hex}"
    secret = tmp_path / "secret.txt"
    secret.write_text(marker + "\n", encoding="utf-8")
    server.route("/xxe-target", Route(marker.encode(), headers={"Content-Type": "text/plain"}))
    # A parameter entity loading an external DTD that would define &leak; from the file (out-of-band XXE).
    server.route(
        "/evil.dtd",
        Route(
            f'<!ENTITY leak SYSTEM "file://{secret}">'.encode(), headers={"Content-Type": "application/xml"}
        ),
    )
    parameter = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % dtd SYSTEM "{server.url("/evil.dtd")}"> %dtd;]>'
        '<rss version="2.0"><channel><title>p</title><item><title>leak: &leak;</title>'
        "<link>http://example.com/xxe/param</link></item></channel></rss>"
    ).encode()
    feeds = {
        "xxe-file": xxe(f"file://{secret}", "file"),
        "xxe-http": xxe(server.url("/xxe-target"), "http"),
        "xxe-param": parameter,
    }
    runs = {
        name: collect(store, server.route(f"/{name}", Route(body, headers=XML)), name)
        for name, body in feeds.items()
    }
    texts = stored_texts(store)
    assert not any(marker in t for t in texts), "an external entity's content reached a stored item"
    assert server.hits["/xxe-target"] == 0 and server.hits["/evil.dtd"] == 0, dict(server.hits)
    outcomes = {name: run.value for name, run in runs.items()}
    reliability(
        "XXE feeds: an external entity naming a local secret file, one naming an http URL, and a "
        "parameter entity loading a remote DTD",
        "no entity resolved: the secret is in no stored item, the http targets got 0 requests; "
        + "; ".join(
            f"{name}: {o.error or f'{o.new_items} item stored with the entity unexpanded'}"
            for name, o in outcomes.items()
        ),
        seconds=round(sum(run.seconds for run in runs.values()), 2),
        peak_traced_mb=max(run.peak_mb for run in runs.values()),
        items_stored=len(texts),
        secret_leaks=0,
        entity_fetches=server.hits["/xxe-target"] + server.hits["/evil.dtd"],
    )


# -- 2-5. bombs, endless bodies, drips, redirect loops ---------------------------------------------------


def test_gzip_bomb_is_refused_within_the_cap(
    server: FeedServer, store: SqlStore, reliability: Record
) -> None:
    bomb = gzip_bomb(256 * MB)
    url = server.route("/bomb", Route(bomb, headers={**XML, "Content-Encoding": "gzip"}))
    settings = guarded_settings()
    run = collect(store, url, "bomb", settings)
    error = recorded_error(store, "bomb")
    cap = settings.fetch_max_bytes
    assert "larger than" in error and str(cap) in error, error
    # The body is inflated at most up to the cap, never whole: memory stays near one cap.
    assert run.peak_mb < 3 * cap / MB, f"peak {run.peak_mb} MB"
    reliability(
        "Gzip bomb: 256 MiB of zeros in a gzip body (Content-Encoding: gzip)",
        f"refused at the size cap, recorded as {error!r}; decompressed only up to the cap",
        seconds=run.seconds,
        peak_traced_mb=run.peak_mb,
        compressed_bytes=len(bomb),
        decompressed_bytes_if_read=256 * MB,
        cap_bytes=cap,
    )


def test_endless_response_stops_at_the_cap(server: FeedServer, store: SqlStore, reliability: Record) -> None:
    sent = [0]
    url = server.route("/gigabyte", Route(counting(endless(total=1024 * MB), sent), headers=XML))
    settings = guarded_settings()
    run = collect(store, url, "gigabyte", settings)
    total = settled(sent)
    error = recorded_error(store, "gigabyte")
    cap = settings.fetch_max_bytes
    assert "larger than" in error, error
    # What the server got to write: the cap, one read beyond it and what the socket buffers held.
    assert total < cap + 16 * MB, f"the server wrote {total} bytes"
    assert run.peak_mb < 3 * cap / MB and run.seconds < 15
    reliability(
        "1 GiB response streamed with no Content-Length",
        f"stopped at the size cap and recorded as {error!r}; the connection was dropped",
        seconds=run.seconds,
        peak_traced_mb=run.peak_mb,
        bytes_sent_by_server=total,
        cap_bytes=cap,
        body_bytes_offered=1024 * MB,
    )

    declared = [0]
    claims = {**XML, "Content-Length": str(1024 * MB)}
    url = server.route(
        "/claims-gigabyte", Route(counting(endless(total=1024 * MB), declared), headers=claims)
    )
    run = collect(store, url, "claims-gigabyte", settings)
    total = settled(declared)
    error = recorded_error(store, "claims-gigabyte")
    assert "larger than" in error and total < 16 * MB, (error, total)
    reliability(
        "1 GiB response that declares its Content-Length",
        f"refused from the header before reading the body: {error!r}",
        seconds=run.seconds,
        peak_traced_mb=run.peak_mb,
        bytes_sent_by_server=total,
        cap_bytes=cap,
    )


def test_slow_drip_is_cut_at_the_deadline(server: FeedServer, store: SqlStore, reliability: Record) -> None:
    deadline_s = 3.0
    # The read timeout stays above the drip's interval: only the total deadline can cut it.
    settings = guarded_settings(fetch_deadline_s=deadline_s, fetch_timeout_s=10.0)
    url = server.route("/drip", Route(drip(0.5, limit_s=60), headers=XML))
    run = collect(store, url, "drip", settings)
    error = recorded_error(store, "drip")
    assert "deadline" in error, error
    assert deadline_s <= run.seconds < deadline_s + 3, run.seconds
    reliability(
        "Slow-drip server: one byte every 0.5 s (a 60 s body), fetch deadline 3 s, read timeout 10 s",
        f"cut by the deadline after {run.seconds:.1f} s, recorded as {error!r}",
        seconds=run.seconds,
        deadline_s=deadline_s,
        peak_traced_mb=run.peak_mb,
    )


def test_redirect_loops_and_chains_are_refused(
    server: FeedServer, store: SqlStore, reliability: Record
) -> None:
    server.route("/loop-a", Route(status=302, headers={"Location": "/loop-b"}))
    server.route("/loop-b", Route(status=302, headers={"Location": server.url("/loop-a")}))
    limit = FetchPolicy.from_settings(guarded_settings()).max_redirects
    for n in range(limit + 3):
        server.route(f"/hop-{n}", Route(status=301, headers={"Location": f"/hop-{n + 1}"}))
    loop = collect(store, server.url("/loop-a"), "loop")
    chain = collect(store, server.url("/hop-0"), "chain")
    loop_error, chain_error = recorded_error(store, "loop"), recorded_error(store, "chain")
    assert "redirect loop" in loop_error, loop_error
    assert f"more than {limit} redirects" in chain_error, chain_error
    loop_requests = server.hits["/loop-a"] + server.hits["/loop-b"]
    chain_requests = sum(count for path, count in server.hits.items() if path.startswith("/hop-"))
    assert loop_requests == 2 and chain_requests == limit + 1, dict(server.hits)
    reliability(
        f"Redirect loop (a -> b -> a) and a chain of {limit + 3} redirects",
        f"loop refused on its first repeat ({loop_error!r}); chain refused after the limit ({chain_error!r})",
        seconds=round(loop.seconds + chain.seconds, 2),
        loop_requests=loop_requests,
        chain_requests=chain_requests,
        max_redirects=limit,
    )


# -- 6-7. server-side request forgery and schemes ------------------------------------------------------------


class Recording(httpx.BaseTransport):
    """A transport standing in for the internet: ``public.example`` redirects to ``target``."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        return httpx.Response(302, headers={"Location": self.target})


def test_private_addresses_are_refused(server: FeedServer, reliability: Record) -> None:
    server.route("/feed", Route(b"<rss/>", headers=XML))
    port = server.port
    urls = {
        f"http://127.0.0.1:{port}/feed": "loopback",
        f"http://localhost:{port}/feed": "loopback",  # a name that resolves to loopback (real resolver)
        f"http://127.1:{port}/feed": "loopback",  # short, decimal, hex and octal forms of 127.0.0.1
        f"http://2130706433:{port}/feed": "loopback",
        f"http://0x7f000001:{port}/feed": "loopback",
        f"http://017700000001:{port}/feed": "loopback",
        f"http://user@127.0.0.1:{port}/feed": "loopback",
        f"http://0.0.0.0:{port}/feed": "private",  # 0.0.0.0/8 ("this network"); Linux connects it locally
        f"http://[::1]:{port}/feed": "loopback",
        f"http://[::ffff:127.0.0.1]:{port}/feed": "loopback",
        "http://10.0.0.1/": "private",
        "http://172.16.5.4/": "private",
        "http://192.168.1.1/admin": "private",
        "http://100.64.0.1/": "non-public",
        "http://169.254.10.10/": "link-local",
        "http://169.254.169.254/latest/meta-data/iam/": "cloud metadata",
        "http://[fd00:ec2::254]/latest/meta-data/": "cloud metadata",
        "http://[fe80::1]/": "link-local",
        "http://[fd12:3456:789a::1]/": "private",
        "http://[fc00::1]/": "private",
    }
    refused: dict[str, str] = {}
    started = time.perf_counter()
    with Fetcher(FetchPolicy.from_settings(guarded_settings())) as fetcher:
        for url, kind in urls.items():
            with pytest.raises(FetchRefused) as caught:
                fetcher.get(url)
            message = str(caught.value)
            assert f"is a {kind} address" in message and "refused" in message, (url, message)
            # The way out is named only where it works: allow_private never opens a metadata address.
            assert ("set allow_private" in message) == (kind != "cloud metadata"), message
            refused[url] = message
    # A name whose DNS answer is private (the fetcher's resolver seam plays the DNS server).
    answers = {"intranet.example": ["93.184.216.34", "10.1.2.3"]}
    with Fetcher(
        FetchPolicy.from_settings(guarded_settings()), resolve=lambda host, _: answers[host]
    ) as fetcher:
        with pytest.raises(FetchRefused, match="10.1.2.3 is a private address"):
            fetcher.get("https://intranet.example/feed")
    # A public-looking URL redirecting to the metadata address and to a private one: the hop is refused
    # before any request is sent to it.
    hops = []
    for target in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/admin"):
        transport = Recording(target)
        with Fetcher(
            FetchPolicy.from_settings(guarded_settings()),
            transport=transport,
            resolve=lambda host, _: ["93.184.216.34"],
        ) as fetcher:
            with pytest.raises(FetchRefused) as caught:
                fetcher.get("https://public.example/feed")
        assert transport.requests == ["https://public.example/feed"], transport.requests
        hops.append(str(caught.value))
    seconds = time.perf_counter() - started
    assert server.hits["/feed"] == 0, "a refused URL reached the local server"
    reliability(
        "SSRF with the address guard on: loopback (incl. localhost, 127.1, decimal/hex/octal, ::1, "
        "::ffff:127.0.0.1), 0.0.0.0, 10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, metadata "
        "169.254.169.254 and fd00:ec2::254, fe80::/10, ULA fc00::/7, a name resolving to 10.1.2.3, and "
        "public URLs redirecting to the metadata address and to 10.0.0.7",
        f"all {len(urls) + 1 + len(hops)} refused before connecting, each naming the host and the kind of "
        f"address, e.g. {refused[f'http://localhost:{port}/feed']!r} and, for the redirect, {hops[0]!r}; "
        "the local server got 0 requests",
        seconds=round(seconds, 2),
        urls_tried=len(urls) + 1 + len(hops),
        refused=len(refused) + 1 + len(hops),
        requests_reaching_private_hosts=server.hits["/feed"],
    )


def test_other_schemes_are_refused(server: FeedServer, store: SqlStore, reliability: Record) -> None:
    urls = [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "ftp://example.com/feed.xml",
        "gopher://example.com:70/1",
        "data:application/rss+xml,<rss/>",
        "javascript:alert(1)",
        "dict://127.0.0.1:6379/info",
        "ldap://example.com/",
        "sftp://example.com/feed",
        "ws://example.com/feed",
        "jar:http://example.com/a.jar!/feed.xml",
        "//example.com/feed.xml",
        "feed.xml",
    ]
    started = time.perf_counter()
    messages = []
    with Fetcher(FetchPolicy.from_settings(guarded_settings())) as fetcher:
        for url in urls:
            with pytest.raises(FetchRefused, match="scheme .* is not allowed; only http and https") as caught:
                fetcher.get(url)
            messages.append(str(caught.value))
    # In configuration: sources.toml (and `radar sources add`, the API) only take http(s) URLs.
    config_refusals = 0
    for url in urls[:6]:
        with pytest.raises(ValueError, match="is not an http"):
            SourceConfig(name="s", url=url)
        config_refusals += 1
    # A feed that redirects to file:// or gopher://: the hop is refused like a first URL.
    server.route("/to-file", Route(status=302, headers={"Location": "file:///etc/passwd"}))
    server.route("/to-gopher", Route(status=301, headers={"Location": "gopher://127.0.0.1:6379/_INFO"}))
    hops = [
        collect(store, server.url(path), name)
        for path, name in (("/to-file", "to-file"), ("/to-gopher", "to-gopher"))
    ]
    hop_errors = [recorded_error(store, name) for name in ("to-file", "to-gopher")]
    assert all("is not allowed" in error for error in hop_errors), hop_errors
    assert "root:" not in " ".join(stored_texts(store) + hop_errors)
    seconds = time.perf_counter() - started
    reliability(
        "Other schemes: file, ftp, gopher, data, javascript, dict, ldap, sftp, ws, jar, scheme-relative and "
        "bare paths, as a fetch, in sources config, and as a redirect target",
        f"all {len(urls)} fetches refused ({messages[0]!r}); {config_refusals} refused as config; "
        f"redirects to file:// and gopher:// refused at the hop ({hop_errors[0]!r})",
        seconds=round(seconds, 2),
        urls_tried=len(urls),
        refused=len(messages),
        config_refused=config_refusals,
        redirect_hops_refused=len(hops),
    )


# -- 9-11. the API: malformed and oversized requests, SQL-looking text, path traversal -----------------------


@dataclass
class Api:
    client: Any  # fastapi.testclient.TestClient
    radar: Any
    read: dict[str, str]
    admin: dict[str, str]
    home: Path


def _home(root: Path) -> Path:
    from tests.api_seed import BRAND

    home = root / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.toml").write_text("[radar]\n", encoding="utf-8")
    (home / "config" / "sources.toml").write_text("", encoding="utf-8")
    (home / "config" / "brand.toml").write_text(BRAND, encoding="utf-8")  # placements: the value filter
    return home


@contextmanager
def seeded_api(home: Path, env: dict[str, str]) -> Iterator[Api]:
    from fastapi.testclient import TestClient

    from radar.api.app import create_app
    from tests.api_seed import Keys, make_test_radar, seed

    radar = make_test_radar(home, {"RADAR_API_RATE_LIMIT": "0", **env})
    try:
        seed(radar)
        keys = Keys(radar)
        # Server errors come back as responses (the 500 problem), so that a test can count them.
        with TestClient(create_app(radar=radar), raise_server_exceptions=False) as client:
            yield Api(client, radar, keys.auth(keys.read), keys.auth(keys.admin), home)
    finally:
        radar.close()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with seeded_api(_home(tmp_path_factory.mktemp("api")), {}) as opened:
        yield opened


def is_problem(response: Any) -> bool:
    return response.headers.get("content-type", "").startswith("application/problem+json")


def _cursor(raw: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


TRIAGE = "/api/v1/topics/t-thrift/triage"


def test_malformed_requests_get_a_4xx_problem_naming_the_parameter(api: Api, reliability: Record) -> None:
    get = "GET"
    # (method, path, request options, key, expected status, words the detail must contain)
    cases: list[tuple[str, str, dict[str, Any], str, int, tuple[str, ...]]] = [
        (get, "/api/v1/topics", {"params": {"q": "a" * 60_000}}, "read", 422, ("q",)),
        (get, "/api/v1/topics", {"params": {"limit": "-1"}}, "read", 422, ("limit",)),
        (get, "/api/v1/topics", {"params": {"limit": "9" * 40}}, "read", 422, ("limit",)),
        (get, "/api/v1/topics", {"params": {"limit": "ten"}}, "read", 422, ("limit",)),
        (get, "/api/v1/topics", {"params": {"cursor": "%%%not-base64"}}, "read", 422, ("cursor",)),
        (
            get,
            "/api/v1/topics",
            {"params": {"cursor": _cursor({"r": "x", "s": "rank", "k": [1]})}},
            "read",
            422,
            ("cursor",),
        ),
        (
            get,
            "/api/v1/topics",
            {"params": {"cursor": _cursor({"r": 2, "s": "rank", "d": True, "k": [[], {}, 3]})}},
            "read",
            422,
            ("cursor",),
        ),
        (get, "/api/v1/topics", {"params": {"cursor": "A" * 600}}, "read", 422, ("cursor",)),
        (get, "/api/v1/topics", {"params": {"since": "2026-13-45"}}, "read", 422, ("since",)),
        (get, "/api/v1/topics", {"params": {"since": "0.5"}}, "read", 422, ("since",)),
        (get, "/api/v1/topics", {"params": {"until": "99999-01-01"}}, "read", 422, ("until",)),
        (get, "/api/v1/topics", {"params": {"state": "bogus"}}, "read", 422, ("state",)),
        (get, "/api/v1/topics", {"params": {"sort": "label; DROP TABLE topics"}}, "read", 422, ("sort",)),
        (get, "/api/v1/topics", {"params": {"stat": "weak"}}, "read", 422, ("stat",)),
        (get, "/api/v1/topics", {"params": {"profile": "../../etc"}}, "read", 422, ("profile",)),
        (get, "/api/v1/topics/" + "x" * 300, {}, "read", 422, ("topic_id",)),
        (get, "/api/v1/search", {"params": {"q": ""}}, "read", 422, ("q",)),
        (get, "/api/v1/search", {"params": {"q": "x", "items": "-5"}}, "read", 422, ("items",)),
        (get, "/api/v1/exports/items", {"params": {"since": "2026-11-01T00:00:00"}}, "read", 422, ("since",)),
        (get, "/api/v1/exports/items", {"params": {"until": "yesterday"}}, "read", 422, ("until",)),
        (get, "/api/v1/deltas", {"params": {"since_run": "-1"}}, "read", 422, ("since_run",)),
        (get, "/api/v1/deltas", {"params": {"since_run": "9" * 20}}, "read", 422, ("since_run",)),
        (get, "/api/v1/alerts", {"params": {"limit": "0"}}, "read", 422, ("limit",)),
        (get, "/api/v1/triage", {"params": {"status": "all"}}, "read", 422, ("status",)),
        (get, "/api/v1/backtests/not-a-job-id", {}, "read", 422, ("job_id",)),
        ("POST", TRIAGE, {"content": b'{"action": ', "headers": JSON_TYPE}, "read", 422, ("body", "JSON")),
        ("POST", TRIAGE, {"json": {"action": 5, "note": []}}, "read", 422, ("body.action", "body.note")),
        ("POST", TRIAGE, {"json": {"action": "dismiss", "note": "x" * 5000}}, "read", 422, ("body.note",)),
        ("POST", TRIAGE, {"json": [1, 2, 3]}, "read", 422, ("body",)),
        (
            "POST",
            TRIAGE,
            {"content": b'{"action": "watch"}', "headers": {"Content-Type": "text/plain"}},
            "read",
            422,
            ("body",),
        ),
        # 300,000 levels of nesting: the JSON parser's recursion limit, answered 400, not 500.
        (
            "POST",
            TRIAGE,
            {"content": b"[" * 300_000 + b"]" * 300_000, "headers": JSON_TYPE},
            "read",
            400,
            ("body",),
        ),
        (
            "POST",
            "/api/v1/sources",
            {"json": {"name": "../../etc", "url": "http://x.example/"}},
            "admin",
            422,
            ("body.name",),
        ),
        (
            "POST",
            "/api/v1/sources",
            {"json": {"name": "ok", "url": "file:///etc/passwd"}},
            "admin",
            422,
            ("url", "http"),
        ),
        ("POST", "/api/v1/sources", {"json": {"name": "ok", "url": 12}}, "admin", 422, ("body.url",)),
        (
            "POST",
            "/api/v1/sources",
            {"json": {"name": "ok", "url": "http://x.example/", "tags": ["t"] * 1000}},
            "admin",
            422,
            ("body.tags",),
        ),
        ("DELETE", "/api/v1/sources/" + "a" * 100, {}, "admin", 422, ("name",)),
        # Bodies: 900 KB passes the size limit and fails validation; 2 MiB is refused by size.
        ("POST", TRIAGE, {"json": {"action": "watch", "note": "n" * 900_000}}, "read", 422, ("body.note",)),
        (
            "POST",
            "/api/v1/sources",
            {
                "content": b'{"name": "big", "url": "http://x.example/' + b"a" * 2 * MB + b'"}',
                "headers": JSON_TYPE,
            },
            "admin",
            413,
            ("larger than 1 MiB",),
        ),
        ("POST", "/api/v1/backtests", {"json": {"items": "x"}}, "admin", 422, ("body.items",)),
        (
            "POST",
            "/api/v1/backtests",
            {"files": {"items": ("i.jsonl", b"{}\n")}, "data": {"every_days": "-1"}},
            "admin",
            422,
            ("every_days",),
        ),
        (
            "POST",
            "/api/v1/backtests",
            {"files": {"items": ("i.jsonl", b"{}\n")}, "data": {"start": "2026-02-30"}},
            "admin",
            422,
            ("start",),
        ),
        (
            "POST",
            "/api/v1/backtests",
            {"files": {"items": ("i.jsonl", b"{}\n")}, "data": {"every_day": "3"}},
            "admin",
            422,
            ("every_day",),
        ),
        (
            "POST",
            "/api/v1/backtests",
            {"files": {"items": ("i.jsonl", b"{}\n")}, "data": {"start": "2026-05-01", "end": "2026-01-01"}},
            "admin",
            422,
            ("end",),
        ),
    ]
    problems = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    for method, path, options, key, status, words in cases:
        headers = {**(api.read if key == "read" else api.admin), **options.pop("headers", {})}
        response = api.client.request(method, path, headers=headers, **options)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        detail = response.json().get("detail", "") if is_problem(response) else response.text[:200]
        if response.status_code != status or not is_problem(response) or not all(w in detail for w in words):
            problems.append(f"{method} {path[:60]} {options}: {response.status_code} {detail[:300]!r}")
    seconds = time.perf_counter() - started
    assert not problems, "\n".join(problems)
    reliability(
        "Malformed API requests: 60 KB query string, negative/huge/non-numeric limits, forged and oversized "
        "cursors, invalid dates and numbers as dates, unknown enum values and parameters, 300-char path ids, "
        "invalid JSON, wrong types, JSON 300,000 levels deep, wrong content type, a 900 KB note, a 2 MiB "
        "source, bad source names and URLs, bad backtest forms",
        f"all {len(cases)} answered 4xx problem+json naming the parameter (e.g. 'invalid request: "
        "query.limit: Input should be greater than or equal to 1'), the 2 MiB body 413; no 5xx",
        seconds=round(seconds, 2),
        requests=len(cases),
        status_422=statuses.get(422, 0),
        status_400=statuses.get(400, 0),
        status_413=statuses.get(413, 0),
        status_5xx=sum(n for code, n in statuses.items() if code >= 500),
    )


JSON_TYPE = {"Content-Type": "application/json"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def raw_request(port: int, head: bytes, chunks: Iterator[bytes], timeout_s: float = 10) -> tuple[int, bytes]:
    """Send ``head`` then body chunks until the server answers or hangs up; (body bytes sent, response)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
    sent = 0
    answer = b""
    try:
        sock.sendall(head)
        sock.setblocking(False)
        for chunk in chunks:
            try:
                answer += sock.recv(65536)
                break  # the server answered (or closed: b"") before the body was all sent
            except BlockingIOError:
                pass
            try:
                sock.setblocking(True)
                sock.settimeout(timeout_s)
                sock.sendall(chunk)
                sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            finally:
                sock.setblocking(False)
        sock.setblocking(True)
        sock.settimeout(timeout_s)
        while True:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass  # the server reset a connection whose body it refused to read: the answer came before
    finally:
        sock.close()
    return sent, answer


def answered(port: int, head: bytes, chunks: Callable[[], Iterator[bytes]]) -> tuple[int, bytes]:
    """``raw_request``, tried up to twice more when no answer came back: a server that hangs up on a body it
    will not read may reset the connection before the client has read its answer (a server that reads the
    whole body never answers within the timeout, three times over)."""
    for _ in range(3):
        sent, answer = raw_request(port, head, chunks())
        if answer:
            break
    return sent, answer


def _head(request: str, headers: str, credentials: bytes) -> bytes:
    """A raw HTTP/1.1 request head: ``request`` (method and target), Host, ``headers`` (CRLF-ended lines),
    then the credentials' header lines."""
    return f"{request} HTTP/1.1\r\nHost: t\r\n{headers}".encode() + credentials + b"\r\n"


def test_oversized_requests_on_a_real_server(api: Api, reliability: Record) -> None:
    from radar.api.app import create_app
    from radar.servers import ApiServer

    port = _free_port()
    server = ApiServer(create_app(radar=api.radar), "127.0.0.1", port).start()
    auth = "".join(f"{name}: {value}\r\n" for name, value in api.read.items()).encode()
    admin = "".join(f"{name}: {value}\r\n" for name, value in api.admin.items()).encode()
    try:
        # 1 GiB declared on a JSON route: answered from the header; 10 MB offered, the rest never sent.
        head = _head(
            f"POST {TRIAGE}", f"Content-Type: application/json\r\nContent-Length: {1024 * MB}\r\n", auth
        )
        declared = measured(lambda: answered(port, head, lambda: iter([b"x" * 65536] * 160)))
        declared_sent, declared_answer = declared.value
        # The same with no length (chunked): counted as it arrives, refused once past 1 MiB.
        head = _head(
            f"POST {TRIAGE}", "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n", auth
        )
        chunk = b"10000\r\n" + b"x" * 65536 + b"\r\n"
        chunked = measured(lambda: answered(port, head, lambda: iter([chunk] * 16_000)))
        chunked_sent, chunked_answer = chunked.value
        # A backtest upload declaring 600 MiB (over the 512 MiB cap): refused before any of it is spooled.
        head = _head(
            "POST /api/v1/backtests",
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {600 * MB}\r\n",
            admin,
        )
        upload = measured(lambda: answered(port, head, lambda: iter([b"x" * 65536] * 160)))
        upload_sent, upload_answer = upload.value
        # Query strings past what the HTTP parser takes, then one the route refuses by name.
        long_urls = {}
        for size in (100_000, 1_000_000):
            head = _head(f"GET /api/v1/topics?q={'a' * size}", "", auth)
            _, answer = raw_request(port, head, iter(()))
            long_urls[size] = answer
        named = httpx.get(f"{server.url}/api/v1/topics", params={"q": "a" * 20_000}, headers=api.read)
        alive = httpx.get(f"{server.url}/health").status_code
    finally:
        server.stop()
    for answer in (declared_answer, chunked_answer, upload_answer):
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:300]
        assert b"application/problem+json" in answer and b"larger than" in answer, answer[:400]
    assert b"512 MiB" not in declared_answer and b"513 MiB" in upload_answer
    assert declared_sent < 16 * MB and upload_sent < 16 * MB, (declared_sent, upload_sent)
    assert chunked_sent < 16 * MB, chunked_sent
    assert declared.peak_mb < 20 and chunked.peak_mb < 20, (declared.peak_mb, chunked.peak_mb)
    for size, answer in long_urls.items():
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
        assert 400 <= status < 500 or answer == b"", (size, answer[:300])
    assert named.status_code == 422 and "query.q" in named.json()["detail"] and alive == 200
    statuses = {
        size: (answer.split(b"\r\n", 1)[0].decode() or "connection closed")
        for size, answer in long_urls.items()
    }
    reliability(
        "Oversized requests to the API under uvicorn: JSON body declaring 1 GiB, chunked JSON body without "
        "length, 600 MiB backtest upload, 100 KB and 1 MB query strings",
        "413 problem+json before the body is read (JSON routes take 1 MiB, uploads 513 MiB; the connection "
        f"is closed); long URLs: {statuses[100_000]} and {statuses[1_000_000]}; a 20 KB q answered 422 "
        "naming query.q; the server stayed up",
        declared_body_bytes_sent=declared_sent,
        declared_seconds=declared.seconds,
        chunked_body_bytes_sent=chunked_sent,
        chunked_seconds=chunked.seconds,
        chunked_peak_traced_mb=chunked.peak_mb,
        upload_body_bytes_sent=upload_sent,
        json_body_limit_bytes=MB,
    )


COUNTED_TABLES = ("items", "sources", "topics", "topic_states", "topic_items", "runs", "api_keys", "triage")


def table_counts(radar: Any) -> dict[str, int]:
    with radar.store.engine.connect() as conn:
        return {
            name: int(conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one())
            for name in COUNTED_TABLES
        }


SQL_LIKE = [
    "' OR 1=1 --",
    '"; DROP TABLE items; --',
    "') OR ('1'='1",
    "%",
    "_",
    "%%",
    "\\",
    "t-%",
    "1; SELECT pg_sleep(5)",
]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sql_looking_text_is_only_text(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, reliability: Record
) -> None:
    from radar.domain import Item
    from radar.retention import forget
    from tests.api_seed import T0

    env = {"RADAR_DATABASE_URL": request.getfixturevalue("pg_url")} if backend == "postgresql" else {}
    with seeded_api(_home(tmp_path), env) as api:
        api.radar.store.add_items(
            [
                Item(
                    id="ann",
                    source="alpha",
                    url="https://alpha.example/ann",
                    title="by Ann",
                    text="x",
                    published_at=T0,
                    fetched_at=T0,
                    author="Ann O'Neil",
                )
            ]
        )
        before = table_counts(api.radar)
        started = time.perf_counter()
        answers: list[tuple[str, int, Any]] = []

        def call(method: str, path: str, **options: Any) -> Any:
            response = api.client.request(method, path, headers=api.read, **options)
            answers.append((f"{method} {path} {options}", response.status_code, response))
            return response

        for needle in SQL_LIKE:
            # Filters and search: literal text, so nothing matches (no label holds these characters).
            listed = call("GET", "/api/v1/topics", params={"q": needle})
            assert listed.status_code == 200 and listed.json()["count"] == 0, (needle, listed.text[:300])
            placed = call("GET", "/api/v1/topics", params={"value": needle})
            assert placed.status_code == 200 and placed.json()["count"] == 0, (needle, placed.text[:300])
            assert call("GET", "/api/v1/search", params={"q": needle}).status_code == 200
            # Pattern-checked parameters: refused (422), or, when the pattern lets them by ("_", "t-%"
            # is not), compared as equal text: no rows.
            export = call("GET", "/api/v1/exports/items", params={"topic_id": needle, "format": "jsonl"})
            assert export.status_code == 422 or (export.status_code == 200 and export.text == ""), needle
            for path, params in (
                ("/api/v1/triage", {"status": needle}),
                ("/api/v1/topics", {"lang": needle}),
            ):
                answer = call("GET", path, params=params)
                assert answer.status_code == 422 or answer.json()["count"] == 0, (path, needle, answer.text)
        sanity = call("GET", "/api/v1/topics", params={"q": "thrift"}).json()["count"]
        # A note is stored and given back verbatim.
        note = "'); DROP TABLE triage; -- %_"
        assert call("POST", TRIAGE, json={"action": "watch", "note": note}).status_code == 200
        assert call("GET", TRIAGE).json()["current"]["note"] == note
        # Removal requests (radar forget): wildcards and quotes match no author and no URL.
        matched = sum(
            len(forget(api.radar.store, authors=[needle])[0]) + len(forget(api.radar.store, urls=[needle])[0])
            for needle in SQL_LIKE
        )
        after = table_counts(api.radar)
        ann = forget(api.radar.store, authors=["ANN O'NEIL"])[0]  # the real name, any case: found
        seconds = time.perf_counter() - started
    server_errors = [(what, status) for what, status, _ in answers if status >= 500]
    assert not server_errors, server_errors
    assert sanity == 1 and matched == 0 and ann == ["ann"], (sanity, matched, ann)
    assert after == {**before, "triage": before["triage"] + 1}, (before, after)
    reliability(
        f"SQL-looking text on {backend}: {len(SQL_LIKE)} strings (' OR 1=1 --, \"; DROP TABLE items; --, "
        "%, _, backslash, pg_sleep...) as topic filters, value filter, semantic search, export and triage "
        "filters, a triage note, and `radar forget` authors and URLs",
        "filters matched nothing (wildcards taken literally; 'thrift' still finds 1); pattern-checked "
        "parameters answered 422 or, where the pattern admits the string ('_'), matched nothing; the note "
        "came back verbatim; forget matched 0 items (then 1 for the real author in another case); row "
        "counts unchanged but the one triage row",
        seconds=round(seconds, 2),
        requests=len(answers),
        status_5xx=len(server_errors),
        wildcard_or_injection_matches=matched,
        rows_changed_unexpectedly=sum(abs(after[k] - before[k]) for k in before if k != "triage"),
    )


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def test_path_traversal_is_refused(api: Api, tmp_path: Path, reliability: Record) -> None:
    from radar.api.app import create_app
    from radar.backup import backup, restore
    from radar.errors import StoreError
    from radar.importer import import_file
    from radar.opml import parse_opml
    from radar.servers import ApiServer

    started = time.perf_counter()
    # A backtest uploaded under a file name that climbs out of its folder: the name is never used.
    escape_to = tmp_path / f"escaped-{uuid.uuid4().hex}.jsonl"
    climb = "../" * (len(escape_to.parents) + 2) + str(escape_to).lstrip("/")
    lines = b'{"not": "an item"}\n' * 3  # no valid item: the job finishes at once
    job = api.client.post(
        "/api/v1/backtests", headers=api.admin, files={"items": (climb, lines)}, data={"every_days": "7"}
    )
    assert job.status_code == 202, job.text
    job_id = job.json()["id"]
    folder = api.home / "backtests" / job_id
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == ["items.jsonl"]
    assert not escape_to.exists()
    deadline = time.monotonic() + 120
    while api.client.get(f"/api/v1/backtests/{job_id}", headers=api.read).json()["status"] != "done":
        assert time.monotonic() < deadline, "the backtest did not finish"
        time.sleep(0.2)
    # Result names and job ids that climb, raw on the wire (no client normalises the dots away).
    base = f"/api/v1/backtests/{job_id}/results/"
    attempts = [
        base + "../../../../../../etc/passwd",
        base + "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        base + "%2e%2e%2f%2e%2e%2fitems.jsonl",
        base + "..%252F..%252Fitems.jsonl",
        base + "%2Fetc%2Fpasswd",
        base + "summary/../../items.jsonl",
        "/api/v1/backtests/..%2F..%2F..%2F..%2Fetc/results/summary",
        "/api/v1/backtests/" + "../" * 6 + "etc/passwd",
        "/api/v1/exports/items?format=..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/v1/exports/topics?format=/etc/passwd",
    ]
    port = _free_port()
    server = ApiServer(create_app(radar=api.radar), "127.0.0.1", port).start()
    auth = "".join(f"{name}: {value}\r\n" for name, value in api.read.items()).encode()
    try:
        answers = {
            path: raw_request(
                port,
                f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n".encode() + auth + b"\r\n",
                iter(()),
            )[1]
            for path in attempts
        }
        good = httpx.get(f"http://127.0.0.1:{port}{base}summary", headers=api.read)
        export = httpx.get(f"http://127.0.0.1:{port}/api/v1/exports/items?format=csv", headers=api.read)
    finally:
        server.stop()
    for path, answer in answers.items():
        assert _status(answer) in (404, 422) and b"problem+json" in answer, (path, answer[:300])
        assert b"root:" not in answer and b"not an item" not in answer, (path, answer[:300])
    assert good.status_code == 200 and "parameters" in good.json()
    assert export.headers["content-disposition"] == 'attachment; filename="vigie-items-run2.csv"'
    statuses = sorted({_status(answer) for answer in answers.values()})

    # The CLI takes paths from the operator, who may read any file they can; what it does with a file that
    # is not what it expects is the point: nothing stored, nothing overwritten, nothing echoed.
    before = table_counts(api.radar)
    climbing = Path(str(api.home) + "/../" * (len(api.home.parents) + 1) + "etc/passwd")
    report = import_file(api.radar.store, climbing)
    assert report["new_items"] == 0 and report["malformed"] == report["lines"] > 0, report
    assert not any("root:" in error for error in report["errors"]), report["errors"]
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(StoreError, match="already exists"):
        backup(api.radar.settings.store_url, Path(f"{api.home}/{os.path.relpath(victim, api.home)}"))
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    with pytest.raises(StoreError, match="is not a SQLite backup"):
        restore(api.radar.settings.store_url, climbing, force=True)
    with pytest.raises(ValueError) as opml:  # a ConfigError
        parse_opml(climbing.read_bytes(), str(climbing))
    assert "root:" not in str(opml.value)
    assert table_counts(api.radar) == before
    seconds = time.perf_counter() - started
    reliability(
        "Path traversal: backtest upload named ../../…/escaped.jsonl; result names and job ids with ../, "
        "%2F, %2e%2e, double-encoded and absolute forms (raw on the wire); export formats naming files; "
        "`radar import`, `radar backup` (onto an existing file) and `radar restore --force` given "
        "../../etc/passwd-style paths; OPML import of /etc/passwd",
        f"upload stored as <job>/items.jsonl only (nothing at the climbed path); all {len(attempts)} URLs "
        f"answered {'/'.join(map(str, statuses))} problem+json with no file content; export file names are "
        f"made by the server; import stored 0 of {report['lines']} lines without echoing them; backup "
        f"refused to overwrite; restore refused a non-backup; OPML import refused "
        f"({getattr(opml.value, 'message', str(opml.value))[:60]!r})",
        seconds=round(seconds, 2),
        urls_tried=len(attempts),
        files_escaped=0,
        file_contents_served=0,
        rows_changed=sum(abs(table_counts(api.radar)[k] - before[k]) for k in before),
    )


# -- 8. script and markup in item text shown in the dashboard ------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
JS_LINK = "[click me](javascript:alert(3))"
MARKDOWN = (
    "**bold** _it_ # Heading ![pic](https://attacker.example/p.png) <a href='javascript:alert(4)'>a</a>"
)
PAYLOADS = [SCRIPT, IMG, JS_LINK, MARKDOWN, "<iframe src=javascript:alert(5)></iframe><svg onload=alert(6)>"]
HOSTILE_LABELS = {
    "ta": f"Repair {SCRIPT} cafés",
    "tb": f"{IMG} vinyl {JS_LINK}",
    "tc": f"{MARKDOWN} sourdough",
}
WORD_JOINER = "\u2060"  # what dashboard.words.md_escape puts in URLs so that they stay text
HOSTILE_URLS = [
    "javascript:alert(7)",
    "data:text/html,<script>alert(8)</script>",
    "https://alpha.example/{id}",
]
# Markup or a link that survived unescaped in what a page hands Streamlit's Markdown renderer.
UNESCAPED = [
    re.compile(r"(?<!\\)<(script|img|a|iframe|svg)\b", re.IGNORECASE),
    re.compile(r"(?<!\\)\]\(\s*(javascript|data|https?):", re.IGNORECASE),
    re.compile(r"(?<!\\)\*\*bold"),
]


def hostile_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The AppTest suite's seeded store, with hostile topic labels and keywords, items loaded through
    `radar import` from a file whose titles, texts, authors and URLs are hostile, and a hostile triage
    note."""
    from radar.bootstrap import make_radar
    from radar.config_files import default_config_text
    from radar.importer import import_file
    from radar.settings import load_config
    from radar.store import AnalysisResult
    from tests import test_dashboard_apptest as seeded

    topics = [
        {**topic, "label": HOSTILE_LABELS[topic["id"]], "keywords": [SCRIPT, JS_LINK, *topic["keywords"]]}
        for topic in seeded.TOPICS
    ]
    monkeypatch.setattr(seeded, "TOPICS", topics)  # the snapshot and deltas helpers read it
    (home / "config" / "brand.toml").write_text(default_config_text("brand.toml"), encoding="utf-8")
    lines = []
    for topic in topics:
        for n, count in enumerate(topic["daily"]):
            for k in range(count):
                i = len(lines)
                lines.append(
                    {
                        "id": f"{topic['id']}-{n}-{k}",
                        "source": topic["source"],
                        "published_at": (seeded.T0 + timedelta(days=n, hours=k)).isoformat(),
                        "title": f"{PAYLOADS[i % len(PAYLOADS)]} {topic['id']} {n}",
                        "text": PAYLOADS[(i + 1) % len(PAYLOADS)] + "\u0000\ud800",
                        "url": HOSTILE_URLS[i % len(HOSTILE_URLS)].format(id=f"{topic['id']}-{n}-{k}"),
                        "author": IMG,
                    }
                )
    jsonl = home / "hostile.jsonl"
    jsonl.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    radar = make_radar(load_config(home, {}))
    try:
        store = radar.store
        report = import_file(store, jsonl)
        assert report["new_items"] == len(lines), report
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, guid, url, text FROM items")).all()
        ids = {str(guid): str(item_id) for item_id, guid, _, _ in rows}
        assert not any("\x00" in body or "\ud800" in body for *_, body in rows)
        kept_urls = {str(url) for _, _, url, _ in rows if url}
        assert kept_urls and all(url.startswith("https://") for url in kept_urls), kept_urls
        records, assignments = [], []
        for topic in topics:
            for n, count in enumerate(topic["daily"]):
                assignments += [(ids[f"{topic['id']}-{n}-{k}"], topic["id"], 0.9) for k in range(count)]
            records.append(seeded.topic_record(topic))
        run = store.start_run(as_of=seeded.AS_OF, window_days=30, model="m")
        store.finish_run(
            run,
            AnalysisResult(
                topics=records,
                assignments=assignments,
                n_items=len(lines),
                lineage=[("tb", "split_from", "tc")],
            ),
        )
        profile = radar.config.profiles[0]
        snapshot = seeded.seeded_snapshot(profile, run)
        store.save_value_views(
            run, profile.name, seeded.stored_views(profile, snapshot), seeded.seeded_deltas(snapshot), None
        )
        radar.set_triage("ta", "watch", note=f"{SCRIPT} {JS_LINK} {MARKDOWN}", by=IMG)
    finally:
        radar.close()
    return {"items": len(lines), "urls_dropped": len(lines) - len(kept_urls)}


def unescaped_markup(at: Any) -> list[str]:
    found = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "text"):
        for element in at.get(kind):
            body = str(element.value)
            if any(pattern.search(body) for pattern in UNESCAPED):
                found.append(f"{kind}: {body[:200]!r}")
    return found


@pytest.mark.usefixtures("app_env")
def test_dashboard_shows_hostile_text_as_text(
    home: Path, monkeypatch: pytest.MonkeyPatch, reliability: Record
) -> None:
    from tests.test_dashboard_apptest import _run

    seeded = hostile_home(home, monkeypatch)
    started = time.perf_counter()
    at = _run(home, monkeypatch)
    views = ["radar"]
    problems = unescaped_markup(at)
    shown = 0
    for view in ("topic", "rising", "triage", "brief", "values"):
        at.switch_page(f"views/{view}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        topics = ("ta", "tb", "tc") if view == "topic" else (None,)
        for topic_id in topics:
            if topic_id:
                at.selectbox(key="topic_pick").select(topic_id).run()
                assert not at.exception, [e.value for e in at.exception]
                header = next(str(h.value) for h in at.header)
                # The label reaches the heading whole, each Markdown character escaped.
                assert header.replace("\\", "").replace(WORD_JOINER, "") == HOSTILE_LABELS[topic_id], header
                shown += 1
            problems += unescaped_markup(at)
            views.append(f"{view}:{topic_id}" if topic_id else view)
    seconds = time.perf_counter() - started
    assert not problems, "\n".join(problems)
    reliability(
        "Dashboard (Streamlit AppTest) on a store whose topic labels, keywords, item titles, texts, authors, "
        "URLs (javascript:, data:) and a triage note hold <script>, <img onerror>, javascript: links and "
        "Markdown (bold, heading, image)",
        f"every Markdown body of {len(views)} page views carries them escaped (headings show the label "
        f"whole); `radar import` dropped the {seeded['urls_dropped']} non-http URLs and the NUL/surrogate "
        "characters; no page raised",
        seconds=round(seconds, 2),
        page_views=len(views),
        topic_headings_checked=shown,
        unescaped_markup=len(problems),
        items_imported=seeded["items"],
    )


INJECTED = """() => {
  const all = (selector) => [...document.querySelectorAll(selector)];
  return {
    scripts: all('script').filter((s) => (s.textContent || '').includes('alert(')).length,
    handlers: all('[onerror], [onload]').filter((e) => /alert/.test(e.outerHTML)).length,
    links: all('a[href]').filter((a) => /^\\s*(javascript|data):|attacker/i.test(a.getAttribute('href')))
      .length,
    frames: all('iframe').filter((f) => /javascript:/i.test(f.getAttribute('src') || '')).length,
    images: all('img').filter((i) => /^x$|attacker\\.example/.test(i.getAttribute('src') || '')).length,
    bold: all('strong, b').filter((e) => e.textContent.trim() === 'bold').length,
    headings: all('h1, h2, h3, h4, h5, h6').filter((h) => h.textContent.trim() === 'Heading').length,
  };
}"""


def test_dashboard_in_a_browser_runs_no_injected_script(
    home: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, reliability: Record
) -> None:
    # The browser suite's fixtures (imported above): Chromium, which skips with the reason where it is
    # missing (fails under CI), a page, and a dashboard server per RADAR_HOME.
    tab = request.getfixturevalue("page")
    serve: Callable[[Path], str] = request.getfixturevalue("start_dashboard")

    from tests.test_dashboard_browser import PAGES, _assert_no_exception_box, _open

    hostile_home(home, monkeypatch)
    dialogs: list[str] = []
    errors: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    url = serve(home)
    started = time.perf_counter()
    visits = [("", PAGES[""], None)]
    visits += [(f"?topic={topic_id}", "Topic", topic_id) for topic_id in HOSTILE_LABELS]
    visits += [
        (path, PAGES[path], None) for path in ("rising", "triage", "brief", "values", "sources", "alerts")
    ]
    found: dict[str, dict[str, int]] = {}
    for path, title, topic_id in visits:
        _open(tab, f"{url}/{path}", title)
        if topic_id:
            # Shown as text: the heading's text is the label, character for character (the invisible word
            # joiners that keep URLs from becoming links aside).
            headings = tab.locator("h2").all_inner_texts()
            assert HOSTILE_LABELS[topic_id] in [h.replace(WORD_JOINER, "") for h in headings], headings
        _assert_no_exception_box(tab)
        counts = tab.evaluate(INJECTED)
        if any(counts.values()):
            found[path or "radar"] = counts
    tab.wait_for_timeout(500)  # a late onerror/onload would fire by now
    seconds = time.perf_counter() - started
    assert not found, found
    assert not dialogs, dialogs
    assert not errors, errors
    reliability(
        "Dashboard in headless Chromium on the same hostile store (labels, item titles, texts, URLs and a "
        "triage note with <script>, <img onerror>, <svg onload>, javascript: links, Markdown)",
        f"{len(visits)} page loads (radar, each topic by link, rising, triage, brief, values, sources, "
        "alerts): no dialog opened, no script, handler, javascript:/data: or autolinked URL, image, bold or "
        "heading injected in the DOM; each topic heading shows its label as text",
        seconds=round(seconds, 2),
        page_loads=len(visits),
        dialogs=len(dialogs),
        injected_nodes=sum(sum(counts.values()) for counts in found.values()),
        page_errors=len(errors),
    )
