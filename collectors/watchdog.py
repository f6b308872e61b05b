"""The total deadline of one HTTP request, and the check of the peer it connects to.

Internal to :mod:`collectors.fetcher`; it hooks into httpcore's ``trace`` request extension, the only
place where the connection's socket is visible before a response arrives.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
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
        self._seconds = seconds
        self._url = url
        self._allow_private = allow_private
        self._stream: Any = None
        self._done = False
        self._lock = threading.Lock()

    def start(self) -> None:
        _TIMERS.schedule(time.monotonic() + self._seconds, self)

    def stop(self) -> None:
        with self._lock:
            self._done = True
            self._stream = None  # the schedule keeps this watchdog until its time; not the connection

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

    def fire(self) -> None:
        """Called by the timer thread at the deadline; does nothing once the request is over."""
        with self._lock:
            if self._done:
                return
            self.fired = True
            stream = self._stream
        if stream is not None:
            _shutdown(stream)


class _Timers:
    """One daemon thread that fires every watchdog of the process at its time.

    A ``threading.Timer`` per request started and joined a thread for every fetch, which cost a third of
    the fetcher's overhead under a thread pool. Stopped watchdogs are left in the heap and fire as no-ops:
    cheaper than removing them, and the heap holds at most one deadline's worth of requests.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Watchdog]] = []
        self._order = itertools.count()  # ties on the time must not compare watchdogs
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def schedule(self, when: float, watchdog: Watchdog) -> None:
        with self._wake:
            heapq.heappush(self._heap, (when, next(self._order), watchdog))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="fetch-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0][2] is watchdog:
                self._wake.notify()  # the thread sleeps until a later time; this one comes first

    def _run(self) -> None:
        while True:
            due: list[Watchdog] = []
            with self._wake:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    due.append(heapq.heappop(self._heap)[2])
                if not due:
                    self._wake.wait(self._heap[0][0] - now if self._heap else None)
                    continue
            for watchdog in due:  # outside the lock: a shutdown may block briefly
                watchdog.fire()


_TIMERS = _Timers()


def _shutdown(stream: Any) -> None:
    sock = stream.get_extra_info("socket")
    if isinstance(sock, socket.socket):
        try:
            # The plain socket method, also for TLS sockets: ssl.SSLSocket.shutdown would tear down its
            # TLS object under the thread that is reading from it.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed
