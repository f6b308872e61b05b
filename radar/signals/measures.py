"""Per-topic measures from daily counts: growth, acceleration, persistence, spread, novelty, share.

Small counts are the normal case for weak signals, so every ratio is smoothed with a prior (pseudo-counts)
and growth comes with the sigmas of tests that say whether a rise is more than chance. Growth is measured on
the topic's share of all items, so adding sources (more items everywhere) does not make every topic grow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from statistics import NormalDist
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SignalParams(BaseModel):
    """Thresholds of the measures and the state rules (``[signals]`` in settings.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recent_days: int = Field(default=14, ge=1, le=60, description="Span whose volume is compared.")
    baseline_days: int = Field(default=28, ge=7, le=365, description="Span before it, the baseline.")
    persistence_days: int = Field(default=14, ge=3, le=90, description="Span in which active days count.")
    prior_items: float = Field(default=1.0, gt=0, description="Pseudo-items added to both spans.")
    weak_min_items: int = Field(default=3, ge=1, description="Weak: at least this many recent items.")
    weak_min_growth: float = Field(default=1.5, gt=1, description="Weak: smoothed growth at least this.")
    weak_min_z: float = Field(default=2.0, ge=0, description="Weak: rise at least this many sigmas.")
    weak_min_active_days: int = Field(default=3, ge=1, description="Weak: active days in persistence span.")
    min_sources: int = Field(default=2, ge=1, description="Weak/emerging: distinct sources reached.")
    emerging_min_items: int = Field(default=8, ge=1, description="Emerging: at least this many recent items.")
    emerging_min_share: float = Field(default=0.01, ge=0, le=1, description="... or this share of all items.")
    emerging_min_growth: float = Field(default=2.0, gt=1, description="Emerging: smoothed growth.")
    emerging_min_z: float = Field(default=3.0, ge=0, description="Emerging: rise in sigmas.")
    mainstream_min_share: float = Field(
        default=0.05, gt=0, le=1, description="Mainstream: share of items ..."
    )
    mainstream_rel_share: float = Field(
        default=2.0, ge=1, description="... and this many times the average topic's share."
    )
    mainstream_min_age_days: int = Field(default=28, ge=0, description="Mainstream: age of the topic.")
    spike_min_items: int = Field(
        default=12, ge=2, description="Spike: this many items in the last 14 days ..."
    )
    spike_min_share: float = Field(default=0.08, ge=0, le=1, description="... or this share of them,")
    spike_max_active_days: int = Field(default=10, ge=1, description="... on at most this many days,")
    spike_min_jump: float = Field(
        default=5.0, gt=1, description="... or a week at least this many times the week before."
    )
    rising_min_peak_ratio: float = Field(
        default=0.6, gt=0, le=1, description="Weak/emerging: weekly rate at least this x its own peak."
    )
    fade_ratio: float = Field(default=0.35, gt=0, lt=1, description="Fading: weekly rate below this x peak.")
    fade_min_peak: float = Field(default=4.0, gt=0, description="Fading: the weekly peak was at least this.")


@dataclass(frozen=True, slots=True)
class TopicSeries:
    """What is known of one topic at ``as_of``: daily items and sources, and its history."""

    daily_items: Mapping[date, int]
    daily_sources: Mapping[date, frozenset[str]]
    first_seen: date
    peak_weekly: float = 0.0
    novelty: float = 1.0
    history: Mapping[date, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Measures:
    items_recent: int
    items_baseline: int
    items_persist: int
    items_older: int
    items_last_week: int
    items_prev_week: int
    week_jump: float
    expected_recent: float
    growth: float
    growth_z: float
    trend_z: float
    acceleration: float
    active_days: int
    persistence: float
    sources_recent: int
    sources_total: int
    share_recent: float
    total_recent: int
    mean_topic_share: float
    novelty: float
    age_days: int
    weekly_rate: float
    peak_weekly: float

    def as_dict(self) -> dict[str, Any]:
        return {
            key: (round(value, 4) if isinstance(value, float) else value)
            for key, value in asdict(self).items()
        }


def rise_sigmas(recent: int, baseline: int, total_recent: int, total_baseline: int) -> float:
    """How surprising ``recent`` is given ``baseline``, in sigmas (the exact test for two Poisson rates).

    Given the topic's ``recent + baseline`` items, each falls in the recent span with the probability that
    any item does (its share of all items). The one-sided binomial tail P(X >= recent) is turned into
    sigmas of a normal, so that 2.0 means "as unlikely as a two-sigma rise". It accounts for the
    uncertainty of a baseline of a few items, which a plain z-score on the expected count ignores.
    """
    n = recent + baseline
    if n == 0 or total_recent == 0:
        return 0.0
    share = total_recent / (total_recent + total_baseline) if total_baseline else 1.0
    if share >= 1.0:
        return 0.0
    tail = _binomial_tail(recent, n, share)
    tail = min(max(tail, 1e-12), 1.0 - 1e-12)
    return -NormalDist().inv_cdf(tail)


def trend_sigmas(counts: Mapping[date, int], totals: Mapping[date, int], start: date, end: date) -> float:
    """Sigmas of a rising share over ``[start, end]`` (Cochran-Armitage test for trend).

    Given the topic's n items in the span, under "no trend" each falls on day d with the probability that
    any item does (its share of the span's volume). The statistic weighs each item by how late it came; a
    gradual ramp that no two-span comparison can tell from chance at a few items a week shows here, since
    every day of the span contributes.
    """
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    volume = [totals.get(day, 0) for day in days]
    grand = sum(volume)
    n = sum(counts.get(day, 0) for day in days)
    if grand == 0 or n < 2:
        return 0.0
    weights = [v / grand for v in volume]
    mean_t = sum(w * t for t, w in enumerate(weights))
    var_t = sum(w * (t - mean_t) ** 2 for t, w in enumerate(weights))
    if var_t <= 0:
        return 0.0
    score = sum(counts.get(day, 0) * (t - mean_t) for t, day in enumerate(days))
    return score / math.sqrt(n * var_t)


def _binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if n > 2000:  # normal approximation with continuity correction; exact sums get slow
        mean, sd = n * p, math.sqrt(n * p * (1 - p))
        return 1.0 - NormalDist(mean, sd).cdf(k - 0.5)
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return math.exp(top) * sum(math.exp(term - top) for term in terms)


def _span_sum(counts: Mapping[date, int], start: date, end: date) -> int:
    return sum(n for day, n in counts.items() if start <= day <= end)


def compute_measures(
    series: TopicSeries,
    total_daily: Mapping[date, int],
    as_of: date,
    params: SignalParams,
    mean_topic_share: float = 0.0,
) -> Measures:
    """Measures of one topic as of ``as_of`` (inclusive). ``total_daily`` counts all items per day;
    ``mean_topic_share`` is the share an average topic of the same run holds (1 / number of topics)."""
    counts = {**series.history, **series.daily_items}
    recent_start = as_of - timedelta(days=params.recent_days - 1)
    base_end = recent_start - timedelta(days=1)
    base_start = base_end - timedelta(days=params.baseline_days - 1)
    recent = _span_sum(counts, recent_start, as_of)
    baseline = _span_sum(counts, base_start, base_end)
    total_recent = _span_sum(total_daily, recent_start, as_of)
    total_baseline = _span_sum(total_daily, base_start, base_end)

    # Expected recent count if the topic kept its baseline share of a volume that may itself have moved.
    # The pseudo-item keeps a topic with no baseline from reading as infinite growth; with no baseline
    # volume at all (the very start of a corpus) expected equals the whole recent volume: no growth claimed.
    prior = params.prior_items
    base_share = (baseline + prior) / (total_baseline + prior)
    expected = base_share * total_recent
    growth = (recent + prior) / (expected + prior)
    growth_z = rise_sigmas(recent, baseline, total_recent, total_baseline)
    trend_z = trend_sigmas(counts, total_daily, base_start, as_of)

    week = params.recent_days
    previous = _span_sum(counts, recent_start - timedelta(days=week), base_end)
    before = _span_sum(
        counts, recent_start - timedelta(days=2 * week), recent_start - timedelta(days=week + 1)
    )
    acceleration = math.log((recent + prior) / (previous + prior)) - math.log(
        (previous + prior) / (before + prior)
    )

    persist_start = as_of - timedelta(days=params.persistence_days - 1)
    items_persist = _span_sum(counts, persist_start, as_of)
    last_week = _span_sum(counts, as_of - timedelta(days=6), as_of)
    prev_week = _span_sum(counts, as_of - timedelta(days=13), as_of - timedelta(days=7))
    items_older = sum(n for day, n in counts.items() if day < persist_start)
    active_days = sum(1 for day, n in counts.items() if n > 0 and persist_start <= day <= as_of)
    sources_recent = len(
        set().union(*(s for day, s in series.daily_sources.items() if persist_start <= day <= as_of))
    )
    sources_total = len(set().union(*series.daily_sources.values())) if series.daily_sources else 0
    # The weekly rate over the persistence span, not the last week alone: one quiet week is not a fade.
    weekly_rate = items_persist * 7.0 / params.persistence_days
    return Measures(
        items_recent=recent,
        items_baseline=baseline,
        items_persist=items_persist,
        items_older=items_older,
        items_last_week=last_week,
        items_prev_week=prev_week,
        week_jump=(last_week + prior) / (prev_week + prior),
        expected_recent=expected,
        growth=growth,
        growth_z=growth_z,
        trend_z=trend_z,
        acceleration=acceleration,
        active_days=active_days,
        persistence=active_days / params.persistence_days,
        sources_recent=sources_recent,
        sources_total=sources_total,
        share_recent=recent / total_recent if total_recent else 0.0,
        total_recent=total_recent,
        mean_topic_share=mean_topic_share,
        novelty=series.novelty,
        age_days=(as_of - series.first_seen).days,
        weekly_rate=weekly_rate,
        peak_weekly=max(series.peak_weekly, weekly_rate),
    )
