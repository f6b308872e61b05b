"""The six states, as a pure function of a topic's measures and the thresholds.

Rules are tried in this order; the first that holds decides, and its name and numbers are the evidence:

0. a spike whose last week was no bigger than the week before stays a spike until it fades
1. spike      born big on a few days of the last two weeks, or a week five times the one before
2. fading     its weekly rate fell well below its own peak
3. emerging   clearly growing (ratio and sigmas), with volume, persistence and several sources
4. mainstream a large, persistent share of everything seen (relative to the average topic)
5. weak       small but growing beyond chance, persistent, reaching more than one source
6. noise      none of the above

Unlike a percentile rule over popularity alone, every state needs persistence and spread where it claims a
movement, so a one-source flurry or a one-week burst is not called emerging.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from radar.signals.measures import Measures, SignalParams

STATES = ("noise", "weak", "emerging", "mainstream", "fading", "spike")


@dataclass(frozen=True, slots=True)
class Classification:
    state: str
    rule: str
    score: float
    evidence: dict[str, Any] = field(default_factory=dict)


def _check(name: str, value: float, op: str, threshold: float) -> tuple[bool, str]:
    ok = value >= threshold if op == ">=" else value <= threshold
    shown = f"{value:.3g}" if isinstance(value, float) else str(value)
    return ok, f"{name} {shown} {op} {threshold:g}"


def _all(checks: list[tuple[bool, str]]) -> tuple[bool, list[str]]:
    return all(ok for ok, _ in checks), [text for _, text in checks]


def _strength(m: Measures) -> float:
    """0..1: how strong the rise is, from its sigmas (logistic around 2 sigmas)."""
    return 1.0 / (1.0 + math.exp(-(m.growth_z - 2.0)))


def classify(m: Measures, p: SignalParams, previous_state: str | None = None) -> Classification:
    """The state of a topic from its measures; ``previous_state`` (its state at the last run) only
    matters for a burst running down, which stays a spike until it fades."""
    if previous_state == "spike" and m.items_last_week <= m.items_prev_week:
        fading = m.weekly_rate <= p.fade_ratio * m.peak_weekly
        state = "fading" if fading else "spike"
        op = "<=" if fading else ">"
        rule = (
            f"{state}: was spike; items_last_week {m.items_last_week} <= items_prev_week "
            f"{m.items_prev_week}; weekly_rate {m.weekly_rate:.3g} {op} {p.fade_ratio:g} x peak "
            f"{m.peak_weekly:.3g}"
        )
        score = 1.0 - m.weekly_rate / max(m.peak_weekly, 1e-9) if fading else min(1.0, m.items_persist / 24)
        return Classification(
            state, "a burst running down", round(score, 4), {"rule": rule, "measures": m.as_dict()}
        )
    return _classify(m, p)


def _classify(m: Measures, p: SignalParams) -> Classification:
    # In a large corpus a fixed count is nothing: emerging also needs a minimum share of recent volume.
    emerging_volume = max(p.emerging_min_items, math.ceil(p.emerging_min_share * m.total_recent))
    # "Large" is relative: in a run with 20 topics each holds 5% on average, and that is not mainstream.
    mainstream_share = round(max(p.mainstream_min_share, p.mainstream_rel_share * m.mean_topic_share), 4)
    rules: list[tuple[str, str, list[tuple[bool, str]], float]] = [
        (
            "spike",
            "born big: most items in the last two weeks",
            [
                (
                    m.items_persist >= p.spike_min_items
                    or m.share_recent >= p.spike_min_share
                    # A fivefold week with the volume of an emerging topic: a sudden onset is a spike until
                    # a second week of rise shows it holds (then it is judged afresh).
                    or (m.week_jump >= p.spike_min_jump and m.items_last_week >= emerging_volume),
                    f"items_persist {m.items_persist} >= {p.spike_min_items} or share_recent "
                    f"{m.share_recent:.3g} >= {p.spike_min_share:g} or items_last_week "
                    f"{m.items_last_week} >= {emerging_volume} with week_jump {m.week_jump:.3g}",
                ),
                (
                    (
                        # Nearly everything it has arrived lately, on a few days: a burst, not a build-up;
                        m.items_older <= m.items_persist // 4 and m.active_days <= p.spike_max_active_days
                    )
                    # or a week far above the one before (a burst inside a theme that already existed).
                    or m.week_jump >= p.spike_min_jump,
                    f"items_older {m.items_older} <= {m.items_persist // 4} and active_days "
                    f"{m.active_days} <= {p.spike_max_active_days}, or week_jump {m.week_jump:.3g} >= "
                    f"{p.spike_min_jump:g}",
                ),
            ],
            min(1.0, m.items_persist / (2 * p.spike_min_items)),
        ),
        (
            "fading",
            "weekly rate far below its peak",
            [
                _check("peak_weekly", m.peak_weekly, ">=", p.fade_min_peak),
                _check("weekly_rate", m.weekly_rate, "<=", round(p.fade_ratio * m.peak_weekly, 4)),
            ],
            1.0 - m.weekly_rate / max(m.peak_weekly, 1e-9),
        ),
        (
            "emerging",
            "strong rise with volume, persistence and spread",
            [
                _check("items_recent", m.items_recent, ">=", emerging_volume),
                _check("growth", m.growth, ">=", p.emerging_min_growth),
                _check("growth_z", m.growth_z, ">=", p.emerging_min_z),
                _check("active_days", m.active_days, ">=", p.weak_min_active_days),
                _check("sources_recent", m.sources_recent, ">=", p.min_sources),
                # Past its peak (a burst running down) is not rising, whatever the two spans say.
                _check("weekly_rate", m.weekly_rate, ">=", round(p.rising_min_peak_ratio * m.peak_weekly, 4)),
            ],
            _strength(m),
        ),
        (
            "mainstream",
            "large persistent share",
            [
                _check("share_recent", m.share_recent, ">=", mainstream_share),
                _check("items_recent", m.items_recent, ">=", emerging_volume),
                _check("age_days", m.age_days, ">=", p.mainstream_min_age_days),
                _check("active_days", m.active_days, ">=", p.weak_min_active_days),
            ],
            min(1.0, m.share_recent / (2 * mainstream_share)),
        ),
        (
            "weak",
            "small rise beyond chance, persistent, more than one source",
            [
                _check("items_recent", m.items_recent, ">=", p.weak_min_items),
                _check("growth", m.growth, ">=", p.weak_min_growth),
                _check("trend_z", m.trend_z, ">=", p.weak_min_z),
                _check("active_days", m.active_days, ">=", p.weak_min_active_days),
                _check("sources_recent", m.sources_recent, ">=", p.min_sources),
                # Past its peak (a burst running down) is not rising, whatever the two spans say.
                _check("weekly_rate", m.weekly_rate, ">=", round(p.rising_min_peak_ratio * m.peak_weekly, 4)),
            ],
            _strength(m),
        ),
    ]
    for state, description, checks, score in rules:
        holds, texts = _all(checks)
        if holds:
            return Classification(
                state,
                description,
                round(max(0.0, min(1.0, score)), 4),
                {"rule": f"{state}: " + "; ".join(texts), "measures": m.as_dict()},
            )
    return Classification(
        "noise", "no rule held", 0.0, {"rule": "noise: no rule held", "measures": m.as_dict()}
    )
