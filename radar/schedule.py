"""When each source is due, as pure functions of the sources, their stored state and ``now``.

The store keeps each source's ``next_due_at`` (written after every fetch, success or error); the worker's
jobs fire at that time, so a restart resumes the schedule instead of refetching everything at once. These
functions decide the times; nothing here reads a clock, the store or the network.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from radar.crontab import cron_trigger
from radar.domain import SourceState
from radar.settings import SourceConfig

# After repeated failures, wait longer (doubling, capped) instead of hammering a broken source.
MAX_BACKOFF_FACTOR = 16
# Each stored due time gets up to this share of the period added (at most MAX_JITTER_S), so that sources
# with the same interval drift apart instead of hitting the network together. Jitter is never negative:
# a source is never fetched before the time the previous fetch set.
JITTER_FRACTION = 0.1
MAX_JITTER_S = 300.0


def backoff_factor(consecutive_errors: int) -> int:
    """1 while healthy; 1, 2, 4, ... 16 periods after the 1st, 2nd, 3rd ... failure in a row."""
    if consecutive_errors <= 0:
        return 1
    return int(min(2 ** (consecutive_errors - 1), MAX_BACKOFF_FACTOR))


def _cron_fires_after(expression: str, at: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times strictly after ``at``."""
    trigger = cron_trigger(expression)
    fires: list[datetime] = []
    cursor = at
    for _ in range(count):
        # The trigger returns a time >= its "now" (rounded up to the second): step past ``cursor``.
        fire: datetime = trigger.get_next_fire_time(None, cursor + timedelta(microseconds=1))
        fires.append(fire)
        cursor = fire
    return fires


def period_s(source: SourceConfig, at: datetime) -> float:
    """The gap between two regular fetches: the interval, or the gap between the next two cron fires."""
    if source.cron is None:
        return float(source.interval_s)
    first, second = _cron_fires_after(source.cron, at, 2)
    return (second - first).total_seconds()


def max_jitter_s(source: SourceConfig, at: datetime) -> float:
    return min(period_s(source, at) * JITTER_FRACTION, MAX_JITTER_S)


def next_due_after(
    source: SourceConfig, fetched_at: datetime, consecutive_errors: int, jitter: float = 0.0
) -> datetime:
    """When ``source`` is next due after a fetch at ``fetched_at`` that left ``consecutive_errors``.

    Interval sources wait ``factor`` intervals; cron sources skip to their ``factor``-th next fire time
    (``factor`` is :func:`backoff_factor`). ``jitter`` in [0, 1) adds that share of :func:`max_jitter_s`.
    """
    factor = backoff_factor(consecutive_errors)
    if source.cron is None:
        base = fetched_at + timedelta(seconds=source.interval_s * factor)
    else:
        base = _cron_fires_after(source.cron, fetched_at, factor)[-1]
    return base + timedelta(seconds=max_jitter_s(source, fetched_at) * min(max(jitter, 0.0), 1.0))


def next_fetch_at(source: SourceConfig, state: SourceState | None) -> datetime | None:
    """When ``source`` should next be fetched; None means now (never fetched).

    The stored ``next_due_at`` wins, unless the config changed since it was written so that the source
    is due earlier (a shorter interval, a new cron): then the time the current config gives.
    """
    if state is None or state.last_fetch_at is None:
        return None
    from_config = next_due_after(source, state.last_fetch_at, state.consecutive_errors)
    if state.next_due_at is None:
        return from_config
    latest_allowed = from_config + timedelta(seconds=max_jitter_s(source, state.last_fetch_at))
    return min(state.next_due_at, latest_allowed)


def due_sources(
    sources: Sequence[SourceConfig], states: Mapping[str, SourceState], now: datetime
) -> list[SourceConfig]:
    """The enabled sources whose next fetch time has come, in config order."""
    due = []
    for source in sources:
        if not source.enabled:
            continue
        when = next_fetch_at(source, states.get(source.name))
        if when is None or when <= now:
            due.append(source)
    return due


def first_runs(
    sources: Sequence[SourceConfig],
    states: Mapping[str, SourceState],
    now: datetime,
    *,
    spread_above: int,
) -> dict[str, datetime]:
    """When each enabled source's job first runs after the worker starts.

    A source with a stored due time in the future runs then. The others (never fetched, or overdue
    after downtime) are due at once; when there are more of them than ``spread_above`` (the fetch
    concurrency), the i-th of n starts ``i/n`` of its own period after ``now``, in config order. The
    spread is even rather than random, and as wide as the period rather than a few minutes, because each
    next due time follows from the previous fetch: the spacing set at start is the load for good, and a
    source is never more than one period late for it.
    """
    runs: dict[str, datetime] = {}
    due_now: list[SourceConfig] = []
    for source in sources:
        if not source.enabled:
            continue
        when = next_fetch_at(source, states.get(source.name))
        if when is None or when <= now:
            due_now.append(source)
        else:
            runs[source.name] = when
    spread = len(due_now) > spread_above
    for index, source in enumerate(due_now):
        offset = period_s(source, now) * index / len(due_now) if spread else 0.0
        runs[source.name] = now + timedelta(seconds=offset)
    return runs
