"""The outbox's row and its retry policy (pure).

A row's life::

    stored                                  no destination configured: recorded, never sent
    pending ──claim──▶ sending ──2xx──▶ sent
       ▲                  │
       └──429/5xx/timeout─┤  (next_attempt_at = now + Retry-After or backoff)
                          └──4xx, refused, attempts exhausted──▶ failed

``sending`` is a lease: ``next_attempt_at`` is when it runs out. A worker killed while sending leaves the row
``sending``; once the lease has run out another worker claims it again and sends it again (at-least-once;
see docs/ALERTS.md for this crash window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

STATUSES = ("stored", "pending", "sending", "sent", "failed")


# 32 attempts at the default backoff (30 s doubling, then every hour) span about 25 hours: an alert outlives a
# destination that is down for a day. 8 (the former default) gave up after about an hour, so any longer outage
# lost every alert raised during it (tests/reliability/test_crash_recovery.py). AlertsConfig uses it too.
DEFAULT_MAX_ATTEMPTS = 32


@dataclass(frozen=True, slots=True)
class OutboxAlert:
    """One alert for one destination, as stored."""

    id: int
    dedupe_key: str
    destination: str
    rule: str
    kind: str
    title: str
    topic_id: str | None
    facts: dict[str, Any]
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dedupe_key": self.dedupe_key,
            "destination": self.destination,
            "rule": self.rule,
            "kind": self.kind,
            "title": self.title,
            "topic_id": self.topic_id,
            "facts": self.facts,
            "status": self.status,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat(),
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "last_error": self.last_error,
        }


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``base`` doubles per attempt up to ``cap``; a server's Retry-After is obeyed up to ``cap``."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base_s: float = 30.0
    cap_s: float = 3600.0

    def backoff(self, attempts: int) -> float:
        """Wait after the ``attempts``-th failed attempt (1 = the first)."""
        return min(self.base_s * 2.0 ** max(attempts - 1, 0), self.cap_s)

    def wait(self, attempts: int, retry_after: float | None) -> float:
        if retry_after is not None:
            # A server asking for less than our backoff is trusted: it knows when its window reopens.
            return min(max(retry_after, 0.0), self.cap_s)
        return self.backoff(attempts)

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def next_attempt(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)
