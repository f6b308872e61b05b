"""Integration tests of the fetcher against real local HTTP servers (pytest-httpserver and raw sockets)."""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from collectors.fetcher import Fetcher, FetchPolicy
from collectors.netguard import address_problem, check_url
from radar.errors import FetchError, FetchRefused
from radar.settings import Settings

LOCAL = FetchPolicy(allow_private=True, timeout_s=5, deadline_s=10, backoff_s=0.01)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(LOCAL) as f:
        yield f


def test_policy_from_settings() -> None:
    settings = Settings(fetch_timeout_s=3, fetch_deadline_s=7, fetch_max_bytes=123, user_agent="Vigie/test")
    policy = FetchPolicy.from_settings(settings)
    assert (policy.timeout_s, policy.deadline_s, policy.max_bytes) == (3, 7, 123)
    assert policy.user_agent == "Vigie/test" and policy.allow_private is False
    assert (policy.max_redirects, policy.retries, policy.backoff_s, policy.max_per_host) == (5, 2, 0.5, 2)


def test_get_returns_body_headers_and_sends_user_agent(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/feed", headers={"User-Agent": LOCAL.user_agent}).respond_with_data(
        b"<rss/>", content_type="application/rss+xml", headers={"ETag": '"v1"', "X-Thing": "A"}
    )
    response = fetcher.get(httpserver.url_for("/feed"))
    assert response.status == 200
    assert response.content == b"<rss/>"
    assert response.headers["etag"] == '"v1"'
    assert response.headers["x-thing"] == "A"
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert "Vigie" in LOCAL.user_agent


