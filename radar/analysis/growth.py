"""Growth of a topic from its daily counts: pure functions, stable with a handful of items a day."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

# A pseudo-count added to both spans: with 1-3 items a day, a single item must not read as "x3".
PRIOR_ITEMS = 1.0


def growth_ratio(daily: Mapping[date, int], as_of: date, recent_days: int, window_days: int) -> float:
    """Smoothed ratio of the recent daily rate to the baseline daily rate before it.

    ``recent`` is the last ``recent_days`` up to ``as_of`` (inclusive); the baseline is the rest of the
    window before it. 1.0 means flat, 2.0 doubling, below 1 shrinking. With no baseline span (a window no
    longer than the recent span) the ratio is 1.0: growth cannot be told.
    """
    baseline_days = window_days - recent_days
    if baseline_days <= 0:
        return 1.0
    recent_start = as_of - timedelta(days=recent_days - 1)
    window_start = as_of - timedelta(days=window_days - 1)
    recent = sum(n for day, n in daily.items() if recent_start <= day <= as_of)
    baseline = sum(n for day, n in daily.items() if window_start <= day < recent_start)
    recent_rate = (recent + PRIOR_ITEMS) / recent_days
    baseline_rate = (baseline + PRIOR_ITEMS) / baseline_days
    return recent_rate / baseline_rate
