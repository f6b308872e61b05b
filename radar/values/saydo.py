"""The say-do gap: what the brand declares against what it publishes, beside where the culture is going.

Pure. Per declared value::

    declared_share = weight / sum(weights)
    output_share   = own items whose closest value is this one (score above 0) / all own items
    ratio          = output_share / declared_share
    momentum       = mean momentum of the topics in the value's sector that are not risks, weighted by their
                     items from sources the brand does not own (the culture, not the brand's echo)

The verdict reads the ratio (below 0.5: the brand says more than it does; above 1.5: it does more than it
says; otherwise consistent) and the momentum (at least +0.25: rising; at most -0.25: cooling).

An own post counts for the value it scores highest on when that score is above 0, i.e. when it is closer to
the value than 97.7% of neutral sentences (the item floor). A post is one text, so the bar is lower than
ALIGNED for topics: a single post rarely reaches a topic's score, and the share is a relative allocation of
the brand's output, not a claim that each post is a strong match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from radar.values.placement import MOMENTUM_RISING

SAYS_MORE = 0.5
DOES_MORE = 1.5


@dataclass(frozen=True, slots=True)
class SectorTopic:
    """What the say-do gap needs of a placed topic."""

    sector: str | None
    stance: str
    momentum: float
    culture_items: int  # items from sources the brand does not own


def culture_momentum(topics: Sequence[SectorTopic], value: str) -> tuple[float | None, int]:
    """Weighted mean momentum of the topics for ``value`` and how many (None when there are none)."""
    # Risks are another story (a scandal in the sector is not the culture moving towards the value).
    related = [t for t in topics if t.sector == value and t.stance != "risk" and t.culture_items > 0]
    weight = sum(t.culture_items for t in related)
    if not weight:
        return None, 0
    return sum(t.momentum * t.culture_items for t in related) / weight, len(related)


def say_do(
    weights: Mapping[str, float],
    own_counts: Mapping[str, int],
    own_total: int,
    topics: Sequence[SectorTopic],
) -> list[dict[str, Any]]:
    """One row per declared value, in declaration order."""
    total_weight = sum(weights.values())
    rows = []
    for value, weight in weights.items():
        declared = weight / total_weight if total_weight else 0.0
        output = own_counts.get(value, 0) / own_total if own_total else None
        momentum, related = culture_momentum(topics, value)
        rows.append(
            {
                "value": value,
                "weight": weight,
                "declared_share": round(declared, 4),
                "own_items": own_counts.get(value, 0),
                "output_share": round(output, 4) if output is not None else None,
                "momentum": round(momentum, 4) if momentum is not None else None,
                "related_topics": related,
                **verdict(value, weight, declared, output, momentum),
            }
        )
    return rows


def verdict(
    value: str, weight: float, declared: float, output: float | None, momentum: float | None
) -> dict[str, str]:
    """A verdict code and a sentence a board member can read."""
    culture = _culture(momentum)
    if output is None:
        return {
            "verdict": "unmeasured",
            "text": f"No owned source published in the window, so what we do about {value} cannot be "
            f"measured. {culture}",
        }
    pct_out, pct_declared = f"{output:.0%}", f"{declared:.0%}"
    if weight == 0:
        code, text = "not-claimed", f"We do not claim {value}; {pct_out} of what we publish is about it."
    elif output < SAYS_MORE * declared:
        code = "says-more-than-does"
        text = (
            f"We claim {value} ({pct_declared} of our declared weight) but only {pct_out} of what we publish "
            "is about it."
        )
        if momentum is not None and momentum >= MOMENTUM_RISING:
            text += " The culture is moving on it: a moment to act, not just to claim."
    elif output > DOES_MORE * declared:
        code = "does-more-than-says"
        text = f"{pct_out} of what we publish is about {value}, more than its {pct_declared} of our claims."
    else:
        code = "consistent"
        text = (
            f"What we publish matches what we claim: {pct_out} of our output, {pct_declared} of our claims."
        )
    return {"verdict": code, "text": f"{text} {culture}"}


def _culture(momentum: float | None) -> str:
    if momentum is None:
        return "No topic in the culture sits under it right now."
    if momentum >= MOMENTUM_RISING:
        return f"The culture around it is rising (momentum {momentum:+.2f})."
    if momentum <= -MOMENTUM_RISING:
        return f"The culture around it is cooling (momentum {momentum:+.2f})."
    return f"The culture around it is steady (momentum {momentum:+.2f})."
