"""The total deadline of one HTTP request, and the check of the peer it connects to.

Internal to :mod:`collectors.fetcher`; it hooks into httpcore's ``trace`` request extension, the only
place where the connection's socket is visible before a response arrives.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from collectors.netguard import address_problem
from radar.errors import FetchRefused


class Watchdog:
    """Enforces the total deadline on one request, and checks the connected peer.

    Timeouts only bound each read, so a server sending a byte just before every timeout could hold a
    request forever. This timer shuts the socket down when the deadline passes, which makes the blocked
    read fail at once. It learns the socket from httpcore's ``trace`` extension, which is also where the
    peer address is checked before a single request byte is sent.
    """

    def __init__(self, seconds: float, allow_private: bool, url: str) -> None:
        self.fired = False
        self._url = url
        self._allow_private = allow_private
        self._stream: Any = None
        self._done = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        if stream is None:
            return
        if event == "connection.connect_tcp.complete":
            self._check_peer(stream)
        with self._lock:
            self._stream = stream  # after TLS the wrapped socket replaces the raw one
            fired = self.fired
        if fired:
            _shutdown(stream)

    def _check_peer(self, stream: Any) -> None:
        peer = stream.get_extra_info("server_addr")
        if not isinstance(peer, tuple) or not peer:
            return
        problem = address_problem(str(peer[0]).split("%")[0], allow_private=self._allow_private)
        if problem:
            stream.close()
            raise FetchRefused(f"connected peer refused: {problem}", url=self._url)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            stream = self._stream
        if stream is not None:
            _shutdown(stream)


def _shutdown(stream: Any) -> None:
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        try:
            # The plain socket method, also for TLS sockets: ssl.SSLSocket.shutdown would tear down its
            # TLS object under the thread that is reading from it.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed
