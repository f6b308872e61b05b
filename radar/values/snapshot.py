"""The radar snapshot of one profile: placed topics laid out for a polar chart (pure).

Sectors are the profile's values in declaration order, plus one last sector for topics close to no value;
rings are states, from the centre (mainstream: already everyone's) to the edge (noise). A topic's angle
inside its sector is fixed by its id, so that a topic does not jump around the chart from run to run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from radar.settings import BrandProfile
from radar.values.placement import Placement, TopicInput, polar_angle

VERSION = 1
RINGS = ("mainstream", "emerging", "weak", "spike", "fading", "noise")
UNALIGNED = "(no value)"
_STANCE_ORDER = {"risk": 0, "opportunity": 1, "neutral": 2}


def sectors(profile: BrandProfile) -> list[dict[str, Any]]:
    names: list[str | None] = [value.name for value in profile.values]
    names.append(None)
    span = 360.0 / len(names)
    weights = {value.name: value.weight for value in profile.values}
    return [
        {
            "name": name,
            "label": name or UNALIGNED,
            "weight": weights.get(name or "", 0.0),
            "start_deg": round(i * span, 2),
            "end_deg": round((i + 1) * span, 2),
        }
        for i, name in enumerate(names)
    ]


def build_snapshot(
    profile: BrandProfile,
    run_id: int,
    as_of: datetime,
    topics: Sequence[TopicInput],
    placements: Sequence[Placement],
    say_do: dict[str, Any],
) -> dict[str, Any]:
    """The JSON-ready snapshot: risks first, then opportunities, then the rest, each by momentum."""
    layout = sectors(profile)
    index = {sector["name"]: i for i, sector in enumerate(layout)}
    rows: list[dict[str, Any]] = []
    for topic, placed in zip(topics, placements, strict=True):
        rows.append(
            {
                "id": topic.id,
                "label": topic.label,
                "state": topic.state,
                "ring": RINGS.index(topic.state) if topic.state in RINGS else len(RINGS) - 1,
                "angle": polar_angle(topic.id, index[placed.sector], len(layout)),
                "momentum": round(topic.momentum, 4),
                "size": topic.size,
                "sector": placed.sector,
                "stance": placed.stance,
                "reason": placed.reason,
                "because": {"name": placed.because, "score": placed.score} if placed.because else None,
                "alignment": placed.alignment,
                "contradiction": placed.contradiction,
                "evidence": placed.evidence,
            }
        )
    rows.sort(key=lambda row: (_STANCE_ORDER[row["stance"]], -row["momentum"], row["id"]))
    counts = dict.fromkeys(_STANCE_ORDER, 0)
    for row in rows:
        counts[row["stance"]] += 1
    return {
        "version": VERSION,
        "profile": profile.name,
        "description": profile.description,
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "sectors": layout,
        "rings": list(RINGS),
        "red_lines": [line.name for line in profile.red_lines],
        "counts": counts,
        "topics": rows,
        "say_do": say_do,
    }


def empty_snapshot(profile: BrandProfile) -> dict[str, Any]:
    """What is served before the first analysis run."""
    return {
        "version": VERSION,
        "profile": profile.name,
        "description": profile.description,
        "run_id": None,
        "as_of": None,
        "sectors": sectors(profile),
        "rings": list(RINGS),
        "red_lines": [line.name for line in profile.red_lines],
        "counts": dict.fromkeys(_STANCE_ORDER, 0),
        "topics": [],
        "say_do": {"own_sources": [], "own_items": 0, "values": []},
    }
