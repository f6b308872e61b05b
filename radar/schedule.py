"""What is due, as a pure function of the sources, their stored state and ``now``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from radar.domain import SourceState
from radar.settings import SourceConfig

# After repeated failures, wait longer (doubling, capped) instead of hammering a broken source.
MAX_BACKOFF_FACTOR = 16


def next_fetch_at(source: SourceConfig, state: SourceState | None) -> datetime | None:
    """When ``source`` should next be fetched; None means now (never fetched)."""
    if state is None or state.last_fetch_at is None:
        return None
    factor = (
        min(2 ** max(state.consecutive_errors - 1, 0), MAX_BACKOFF_FACTOR) if state.consecutive_errors else 1
    )
    return state.last_fetch_at + timedelta(seconds=source.interval_s * factor)


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
