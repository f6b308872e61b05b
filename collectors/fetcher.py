"""The one way collectors reach the network: a polite, bounded, guarded HTTP GET.

Every fetch is bounded in time (connect/read timeouts plus a total deadline that also covers a server
dripping bytes), in size (a cap enforced while streaming), in redirects (followed by hand so that each
hop passes the address guard) and in concurrency (a few connections per host, since the core calls
``get`` from a thread pool) and, for hosts that ask for it, in pace: requests to such a host start at
least a minimum interval apart, whichever thread sends them. Transient failures (connection errors,
timeouts, 429, 5xx) are retried with exponential backoff and jitter, honouring ``Retry-After``. Every
failure is a :class:`radar.errors.FetchError` with the httpx exception chained.
"""

from __future__ import annotations

import email.utils
import random
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from collectors.netguard import Resolver, check_url, resolve_host
from collectors.watchdog import Watchdog
from radar.errors import FetchError
from radar.settings import Settings

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits applied to every fetch. ``deadline_s`` bounds one ``get`` call as a whole: every
    redirect hop, retry and backoff wait included."""

    timeout_s: float = 10.0
    deadline_s: float = 30.0
    max_bytes: int = 10_000_000
    user_agent: str = "Vigie/0.1 (self-hosted trend radar)"
    allow_private: bool = False
    max_redirects: int = 5
    retries: int = 2
    backoff_s: float = 0.5
    max_per_host: int = 2
    max_retry_after_s: float = 30.0
    # Minimum seconds between two requests to a domain or any of its subdomains, for sites whose terms set a
    # request rate: Reddit allows 10 a minute without OAuth, whichever collector (reddit, feed) asks.
    host_min_interval_s: tuple[tuple[str, float], ...] = (("reddit.com", 6.0),)

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            timeout_s=settings.fetch_timeout_s,
            deadline_s=settings.fetch_deadline_s,
            max_bytes=settings.fetch_max_bytes,
            user_agent=settings.user_agent,
            allow_private=settings.fetch_allow_private,
        )


@dataclass(frozen=True, slots=True)
class Response:
    """A final (non-redirect) response. ``url`` is where it came from after redirects; ``headers`` has
    lower-case names (repeated headers joined with ", "); ``content`` is empty for a 304."""

    url: str
    status: int
    headers: dict[str, str]
    content: bytes


class _Retryable(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, error: FetchError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class Fetcher:
    """Wraps one ``httpx.Client``; thread-safe; use as a context manager or call :meth:`close`.

    ``transport``, ``resolve``, ``sleep`` and ``clock`` are seams for tests (a mock transport, a fake DNS, no
    waiting, a fake monotonic clock for the per-host pacing);
    ``verify`` is passed to httpx (a CA bundle path or an ``SSLContext`` for private certificate authorities).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        resolve: Resolver = resolve_host,
        sleep: Callable[[float], None] = time.sleep,
        verify: ssl.SSLContext | str | bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._resolve = resolve
        self._sleep = sleep
        self._pacer = _HostPacer(clock)
        self._client = httpx.Client(
            transport=transport,
            verify=verify,
            follow_redirects=False,  # each hop must pass the address guard first
            trust_env=False,  # an environment proxy would connect on our behalf, past the peer check
            # Only what _read_body decodes itself (httpx would also offer br or zstd when installed).
            headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            # No keep-alive: every request opens its own connection, so the deadline watchdog always
            # holds the socket and the peer check always runs. Feeds are one request per host anyway.
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._slots_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_private: bool = False,
        min_interval_s: float = 0.0,
        user_agent: str | None = None,
    ) -> Response:
        """GET ``url``; a 304 to the conditional request comes back as ``status=304`` with no content.

        ``min_interval_s`` spaces requests to the URL's host at least that far apart (on top of the
        policy's ``host_min_interval_s``); the wait counts against the deadline. ``user_agent`` replaces
        the policy's for this request (sites such as Reddit want one that identifies the installation).

        Raises :class:`FetchRefused` for a URL or redirect hop the address guard refuses, and
        :class:`FetchError` (``status`` set when there was one) for everything else that goes wrong.
        """
        allow = self.policy.allow_private or allow_private
        deadline = time.monotonic() + self.policy.deadline_s
        headers: dict[str, str] = {}
        if user_agent:
            headers["User-Agent"] = user_agent
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = {url}
        current = url
        for _hop in range(self.policy.max_redirects + 1):
            check_url(current, allow_private=allow, resolve=self._resolve)
            response = self._get_with_retries(current, headers, allow, deadline, min_interval_s)
            if response.status not in _REDIRECTS:
                return response
            location = response.headers.get("location")
            if not location:
                raise FetchError("redirect without a Location header", url=current, status=response.status)
            try:
                target = urljoin(current, location.strip())
            except ValueError as exc:
                raise FetchError(f"bad redirect Location {location!r}", url=current) from exc
            if target in visited:
                raise FetchError(f"redirect loop back to {target}", url=url, status=response.status)
            visited.add(target)
            current = target
        raise FetchError(f"more than {self.policy.max_redirects} redirects", url=url)

    def _get_with_retries(
        self, url: str, headers: dict[str, str], allow: bool, deadline: float, min_interval_s: float = 0.0
    ) -> Response:
        attempt = 0
        while True:
            self._pace(url, min_interval_s, deadline)  # every attempt is a request the host counts
            try:
                return self._attempt(url, headers, allow, deadline)
            except _Retryable as failure:
                if attempt >= self.policy.retries:
                    raise failure.error from failure.error.__cause__
                if failure.retry_after is not None:
                    wait = failure.retry_after
                else:
                    # Exponential backoff with jitter, so that workers failing together do not retry together.
                    wait = self.policy.backoff_s * 2**attempt + random.uniform(0, self.policy.backoff_s)
                wait = min(wait, self.policy.max_retry_after_s)
                if time.monotonic() + wait >= deadline:
                    raise failure.error from failure.error.__cause__
                self._sleep(wait)
                attempt += 1

    def _pace(self, url: str, min_interval_s: float, deadline: float) -> None:
        host = (urlsplit(url).hostname or "").lower()
        key, interval = host, min_interval_s
        for domain, seconds in self.policy.host_min_interval_s:
            if host == domain or host.endswith("." + domain):
                # Keyed on the domain: www. and old.reddit.com count against the same allowance.
                key, interval = domain, max(interval, seconds)
                break
        if interval <= 0:
            return
        wait = self._pacer.reserve(key, interval, max_wait=deadline - time.monotonic())
        if wait is None:
            raise FetchError(
                f"the next request to {key} is not allowed before the deadline "
                f"(at most one every {interval:g} s)",
                url=url,
            )
        if wait > 0:
            self._sleep(wait)

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._slots_lock:
            slot = self._host_slots.get(host)
            if slot is None:
                slot = self._host_slots[host] = threading.BoundedSemaphore(self.policy.max_per_host)
            return slot

    def _attempt(self, url: str, headers: dict[str, str], allow: bool, deadline: float) -> Response:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"deadline of {self.policy.deadline_s:g} s exceeded", url=url)
        host = (urlsplit(url).hostname or "").lower()
        slot = self._slot(host)
        if not slot.acquire(timeout=remaining):
            raise FetchError(f"no free connection slot for {host} before the deadline", url=url)
        watchdog = Watchdog(remaining, allow, url)
        try:
            watchdog.start()
            response = self._request(url, headers, deadline, min(self.policy.timeout_s, remaining), watchdog)
            if watchdog.fired:
                # The watchdog's shutdown reads as an orderly end of stream: a body without a length
                # (HTTP/1.0, close-delimited) then looks complete while it is only the bytes dripped so far.
                raise self._deadline_error(url)
            return response
        except httpx.TimeoutException as exc:
            if watchdog.fired:
                raise self._deadline_error(url) from exc
            raise _Retryable(_chain(FetchError(f"timed out: {exc}", url=url), exc)) from exc
        except httpx.NetworkError as exc:
            if watchdog.fired:
                raise self._deadline_error(url) from exc
            raise _Retryable(_chain(FetchError(f"network error: {exc}", url=url), exc)) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            if watchdog.fired:
                raise self._deadline_error(url) from exc
            raise FetchError(f"{type(exc).__name__}: {exc}", url=url) from exc
        finally:
            watchdog.stop()
            slot.release()

    def _deadline_error(self, url: str) -> FetchError:
        return FetchError(f"deadline of {self.policy.deadline_s:g} s exceeded", url=url)

    def _request(
        self, url: str, headers: dict[str, str], deadline: float, timeout: float, watchdog: Watchdog
    ) -> Response:
        with self._client.stream(
            "GET", url, headers=headers, timeout=httpx.Timeout(timeout), extensions={"trace": watchdog.trace}
        ) as resp:
            status = resp.status_code
            response_headers = {name.lower(): value for name, value in resp.headers.items()}
            if status == 429 or status >= 500:
                error = FetchError(f"HTTP {status} {resp.reason_phrase}".strip(), url=url, status=status)
                raise _Retryable(error, _retry_after(response_headers.get("retry-after")))
            if status >= 400:
                raise FetchError(f"HTTP {status} {resp.reason_phrase}".strip(), url=url, status=status)
            if status in _REDIRECTS or status == 304:
                return Response(url=url, status=status, headers=response_headers, content=b"")
            content = self._read_body(resp, url, deadline)
            return Response(url=url, status=status, headers=response_headers, content=content)

    def _read_body(self, resp: httpx.Response, url: str, deadline: float) -> bytes:
        limit = self.policy.max_bytes
        too_large = f"response larger than {limit} bytes"
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(too_large, url=url, status=resp.status_code)
        # A response built in memory (a test transport) was read, and decoded, when it was made.
        already_read = resp.is_stream_consumed
        decoder = None if already_read else _decoder(resp.headers.get("content-encoding", ""), url)
        body = bytearray()
        # Decompressed here rather than by httpx, whose decoder inflates each 64 KB read whole (up to
        # 64 MB of zeros at once): asking zlib for at most what the cap leaves keeps a gzip bomb's memory
        # within the cap too. Counted after decompression, so a small bomb cannot exceed the cap either.
        try:
            for chunk in [resp.content] if already_read else resp.iter_raw():
                if decoder is None:
                    body += chunk
                else:
                    pending = chunk
                    while pending and len(body) <= limit:
                        body += decoder.decompress(pending, limit + 1 - len(body))
                        pending = decoder.unconsumed_tail
                if len(body) > limit:
                    raise FetchError(too_large, url=url, status=resp.status_code)
                if time.monotonic() > deadline:
                    raise self._deadline_error(url)
            if decoder is not None:
                body += decoder.flush()
        except zlib.error as exc:
            raise FetchError(f"cannot decompress the response: {exc}", url=url) from exc
        if len(body) > limit:
            raise FetchError(too_large, url=url, status=resp.status_code)
        return bytes(body)


class _HostPacer:
    """Start times for requests to hosts that must be paced, shared by every thread of one fetcher.

    A request reserves the host's next free start under the lock and sleeps outside it, so that a thread
    waiting for its turn never holds up the bookkeeping of the others. A wait that would pass the caller's
    deadline reserves nothing and is refused, so an abandoned request does not delay the next one.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._next_start: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, key: str, interval: float, *, max_wait: float) -> float | None:
        """Seconds to wait before requesting ``key`` (0 when it is free now), or None past ``max_wait``."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start.get(key, now))
            if start - now > max_wait:
                return None
            self._next_start[key] = start + interval
            return start - now


def _decoder(content_encoding: str, url: str) -> zlib._Decompress | None:
    """A decompressor for the response's Content-Encoding, None for none; FetchError for one not offered."""
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16+: gzip framing
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)  # 32+: zlib or gzip framing, told from the header
    raise FetchError(f"unsupported Content-Encoding {content_encoding!r}", url=url)


def _chain(error: FetchError, cause: BaseException) -> FetchError:
    error.__cause__ = cause
    return error


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
