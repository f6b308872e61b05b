"""A small threaded HTTP server for collector tests and benches: fixed routes, streamed bodies, hostile cases.

Real sockets on 127.0.0.1, so that the fetcher's whole path (connect, peer check, streaming, size and
time limits) runs as it does in production. A body may be bytes or a function returning an iterator of
chunks: endless or slow responses are generated while they are sent and never held in memory.
Conditional GET is answered with 304 when a route has an ETag or Last-Modified and the request repeats it.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

Body = bytes | Callable[[], Iterator[bytes]]


@dataclass(frozen=True)
class Route:
    """What one path answers. ``body`` as bytes gets a Content-Length unless ``headers`` already set one;
    a streamed body has none unless given, and ends when the connection closes (HTTP/1.0)."""

    body: Body = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None


class FeedServer:
    """``with FeedServer() as server: server.route("/a", Route(...)); server.url("/a")``; thread-safe."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, 0), self._handler_class())
        self._httpd.daemon_threads = True  # a drip still sleeping must not hold the test process
        # The default backlog (5) drops connections when a bench opens many at once.
        self._httpd.request_queue_size = 128
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, route: Route) -> str:
        with self._lock:
            self.routes[path] = route
        return self.url(path)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
                pass  # a thousand requests per bench would flood the output

            def do_GET(self) -> None:  # noqa: N802 (stdlib naming)
                path = self.path.split("?")[0]
                with server._lock:
                    server.hits[path] += 1
                    route = server.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                try:
                    _answer(self, route)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should on a bomb or a drip

        return Handler


def _not_modified(handler: BaseHTTPRequestHandler, route: Route) -> bool:
    etag = handler.headers.get("If-None-Match")
    since = handler.headers.get("If-Modified-Since")
    if route.etag is not None and etag is not None:
        return etag == route.etag
    return route.last_modified is not None and since == route.last_modified


def _answer(handler: BaseHTTPRequestHandler, route: Route) -> None:
    if route.status == 200 and _not_modified(handler, route):
        handler.send_response(304)
        _validators(handler, route)
        handler.end_headers()
        return
    handler.send_response(route.status)
    for name, value in route.headers.items():
        handler.send_header(name, value)
    _validators(handler, route)
    if isinstance(route.body, bytes):
        if not any(name.lower() == "content-length" for name in route.headers):
            handler.send_header("Content-Length", str(len(route.body)))
        handler.end_headers()
        handler.wfile.write(route.body)
        return
    handler.end_headers()
    for chunk in route.body():
        handler.wfile.write(chunk)
        handler.wfile.flush()


def _validators(handler: BaseHTTPRequestHandler, route: Route) -> None:
    if route.etag is not None:
        handler.send_header("ETag", route.etag)
    if route.last_modified is not None:
        handler.send_header("Last-Modified", route.last_modified)


# -- hostile bodies -----------------------------------------------------------------------------------


def endless(chunk: bytes = b"<item><title>x</title></item>" * 2048, total: int = 8 * 2**30) -> Body:
    """``total`` bytes (8 GiB by default) of repeated ``chunk``, generated as sent."""

    def generate() -> Iterator[bytes]:
        yield b'<?xml version="1.0"?><rss version="2.0"><channel><title>big</title>'
        sent = 0
        while sent < total:
            yield chunk
            sent += len(chunk)

    return generate


def drip(byte_every_s: float, limit_s: float = 120.0) -> Body:
    """A feed sent one byte at a time, one every ``byte_every_s`` seconds (stopping after ``limit_s``)."""
    document = b'<?xml version="1.0"?><rss version="2.0"><channel><title>slow</title></channel></rss>'

    def generate() -> Iterator[bytes]:
        started = time.monotonic()
        for byte in document * 1000:
            if time.monotonic() - started > limit_s:
                return
            yield bytes([byte])
            time.sleep(byte_every_s)

    return generate


def gzip_bomb(decompressed: int = 2**28) -> bytes:
    """A gzip member of ``decompressed`` zero bytes (256 MiB by default: about 260 KB compressed).

    Compressed in slices so that the decompressed bytes are never held in memory here either.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: gzip framing
    zeros = bytes(2**20)
    parts = [compressor.compress(zeros) for _ in range(decompressed // len(zeros))]
    parts.append(compressor.flush())
    return b"".join(parts)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>laughs</title>
<item><title>&lol9;</title><link>http://example.com/lol</link></item>
</channel></rss>
"""


def xxe(system_id: str, slug: str) -> bytes:
    """An RSS feed whose item title is an external entity pointing at ``system_id``; ``slug`` keeps the
    item's link apart from other such feeds (the store merges items with the same URL)."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "{system_id}">]>
<rss version="2.0"><channel><title>xxe</title>
<item><title>leak: &secret;</title><link>http://example.com/xxe/{slug}</link>
<description>external entity test</description></item>
</channel></rss>
""".encode()
