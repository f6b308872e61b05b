"""The I/O around the pure rules: read what they need from the store, record what they decide, and build
the notifiers. Called by the :class:`radar.core.Radar` facade (end of ``analyze``, the worker's job, the CLI).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from radar.alerts.channels import Notifier, make_notifier
from radar.alerts.config import AlertsConfig, Destination
from radar.alerts.outbox import OutboxAlert, RetryPolicy
from radar.alerts.rules import (
    AlertIntent,
    RunInputs,
    SourceSignal,
    TopicNow,
    evaluate_digest,
    evaluate_run,
    evaluate_sources,
    top_movers,
)
from radar.errors import NotFoundError
from radar.settings import RadarConfig, parse_duration
from radar.store import RunInfo, SqlStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
EXAMPLES = 3
# `radar alerts test` waits for its own message at the terminal: it keeps the former bound of 8 attempts
# (about an hour at the default backoff) rather than the outbox's day-long one.
TEST_MAX_ATTEMPTS = 8
# The window over which a source's usual rate of new items is measured.
USUAL_DAYS = 28


def enqueue_run_alerts(store: SqlStore, config: RadarConfig, run: RunInfo, now: datetime) -> int:
    """Evaluate the rules on ``run`` and record the alerts they raise; the number of rows added."""
    alerts = config.alerts
    if not alerts.enabled or not alerts.rule:
        return 0
    topics = [
        TopicNow(t.id, t.label, t.kind, t.state, t.previous_state, t.score, t.size, t.evidence)
        for t in store.topics(run.id)
    ]
    views: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for profile in config.profiles:
        snapshot = store.value_snapshot(profile.name, run.id)
        deltas = store.value_deltas(profile.name, run.id)
        if snapshot is not None and deltas is not None:
            views[profile.name] = (snapshot, deltas)
    inputs = RunInputs(
        run_id=run.id,
        topics=topics,
        views=views,
        triage={verdict.topic_id: verdict for verdict in store.triage_all()},
        last_alerted=store.last_alerted([t.id for t in topics]),
        theme_names={theme.slug: theme.name for theme in config.themes},
    )
    intents = [_with_examples(store, intent, run.id) for intent in evaluate_run(alerts, inputs, now)]
    return store.enqueue_alerts(intents, [d.name for d in alerts.destination], now)


def _with_examples(store: SqlStore, intent: AlertIntent, run_id: int) -> AlertIntent:
    """Two or three of the topic's representative items with their links, kept in the row's facts so that
    a retry days later shows what the alert was about then."""
    if intent.topic_id is None:
        return intent
    try:
        items = store.topic_detail(intent.topic_id, run_id)["items"][:EXAMPLES]
    except NotFoundError:
        return intent
    examples = [{"title": item["title"], "url": item["url"], "source": item["source"]} for item in items]
    return replace(intent, facts={**intent.facts, "examples": examples})


def enqueue_periodic_alerts(store: SqlStore, config: RadarConfig, now: datetime) -> int:
    """The time-driven alerts: failing or silent sources, and the daily digest once its time has come."""
    alerts = config.alerts
    if not alerts.enabled:
        return 0
    intents = evaluate_sources(alerts, source_signals(store, config, now), now)
    run = store.latest_run()
    if run is not None:
        deltas = {}
        for profile in config.profiles:
            view = store.value_deltas(profile.name, run.id)
            if view is not None:
                deltas[profile.name] = view
        digest = evaluate_digest(alerts, top_movers(deltas), now)
        if digest is not None:
            intents.append(digest)
    if not intents:
        return 0
    return store.enqueue_alerts(intents, [d.name for d in alerts.destination], now)


def source_signals(store: SqlStore, config: RadarConfig, now: datetime) -> list[SourceSignal]:
    states = {state.name: state for state in store.source_states()}
    last_new = store.last_new_item_per_source()
    usual = store.items_per_source(now - timedelta(days=USUAL_DAYS), now)
    signals = []
    for source in config.sources:
        state = states.get(source.name)
        if not source.enabled or state is None:
            continue
        signals.append(
            SourceSignal(
                name=source.name,
                error_streak=state.consecutive_errors,
                last_error=state.last_error,
                last_success_at=state.last_success_at,
                last_new_item_at=last_new.get(source.name),
                usual_items_per_day=usual.get(source.name, 0) / USUAL_DAYS,
            )
        )
    return signals


def retry_policy(alerts: AlertsConfig) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=alerts.max_attempts,
        base_s=parse_duration(alerts.retry_base),
        cap_s=parse_duration(alerts.retry_max),
    )


def notifiers(config: RadarConfig, extra: Destination | None = None) -> dict[str, Notifier]:
    """One notifier per configured destination (plus ``extra``, for ``radar alerts test``)."""
    alerts = config.alerts
    destinations = [*alerts.destination, *([extra] if extra else [])]
    return {
        d.name: make_notifier(
            d,
            dashboard_url=alerts.dashboard_url,
            timeout_s=parse_duration(alerts.timeout),
            allow_private=config.settings.fetch_allow_private,
        )
        for d in destinations
    }


def send_test(
    store: SqlStore, config: RadarConfig, url: str, kind: str, now: Clock, sleep: Sleep = time.sleep
) -> OutboxAlert:
    """Record a sample alert for ``url`` and deliver it through the outbox like any other (a 429 waits
    and retries); return its final row. Raises :class:`ConfigError` for a URL that is not http(s)."""
    import secrets

    from pydantic import ValidationError

    from radar.alerts.deliver import deliver_until_settled
    from radar.errors import ConfigError

    name = f"test-{secrets.token_hex(4)}"
    try:
        destination = Destination(name=name, kind=kind, url=url)  # type: ignore[arg-type]
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise ConfigError(message, key="--webhook") from exc
    intent = AlertIntent(
        dedupe_key=f"test:{name}",
        rule="test",
        kind="state",
        title="Vigie test alert: Repair cafés, weak → emerging",
        topic_id=None,
        facts={
            "label": "Repair cafés",
            "from": "weak",
            "to": "emerging",
            "score": 0.71,
            "items": 42,
            "evidence": {"rule": "emerging: a sample", "measures": {"growth": 3.2, "sources_recent": 6}},
            "placement": [{"profile": "default", "sector": "Sustainability", "stance": "opportunity"}],
            "examples": [
                {"title": "A sample item (this is a test)", "url": "https://example.org/vigie-test"},
            ],
        },
        destinations=(name,),
    )
    store.enqueue_alerts([intent], [name], now())
    row = next(r for r in store.alert_rows(limit=20) if r.dedupe_key == intent.dedupe_key)
    only = {name: notifiers(config, extra=destination)[name]}
    policy = retry_policy(config.alerts)
    deliver_until_settled(
        store,
        only,
        replace(policy, max_attempts=min(policy.max_attempts, TEST_MAX_ATTEMPTS)),
        [row.id],
        holder=name,
        now=now,
        timeout_s=parse_duration(config.alerts.timeout),
        sleep=sleep,
    )
    final = store.alert_row(row.id)
    assert final is not None
    return final