def test_conditional_get_returns_304_without_content(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    def handler(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"' and request.headers.get("If-Modified-Since"):
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(b"<rss/>", headers={"ETag": '"v1"'})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    url = httpserver.url_for("/feed")
    assert fetcher.get(url).status == 200
    response = fetcher.get(url, etag='"v1"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
    assert (response.status, response.content) == (304, b"")


def counting(calls: list[Request], status: int) -> Callable[[Request], Response]:
    def handler(request: Request) -> Response:
        calls.append(request)
        return Response(status=status)

    return handler


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_client_errors_are_not_retried(httpserver: HTTPServer, status: int) -> None:
    calls: list[Request] = []
    httpserver.expect_request("/x").respond_with_handler(counting(calls, status))
    with Fetcher(LOCAL) as fetcher, pytest.raises(FetchError) as info:
        fetcher.get(httpserver.url_for("/x"))
    assert info.value.status == status
    assert str(status) in str(info.value)
    assert len(calls) == 1


def test_server_errors_are_retried_then_reported(httpserver: HTTPServer) -> None:
    calls: list[Request] = []
    httpserver.expect_request("/x").respond_with_handler(counting(calls, 503))
    waits: list[float] = []
    with Fetcher(LOCAL, sleep=waits.append) as fetcher, pytest.raises(FetchError) as info:
        fetcher.get(httpserver.url_for("/x"))
    assert info.value.status == 503
    assert len(calls) == 1 + LOCAL.retries
    # Exponential backoff with jitter: base * 2**attempt plus up to one base.
    assert LOCAL.backoff_s <= waits[0] <= 2 * LOCAL.backoff_s
    assert 2 * LOCAL.backoff_s <= waits[1] <= 3 * LOCAL.backoff_s


def test_server_error_then_success(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data("", status=500)
    httpserver.expect_request("/x").respond_with_data("ok")
    with Fetcher(LOCAL, sleep=lambda s: None) as fetcher:
        assert fetcher.get(httpserver.url_for("/x")).content == b"ok"


def test_429_with_retry_after_then_200(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_oneshot_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_request("/feed").respond_with_data("<rss/>")
    started = time.monotonic()
    response = fetcher.get(httpserver.url_for("/feed"))
    assert response.status == 200 and response.content == b"<rss/>"
    assert time.monotonic() - started >= 0.9  # the Retry-After second was honoured


def test_retry_after_is_capped(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    httpserver.expect_request("/x").respond_with_data("ok")
    waits: list[float] = []
    policy = FetchPolicy(allow_private=True, deadline_s=120)
    with Fetcher(policy, sleep=waits.append) as fetcher:
        assert fetcher.get(httpserver.url_for("/x")).content == b"ok"
    assert waits == [30.0]


def test_retry_after_http_date(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "",
        status=503,
        headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},  # in the past: no wait
    )
    httpserver.expect_request("/x").respond_with_data("ok")
    waits: list[float] = []
    with Fetcher(LOCAL, sleep=waits.append) as fetcher:
        assert fetcher.get(httpserver.url_for("/x")).content == b"ok"
    assert waits == [0.0]


def test_retry_that_would_pass_the_deadline_gives_up_at_once(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/x").respond_with_data("", status=429, headers={"Retry-After": "20"})
    policy = FetchPolicy(allow_private=True, deadline_s=5)
    with Fetcher(policy) as fetcher, pytest.raises(FetchError) as info:
        fetcher.get(httpserver.url_for("/x"))
    assert info.value.status == 429


def test_connection_errors_are_retried_and_wrapped() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []
    with Fetcher(LOCAL, sleep=waits.append) as fetcher, pytest.raises(FetchError) as info:
        fetcher.get(f"http://127.0.0.1:{port}/")
    assert len(waits) == LOCAL.retries
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_redirects_are_followed(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/middle"})
    httpserver.expect_request("/middle").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/new")}
    )
    httpserver.expect_request("/new").respond_with_data("here")
    response = fetcher.get(httpserver.url_for("/old"))
    assert response.content == b"here"
    assert response.url == httpserver.url_for("/new")


def test_redirect_loop_is_an_error(httpserver: HTTPServer, fetcher: Fetcher) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.get(httpserver.url_for("/a"))


def test_too_many_redirects(httpserver: HTTPServer) -> None:
    for hop in range(4):
        httpserver.expect_request(f"/{hop}").respond_with_data(
            "", status=307, headers={"Location": f"/{hop + 1}"}
        )
    httpserver.expect_request("/4").respond_with_data("done")
    with Fetcher(FetchPolicy(allow_private=True, max_redirects=3)) as fetcher:
        with pytest.raises(FetchError, match="more than 3 redirects"):
            fetcher.get(httpserver.url_for("/0"))
    with Fetcher(FetchPolicy(allow_private=True, max_redirects=4)) as fetcher:
        assert fetcher.get(httpserver.url_for("/0")).content == b"done"


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"])
def test_every_redirect_hop_passes_the_guard(httpserver: HTTPServer, fetcher: Fetcher, target: str) -> None:
    httpserver.expect_request("/feed").respond_with_data("", status=302, headers={"Location": target})
    with pytest.raises(FetchRefused):
        fetcher.get(httpserver.url_for("/feed"))


def test_oversize_body_with_content_length(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000)
    with Fetcher(FetchPolicy(allow_private=True, max_bytes=1000)) as fetcher:
        with pytest.raises(FetchError, match="response larger than 1000 bytes"):
            fetcher.get(httpserver.url_for("/big"))


def test_oversize_body_streamed_without_length(httpserver: HTTPServer) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"y" * 100

    httpserver.expect_request("/big").respond_with_response(Response(chunks(), direct_passthrough=True))
    with Fetcher(FetchPolicy(allow_private=True, max_bytes=1000)) as fetcher:
        with pytest.raises(FetchError, match="response larger than 1000 bytes"):
            fetcher.get(httpserver.url_for("/big"))


def test_size_cap_counts_decompressed_bytes(httpserver: HTTPServer) -> None:
    bomb = gzip.compress(b"\0" * 200_000)
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    httpserver.expect_request("/small").respond_with_data(
        gzip.compress(b"ok"), headers={"Content-Encoding": "gzip"}
    )
    with Fetcher(FetchPolicy(allow_private=True, max_bytes=10_000)) as fetcher:
        assert len(bomb) < 10_000
        with pytest.raises(FetchError, match="larger than"):
            fetcher.get(httpserver.url_for("/bomb"))
        assert fetcher.get(httpserver.url_for("/small")).content == b"ok"


class DripServer:
    """Answers every connection slowly, one byte every ``interval`` seconds: either the body (after
    complete headers) or the headers themselves."""

    def __init__(
        self, *, drip_headers: bool = False, interval: float = 0.5, tls: ssl.SSLContext | None = None
    ) -> None:
        self.drip_headers = drip_headers
        self.tls = tls
        self.interval = interval
        self.stop = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, raw: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n"
        conn = raw
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(raw, server_side=True)
            conn.recv(65536)
            if self.drip_headers:
                payload = head
            else:
                conn.sendall(head)
                payload = b"<" * 100000
            for byte in payload:
                if self.stop.wait(self.interval):
                    return
                conn.sendall(bytes([byte]))
        except OSError:
            return  # the client gave up, as it should
        finally:
            conn.close()
            raw.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(params=[False, True], ids=["drip-body", "drip-headers"])
def drip_server(request: pytest.FixtureRequest) -> Iterator[DripServer]:
    server = DripServer(drip_headers=request.param)
    yield server
    server.close()


def test_slow_drip_is_cut_at_the_deadline(drip_server: DripServer) -> None:
    policy = FetchPolicy(allow_private=True, timeout_s=10, deadline_s=2)
    started = time.monotonic()
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match="deadline"):
        fetcher.get(drip_server.url)
    assert time.monotonic() - started < 3


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
def test_slow_drip_over_tls_is_cut_at_the_deadline(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
        + ["-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server = DripServer(drip_headers=True, tls=server_context)
    policy = FetchPolicy(allow_private=True, timeout_s=10, deadline_s=2, retries=0)
    started = time.monotonic()
    try:
        with Fetcher(policy, verify=ssl.create_default_context(cafile=str(cert))) as fetcher:
            with pytest.raises(FetchError, match="deadline"):
                fetcher.get(server.url.replace("http://", "https://"))
    finally:
        server.close()
    assert time.monotonic() - started < 3


def test_per_host_concurrency_is_limited() -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.2)
        with lock:
            active -= 1
        return Response("ok")

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/x").respond_with_handler(handler)
    server.start()
    try:
        with Fetcher(LOCAL) as fetcher, ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda _: fetcher.get(server.url_for("/x")).status, range(6)))
    finally:
        server.clear()
        server.stop()
    assert results == [200] * 6
    assert peak == LOCAL.max_per_host


# --- the address guard -------------------------------------------------------------------------


def test_loopback_is_refused_by_default(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("secret")
    with Fetcher(FetchPolicy()) as fetcher:
        with pytest.raises(FetchRefused, match="loopback"):
            fetcher.get(httpserver.url_for("/feed"))
        with pytest.raises(FetchRefused):
            fetcher.get(httpserver.url_for("/feed").replace("localhost", "127.0.0.1"))
        # allowed per call, as a source with allow_private does
        assert fetcher.get(httpserver.url_for("/feed"), allow_private=True).content == b"secret"
    assert len(httpserver.log) == 1


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://x/", "feed.xml"]
)
def test_other_schemes_are_refused(url: str) -> None:
    with Fetcher(LOCAL) as fetcher, pytest.raises(FetchRefused, match="scheme"):
        fetcher.get(url)


class RecordingTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=b"should never be reached")


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/",
        "http://[::ffff:169.254.169.254]/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
    ],
)
def test_private_addresses_are_refused_without_connecting(url: str) -> None:
    transport = RecordingTransport()
    with Fetcher(FetchPolicy(), transport=transport) as fetcher, pytest.raises(FetchRefused):
        fetcher.get(url)
    assert transport.requests == []


def test_metadata_address_is_refused_even_when_private_is_allowed() -> None:
    transport = RecordingTransport()
    with Fetcher(FetchPolicy(allow_private=True), transport=transport) as fetcher:
        with pytest.raises(FetchRefused, match="metadata"):
            fetcher.get("http://169.254.169.254/latest/meta-data/")
    assert transport.requests == []


def test_names_resolving_to_private_addresses_are_refused() -> None:
    transport = RecordingTransport()
    resolve = {"intranet.example": ["93.184.216.34", "10.1.2.3"], "public.example": ["93.184.216.34"]}
    with Fetcher(FetchPolicy(), transport=transport, resolve=lambda host, port: resolve[host]) as fetcher:
        with pytest.raises(FetchRefused, match="10.1.2.3 is a private address"):
            fetcher.get("https://intranet.example/feed")
        assert fetcher.get("https://public.example/feed").status == 200
    assert [str(r.url) for r in transport.requests] == ["https://public.example/feed"]


def test_connected_peer_is_checked_again(httpserver: HTTPServer) -> None:
    # DNS rebinding: the check sees a public address, the connection lands on loopback.
    httpserver.expect_request("/feed").respond_with_data("secret")
    with Fetcher(FetchPolicy(), resolve=lambda host, port: ["93.184.216.34"]) as fetcher:
        with pytest.raises(FetchRefused, match="connected peer refused"):
            fetcher.get(httpserver.url_for("/feed"))
    assert len(httpserver.log) == 0  # refused before the request was sent


def test_unresolvable_host_is_a_fetch_error() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with Fetcher(FetchPolicy(), resolve=fail) as fetcher, pytest.raises(FetchError, match="cannot resolve"):
        fetcher.get("https://nowhere.invalid/feed")


def test_address_problem_allows_public_addresses() -> None:
    assert address_problem("93.184.216.34", allow_private=False) is None
    assert address_problem("2606:2800:220:1:248:1893:25c8:1946", allow_private=False) is None
    assert address_problem("127.0.0.1", allow_private=True) is None
    assert address_problem("127.0.0.1", allow_private=False) == "127.0.0.1 is a loopback address"


def test_check_url_rejects_malformed_urls() -> None:
    with pytest.raises(FetchRefused):
        check_url("http://example.com:notaport/", allow_private=True)
    with pytest.raises(FetchRefused, match="no host"):
        check_url("http:///path", allow_private=True)
