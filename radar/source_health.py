"""Each source's health, as a pure function of config, stored state, item counts and ``now``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from radar.domain import SourceState
from radar.schedule import next_fetch_at
from radar.settings import SourceConfig

HEALTH_DAYS = 7
SHORT_ERROR = 80


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """``items_per_day``: items published in the last days, per day. ``next_due_at``: None when the
    source is not scheduled (disabled, or no longer in config: its row and items stay in the store)."""

    name: str
    kind: str
    url: str
    enabled: bool
    configured: bool
    last_success_at: datetime | None
    last_error: str | None
    error_streak: int
    items_per_day: float
    next_due_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "enabled": self.enabled,
            "configured": self.configured,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "last_error": self.last_error,
            "error_streak": self.error_streak,
            "items_per_day": self.items_per_day,
            "next_due_at": self.next_due_at.isoformat() if self.next_due_at else None,
        }


def short_error(error: str | None) -> str | None:
    """The first line of an error, cut to a table cell."""
    if not error:
        return None
    line = error.strip().splitlines()[0] if error.strip() else error
    return line if len(line) <= SHORT_ERROR else line[: SHORT_ERROR - 1] + "…"


def source_health(
    sources: Sequence[SourceConfig],
    states: Mapping[str, SourceState],
    recent_items: Mapping[str, int],
    now: datetime,
    days: int = HEALTH_DAYS,
) -> list[SourceHealth]:
    """Configured sources in config order, then those only the store remembers, by name.

    ``recent_items`` counts each source's items published in the ``days`` before ``now``. A due time
    already past, or a source never fetched, shows as ``now``: it runs at the worker's next chance.
    """
    rows = []
    for source in sources:
        state = states.get(source.name)
        due = None
        if source.enabled:
            when = next_fetch_at(source, state)
            due = now if when is None or when < now else when
        rows.append(
            _row(source.name, source.kind, source.url, source.enabled, True, state, recent_items, due, days)
        )
    configured = {source.name for source in sources}
    for name in sorted(set(states) - configured):
        state = states[name]
        rows.append(_row(name, state.kind, state.url, False, False, state, recent_items, None, days))
    return rows


def _row(
    name: str,
    kind: str,
    url: str,
    enabled: bool,
    configured: bool,
    state: SourceState | None,
    recent_items: Mapping[str, int],
    due: datetime | None,
    days: int,
) -> SourceHealth:
    return SourceHealth(
        name=name,
        kind=kind,
        url=url,
        enabled=enabled,
        configured=configured,
        last_success_at=state.last_success_at if state else None,
        last_error=short_error(state.last_error) if state else None,
        error_streak=state.consecutive_errors if state else 0,
        items_per_day=round(recent_items.get(name, 0) / days, 2),
        next_due_at=due,
    )
