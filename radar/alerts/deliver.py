"""Delivering the outbox: claim a due row, send it once, record what happened.

One row at a time, so a claim's lease only has to cover one send. Two workers never send the same row at
the same time: the claim is a conditional update (:meth:`radar.store.alerts_store.AlertsStore.claim_alert`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from radar import metrics
from radar.alerts.channels import Notifier
from radar.alerts.outbox import RetryPolicy, next_attempt
from radar.store import SqlStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Beyond the send's own timeout: the time to claim, render and record around it.
LEASE_MARGIN_S = 30.0


@dataclass(slots=True)
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def deliver_due(
    store: SqlStore,
    notifiers: Mapping[str, Notifier],
    policy: RetryPolicy,
    *,
    holder: str,
    now: Clock,
    timeout_s: float,
    limit: int = 100,
) -> DeliveryReport:
    """Send every row due now for the destinations in ``notifiers``, at most ``limit`` of them."""
    report = DeliveryReport()
    for _ in range(limit):
        alert = store.claim_alert(list(notifiers), holder, now(), timeout_s + LEASE_MARGIN_S)
        if alert is None:
            break
        notifier = notifiers[alert.destination]
        outcome = notifier.send(alert)
        if outcome.delivered:
            store.mark_alert_sent(alert.id, now())
            metrics.alerts_sent.labels(notifier.channel).inc()
            report.sent.append(alert.id)
            continue
        error = outcome.error or "not delivered"
        if outcome.transient and not policy.exhausted(alert.attempts):
            wait = policy.wait(alert.attempts, outcome.retry_after)
            store.mark_alert_retry(alert.id, holder, next_attempt(now(), wait), error)
            log.warning("alert %s to %s: %s; retry in %.0fs", alert.id, alert.destination, error, wait)
            report.retrying.append(alert.id)
        else:
            if outcome.transient:
                error = f"gave up after {alert.attempts} attempts: {error}"
            store.mark_alert_failed(alert.id, holder, error)
            log.error("alert %s to %s failed for good: %s", alert.id, alert.destination, error)
            report.failed.append(alert.id)
    return report


def deliver_until_settled(
    store: SqlStore,
    notifiers: Mapping[str, Notifier],
    policy: RetryPolicy,
    alert_ids: list[int],
    *,
    holder: str,
    now: Clock,
    timeout_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Deliver until every row of ``alert_ids`` is sent or failed, sleeping until each retry is due; the
    final status of the last one. For ``radar alerts test``, which waits for its own message."""
    while True:
        deliver_due(store, notifiers, policy, holder=holder, now=now, timeout_s=timeout_s)
        rows = [store.alert_row(alert_id) for alert_id in alert_ids]
        waiting = [row for row in rows if row is not None and row.status in ("pending", "sending")]
        if not waiting:
            last = rows[-1]
            return last.status if last is not None else "missing"
        due = min(row.next_attempt_at or now() for row in waiting)
        sleep(max((due - now()).total_seconds(), 0.05))
