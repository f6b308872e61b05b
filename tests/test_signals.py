"""Measures and states: pure functions, checked on hand-made series and on simulated small counts."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from radar.signals import STATES, SignalParams, TopicSeries, classify, compute_measures

AS_OF = date(2026, 6, 30)
P = SignalParams()


def _series(
    counts: dict[int, int],
    sources_per_day: int = 2,
    first_seen_ago: int | None = None,
    peak_weekly: float = 0.0,
) -> TopicSeries:
    """``counts``: {days before AS_OF: items}."""
    daily = {AS_OF - timedelta(days=ago): n for ago, n in counts.items() if n}
    # Sources rotate from day to day, so a topic with one item a day still reaches several of them.
    sources = {
        day: frozenset(f"s{(day.toordinal() + k) % sources_per_day}" for k in range(n))
        for day, n in daily.items()
    }
    first = AS_OF - timedelta(days=first_seen_ago if first_seen_ago is not None else max(counts, default=0))
    return TopicSeries(daily_items=daily, daily_sources=sources, first_seen=first, peak_weekly=peak_weekly)


def _totals(per_day: int = 100, days: int = 60) -> dict[date, int]:
    return {AS_OF - timedelta(days=ago): per_day for ago in range(days)}


def test_flat_topic_has_no_growth() -> None:
    m = compute_measures(_series(dict.fromkeys(range(42), 2)), _totals(), AS_OF, P)
    assert m.growth == pytest.approx(1.0, abs=0.1)
    assert abs(m.growth_z) < 1
    assert classify(m, P).state != "weak"


def test_small_rising_topic_is_weak_with_its_evidence() -> None:
    counts = dict.fromkeys(range(0, 14, 2), 1) | {30: 1}  # 7 items in two weeks, 1 before
    m = compute_measures(
        _series(counts, sources_per_day=3, first_seen_ago=30), _totals(), AS_OF, P, mean_topic_share=0.05
    )
    result = classify(m, P)
    assert result.state == "weak", result.evidence["rule"]
    assert "trend_z" in result.evidence["rule"] and "sources_recent" in result.evidence["rule"]
    assert result.evidence["measures"]["items_recent"] == 7
    assert 0 < result.score <= 1


def test_one_source_never_makes_a_movement() -> None:
    counts = dict.fromkeys(range(0, 14), 2) | {30: 1}
    m = compute_measures(_series(counts, sources_per_day=1, first_seen_ago=30), _totals(), AS_OF, P)
    assert m.sources_recent == 1
    assert classify(m, P).state not in {"weak", "emerging"}


def test_strong_rise_is_emerging() -> None:
    counts = dict.fromkeys(range(0, 14), 3) | dict.fromkeys(range(20, 42, 4), 1)
    m = compute_measures(_series(counts, sources_per_day=3), _totals(), AS_OF, P, mean_topic_share=0.05)
    assert classify(m, P).state == "emerging"


def test_young_burst_is_a_spike_then_fades() -> None:
    burst = dict.fromkeys(range(0, 4), 6)
    m = compute_measures(_series(burst, sources_per_day=3, first_seen_ago=3), _totals(), AS_OF, P)
    assert classify(m, P).state == "spike"
    # Four weeks later the same topic is quiet: fading, with its peak remembered.
    later = AS_OF + timedelta(days=28)
    history = {AS_OF - timedelta(days=ago): 6 for ago in range(0, 4)}
    quiet = TopicSeries(
        daily_items={later - timedelta(days=3): 1},
        daily_sources={},
        first_seen=AS_OF - timedelta(days=3),
        peak_weekly=m.peak_weekly,
        history=history,
    )
    totals = _totals() | {later - timedelta(days=ago): 100 for ago in range(30)}
    faded = classify(compute_measures(quiet, totals, later, P), P)
    assert faded.state == "fading", faded.evidence["rule"]


def test_mainstream_is_relative_to_the_average_topic() -> None:
    counts = dict.fromkeys(range(42), 8)  # 8% of all items, steady, old
    m_many = compute_measures(
        _series(counts, sources_per_day=4, first_seen_ago=90), _totals(), AS_OF, P, mean_topic_share=0.02
    )
    m_few = compute_measures(
        _series(counts, sources_per_day=4, first_seen_ago=90), _totals(), AS_OF, P, mean_topic_share=0.2
    )
    assert classify(m_many, P).state == "mainstream"
    assert classify(m_few, P).state == "noise"  # with 5 topics, 8% is below average


def test_growth_is_measured_on_share_not_volume() -> None:
    counts = dict.fromkeys(range(42), 2)
    doubled_volume = {day: (200 if (AS_OF - day).days < 14 else 100) for day in _totals()}
    doubled_topic = {ago: (4 if ago < 14 else 2) for ago in range(42)}
    same_share = compute_measures(_series(doubled_topic), doubled_volume, AS_OF, P)
    assert same_share.growth == pytest.approx(1.0, abs=0.1)
    assert compute_measures(_series(counts), doubled_volume, AS_OF, P).growth < 0.7


def test_no_growth_claimed_without_a_baseline() -> None:
    totals = {AS_OF - timedelta(days=ago): 50 for ago in range(10)}  # the corpus starts 10 days ago
    m = compute_measures(_series(dict.fromkeys(range(10), 3), first_seen_ago=40), totals, AS_OF, P)
    assert m.growth <= 1.0


def test_poisson_noise_rarely_looks_weak() -> None:
    """A topic at a steady 0.5-3 items a day, drawn at random, is flagged weak or emerging < 3% of the time"""
    rng = random.Random(7)
    flagged = trials = 0
    for rate in (0.5, 1.0, 3.0):
        for _ in range(300):
            counts = {ago: _poisson(rng, rate) for ago in range(42)}
            m = compute_measures(
                _series(counts, sources_per_day=3, first_seen_ago=60),
                _totals(),
                AS_OF,
                P,
                mean_topic_share=0.05,
            )
            flagged += classify(m, P).state in {"weak", "emerging"}
            trials += 1
    assert flagged / trials < 0.03, f"{flagged}/{trials} steady topics were flagged"


def test_doubling_at_two_items_a_day_is_caught() -> None:
    rng = random.Random(11)
    caught = 0
    for _ in range(200):
        counts = {ago: _poisson(rng, 2.0 if ago < 14 else 0.5) for ago in range(42)}
        m = compute_measures(
            _series(counts, sources_per_day=3, first_seen_ago=60), _totals(), AS_OF, P, mean_topic_share=0.05
        )
        caught += classify(m, P).state in {"weak", "emerging"}
    assert caught / 200 > 0.9


def test_every_state_is_known() -> None:
    assert set(STATES) == {"noise", "weak", "emerging", "mainstream", "fading", "spike"}


def _poisson(rng: random.Random, rate: float) -> int:
    # Knuth's method: fine for the small rates used here.
    limit, k, product = pow(2.718281828459045, -rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def test_a_burst_inside_an_existing_theme_is_a_spike_and_runs_down_as_one() -> None:
    # A security theme at ~0.5 a day, then 20 items in five days (a vulnerability everyone patches).
    base = dict.fromkeys(range(8, 42, 2), 1)
    burst = base | dict.fromkeys(range(0, 5), 4)
    m = compute_measures(_series(burst, sources_per_day=3, first_seen_ago=60), _totals(), AS_OF, P, 0.05)
    assert m.items_older > m.items_persist // 4  # not "mostly new": only the week-over-week jump tells
    first = classify(m, P)
    assert first.state == "spike", first.evidence["rule"]
    # A week later it is still big over two weeks but its last week is smaller: still a spike, not emerging.
    later = AS_OF + timedelta(days=7)
    counts = {ago + 7: n for ago, n in burst.items()} | dict.fromkeys(range(0, 7, 2), 1)
    daily = {later - timedelta(days=ago): n for ago, n in counts.items()}
    series = TopicSeries(
        daily,
        {d: frozenset({f"s{d.toordinal() % 3}"}) for d in daily},
        AS_OF - timedelta(days=60),
        peak_weekly=m.peak_weekly,
    )
    totals = _totals() | {later - timedelta(days=ago): 100 for ago in range(7)}
    second = classify(compute_measures(series, totals, later, P, 0.05), P, previous_state="spike")
    assert second.state in {"spike", "fading"}, second.evidence["rule"]
    assert "was spike" in second.evidence["rule"]


def test_a_rise_that_keeps_rising_after_a_spike_call_is_judged_afresh() -> None:
    counts = dict.fromkeys(range(0, 7), 3) | dict.fromkeys(range(7, 14), 1) | {30: 1}
    m = compute_measures(_series(counts, sources_per_day=3, first_seen_ago=30), _totals(), AS_OF, P, 0.05)
    assert m.items_last_week > m.items_prev_week
    assert classify(m, P, previous_state="spike").evidence["rule"].split(":")[0] != "was spike"
