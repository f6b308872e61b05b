"""The radar snapshot of one profile: placed topics laid out for a polar chart (pure).

Sectors are the profile's values in declaration order, plus one last sector for topics close to no value;
rings are states, from the centre (mainstream: already everyone's) to the edge (noise). A topic's angle
inside its sector is fixed by its id, so that a topic does not jump around the chart from run to run.

The snapshot is what a chart and a list need, and is read on every radar request: each topic's alignment
is a list of scores in the order of the snapshot's ``alignment_keys`` (values, then red lines), rounded to 3
decimals. The heavy part, each score's evidence (closest items, matched phrase, terms) and the
contradiction scores, is kept apart (:func:`build_evidence`) and read one topic at a time: carried inside
the snapshot, it made a 5,000-topic snapshot 4.8 MB and its cached read 230 ms (bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from radar.settings import BrandProfile
from radar.values.placement import Placement, TopicInput, polar_angle

VERSION = 2  # 2: alignment as a list, evidence kept apart
EVIDENCE = "evidence"  # top-level key of the stored form: {topic id: evidence}, see stored_form
ALIGNMENT_DECIMALS = 3
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


def alignment_keys(profile: BrandProfile) -> list[str]:
    """The names a topic's ``alignment`` list is aligned with: the values in sector order, then red lines."""
    return [value.name for value in profile.values] + [line.name for line in profile.red_lines]


def alignment_of(snapshot: Mapping[str, Any], topic: Mapping[str, Any]) -> dict[str, float]:
    """A topic's alignment as a {name: score} mapping (the snapshot stores a list, for size)."""
    scores = topic.get("alignment") or []
    if isinstance(scores, Mapping):  # a version 1 snapshot, stored before the list
        return {str(name): float(score) for name, score in scores.items()}
    return dict(zip(snapshot.get("alignment_keys") or [], scores, strict=False))


def build_evidence(placements: Sequence[Placement]) -> dict[str, dict[str, Any]]:
    """Per topic id: the evidence behind each score above 0, and the contradiction scores."""
    return {
        placed.topic_id: {"evidence": placed.evidence, "contradiction": placed.contradiction}
        for placed in placements
    }


def stored_form(snapshot: dict[str, Any], evidence: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the store keeps for one profile and run: the snapshot, and the evidence under ``EVIDENCE``
    (the store stays the one source the cache is rebuilt from, evidence included)."""
    return {**snapshot, EVIDENCE: evidence}


def from_stored(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The snapshot and the evidence of a stored payload (see :func:`stored_form`)."""
    snapshot = dict(payload)
    evidence: dict[str, dict[str, Any]] = snapshot.pop(EVIDENCE, None) or {}
    return snapshot, evidence


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
    keys = alignment_keys(profile)
    rows: list[dict[str, Any]] = []
    for topic, placed in zip(topics, placements, strict=True):
        alignment = placed.alignment
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
                "alignment": [round(alignment.get(name, 0.0), ALIGNMENT_DECIMALS) for name in keys],
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
        "alignment_keys": keys,
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
        "alignment_keys": alignment_keys(profile),
        "counts": dict.fromkeys(_STANCE_ORDER, 0),
        "topics": [],
        "say_do": {"own_sources": [], "own_items": 0, "values": []},
    }
