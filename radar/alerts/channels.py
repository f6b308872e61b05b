"""Sending one message to one destination: the :class:`Notifier` contract and its two implementations.

Notifier contract:

- ``send(alert)`` makes exactly one HTTP attempt and never retries by itself: the outbox retries, so that
  every wait is stored (``next_attempt_at``) and survives a restart.
- It never raises for a network or HTTP problem; it returns a :class:`SendOutcome`: ``delivered`` for a
  2xx; ``transient`` (retry later) for 429 (with the server's ``retry_after`` in seconds when given), 5xx,
  timeouts, connection errors and names that do not resolve; permanent otherwise (other 4xx, a URL the
  address guard refuses).
- The destination's host is checked by :func:`collectors.netguard.check_url` before each send, so a
  private or loopback address needs ``RADAR_FETCH_ALLOW_PRIVATE=true`` as for sources.
- Safe to call from several threads; holds no connection between calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from radar.alerts.config import Destination
from radar.alerts.outbox import OutboxAlert, parse_retry_after
from radar.alerts.render import json_document, slack_message


@dataclass(frozen=True, slots=True)
class SendOutcome:
    delivered: bool
    transient: bool = False
    retry_after: float | None = None
    status: int | None = None
    error: str | None = None


class Notifier(Protocol):
    channel: str

    def send(self, alert: OutboxAlert) -> SendOutcome: ...


def _classify(status: int, headers: dict[str, str], body: str) -> SendOutcome:
    if 200 <= status < 300:
        return SendOutcome(True, status=status)
    error = f"HTTP {status}: {body.strip()[:300]}"
    if status == 429:
        lowered = {k.lower(): v for k, v in headers.items()}
        wait = parse_retry_after(lowered.get("retry-after"), datetime.now(UTC))
        return SendOutcome(False, transient=True, retry_after=wait, status=status, error=error)
    return SendOutcome(False, transient=status >= 500 or status == 408, status=status, error=error)


def _refused(url: str, allow_private: bool) -> SendOutcome | None:
    from collectors.netguard import check_url
    from radar.errors import FetchError, FetchRefused

    try:
        check_url(url, allow_private=allow_private)
    except FetchRefused as exc:
        return SendOutcome(False, error=f"refused: {exc}")
    except FetchError as exc:  # the name does not resolve now; DNS may come back
        return SendOutcome(False, transient=True, error=str(exc))
    return None


class _Destined:
    """What both notifiers hold: the destination, the dashboard link, the timeout and the address policy."""

    def __init__(
        self, destination: Destination, *, dashboard_url: str | None, timeout_s: float, allow_private: bool
    ) -> None:
        self.destination = destination
        self._dashboard_url = dashboard_url
        self._timeout = timeout_s
        self._allow_private = allow_private

    def _refused(self) -> SendOutcome | None:
        return _refused(self.destination.url, self._allow_private)


class SlackNotifier(_Destined):
    """A Slack incoming webhook, through slack-sdk's :class:`WebhookClient` with its retry handlers off."""

    channel = "slack"

    def send(self, alert: OutboxAlert) -> SendOutcome:
        from slack_sdk.webhook import WebhookClient

        refused = self._refused()
        if refused is not None:
            return refused
        # WebhookClient's timeout is whole seconds; at least one.
        client = WebhookClient(self.destination.url, timeout=max(round(self._timeout), 1), retry_handlers=[])
        try:
            response = client.send_dict(slack_message(alert, self._dashboard_url))
        except OSError as exc:  # timeouts, refused connections, resets, TLS: urllib raises OSError subclasses
            return SendOutcome(False, transient=True, error=f"{type(exc).__name__}: {exc}")
        return _classify(response.status_code, dict(response.headers or {}), response.body or "")


class JsonWebhookNotifier(_Destined):
    """A generic webhook: the alert as JSON, POSTed with an ``Idempotency-Key`` header (the dedupe key and
    destination), so a receiver that honours it can drop the duplicate a crash may cause."""

    channel = "webhook"

    def send(self, alert: OutboxAlert) -> SendOutcome:
        import httpx

        refused = self._refused()
        if refused is not None:
            return refused
        headers = {"Idempotency-Key": f"{alert.dedupe_key}@{alert.destination}"}
        try:
            # No redirects: a 3xx is an answer, not a new address to reach unchecked.
            response = httpx.post(
                self.destination.url,
                json=json_document(alert, self._dashboard_url),
                headers=headers,
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            return SendOutcome(False, transient=True, error=f"{type(exc).__name__}: {exc}")
        return _classify(response.status_code, dict(response.headers), response.text)


def make_notifier(
    destination: Destination, *, dashboard_url: str | None, timeout_s: float, allow_private: bool
) -> Notifier:
    cls: Any = SlackNotifier if destination.kind == "slack" else JsonWebhookNotifier
    notifier: Notifier = cls(
        destination, dashboard_url=dashboard_url, timeout_s=timeout_s, allow_private=allow_private
    )
    return notifier
