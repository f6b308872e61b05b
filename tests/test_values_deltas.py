"""Deltas, the say-do gap and the snapshot layout: pure functions of their inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np

from radar.settings import BrandProfile
from radar.values.deltas import MOVERS, compute_deltas, is_empty
from radar.values.placement import Placement, TopicInput
from radar.values.saydo import SectorTopic, say_do, verdict
from radar.values.snapshot import RINGS, build_snapshot, empty_snapshot, sectors

PROFILE = BrandProfile.model_validate(
    {
        "name": "p",
        "values": [
            {"name": "A", "description": "a", "weight": 3},
            {"name": "B", "description": "b", "weight": 1},
        ],
        "red_lines": [{"name": "R", "description": "r"}],
    }
)


def _topic(
    topic_id: str,
    state: str = "weak",
    sector: str | None = "A",
    stance: str = "opportunity",
    momentum: float = 0.5,
) -> dict[str, Any]:
    return {
        "id": topic_id,
        "label": topic_id.upper(),
        "state": state,
        "sector": sector,
        "stance": stance,
        "momentum": momentum,
    }


def _snap(run_id: int, *topics: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": 1,
        "profile": "p",
        "run_id": run_id,
        "as_of": f"2026-11-{run_id:02d}",
        "topics": list(topics),
    }


def test_first_snapshot_makes_every_topic_new() -> None:
    deltas = compute_deltas(None, _snap(1, _topic("a"), _topic("b")))
    assert [t["id"] for t in deltas["new_topics"]] == ["a", "b"]
    assert deltas["previous_run_id"] is None and deltas["summary"]["new"] == 2


def test_new_gone_transitions_placements_and_movers() -> None:
    before = _snap(1, _topic("a"), _topic("b", momentum=0.1), _topic("c"), _topic("gone"))
    after = _snap(
        2,
        _topic("a", state="emerging"),  # a state transition, same placement
        _topic("b", momentum=1.6),  # a mover only
        _topic("c", sector="B", stance="risk", momentum=0.52),  # placement change, too small a move
        _topic("new"),
    )
    deltas = compute_deltas(before, after)
    assert deltas["previous_run_id"] == 1 and deltas["run_id"] == 2
    assert [t["id"] for t in deltas["new_topics"]] == ["new"]
    assert [t["id"] for t in deltas["gone_topics"]] == ["gone"]
    assert deltas["state_changes"] == [{"id": "a", "label": "A", "from": "weak", "to": "emerging"}]
    assert deltas["placement_changes"] == [
        {
            "id": "c",
            "label": "C",
            "sector_from": "A",
            "sector_to": "B",
            "stance_from": "opportunity",
            "stance_to": "risk",
        }
    ]
    assert [(m["id"], m["change"]) for m in deltas["movers"]] == [("b", 1.5)]
    assert not is_empty(deltas)


def test_same_snapshot_gives_empty_deltas_and_movers_are_capped() -> None:
    snap = _snap(1, _topic("a"))
    assert is_empty(compute_deltas(snap, {**snap, "run_id": 2}))
    before = _snap(1, *[_topic(f"t{i:02d}", momentum=0.0) for i in range(30)])
    after = _snap(2, *[_topic(f"t{i:02d}", momentum=i / 10) for i in range(30)])
    movers = compute_deltas(before, after)["movers"]
    assert len(movers) == MOVERS and movers[0]["id"] == "t29"  # the biggest first


def test_say_do_rows_and_verdicts() -> None:
    topics = [
        SectorTopic("A", "opportunity", momentum=1.0, culture_items=3),
        SectorTopic("A", "neutral", momentum=0.0, culture_items=1),
        SectorTopic("A", "risk", momentum=-3.0, culture_items=50),  # a scandal is not the culture moving
        SectorTopic("B", "neutral", momentum=-1.0, culture_items=0),  # only the brand's own echo
    ]
    rows = say_do({"A": 3, "B": 1}, {"A": 1, "B": 6}, 10, topics)
    a, b = rows
    assert a["declared_share"] == 0.75 and a["output_share"] == 0.1 and a["momentum"] == 0.75
    assert a["verdict"] == "says-more-than-does" and "moment to act" in a["text"] and "rising" in a["text"]
    assert b["verdict"] == "does-more-than-says" and b["momentum"] is None and "No topic" in b["text"]
    assert verdict("C", 1, 0.5, 0.45, -0.5)["verdict"] == "consistent"
    assert "cooling" in verdict("C", 1, 0.5, 0.45, -0.5)["text"]
    assert verdict("C", 0, 0.0, 0.2, None)["verdict"] == "not-claimed"
    assert say_do({"A": 1}, {}, 0, [])[0]["verdict"] == "unmeasured"


def test_snapshot_is_ready_for_a_polar_chart() -> None:
    layout = sectors(PROFILE)
    assert [s["label"] for s in layout] == ["A", "B", "(no value)"] and layout[-1]["end_deg"] == 360.0
    topics = [
        TopicInput(
            id=f"t{i}",
            label=f"T{i}",
            state=state,
            momentum=float(i),
            size=3,
            vectors=np.zeros((1, 2), np.float32),
        )
        for i, state in enumerate(["weak", "mainstream", "noise"])
    ]
    placements = [
        Placement(
            "t0", {"A": 0.3, "B": 0.0, "R": 0.0}, {}, "A", "opportunity", "why", {}, because="A", score=0.3
        ),
        Placement("t1", {"A": 0.0, "B": 0.0, "R": 0.4}, {}, None, "risk", "why", {}, because="R", score=0.4),
        Placement("t2", {"A": 0.0, "B": 0.2, "R": 0.0}, {}, "B", "neutral", "why", {}),
    ]
    snap = build_snapshot(PROFILE, 5, datetime(2026, 11, 15, tzinfo=UTC), topics, placements, {"values": []})
    assert snap["run_id"] == 5 and snap["as_of"].startswith("2026-11-15") and snap["profile"] == "p"
    assert [t["id"] for t in snap["topics"]] == ["t1", "t0", "t2"]  # risks, opportunities, then the rest
    by_id = {t["id"]: t for t in snap["topics"]}
    assert by_id["t0"]["ring"] == RINGS.index("weak") and 0 < by_id["t0"]["angle"] < 120
    assert 240 < by_id["t1"]["angle"] < 360  # no value: the last sector
    assert by_id["t1"]["because"] == {"name": "R", "score": 0.4} and by_id["t2"]["because"] is None
    assert snap["counts"] == {"risk": 1, "opportunity": 1, "neutral": 1}
    assert empty_snapshot(PROFILE)["topics"] == [] and empty_snapshot(PROFILE)["run_id"] is None
