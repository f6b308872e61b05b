"""What changed between two snapshots of one profile (pure): new and gone topics, state transitions,
placement changes (sector or stance) and the biggest movers in momentum."""

from __future__ import annotations

from typing import Any

MOVERS = 10
MIN_MOVE = 0.1  # a smaller change in log2 growth is noise in the counts


def _brief(topic: dict[str, Any]) -> dict[str, Any]:
    return {k: topic[k] for k in ("id", "label", "state", "sector", "stance", "momentum")}


def compute_deltas(previous: dict[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """Deltas from ``previous`` (None: the first snapshot, every topic is new) to ``current``."""
    before = {topic["id"]: topic for topic in (previous or {}).get("topics", [])}
    now = {topic["id"]: topic for topic in current["topics"]}
    new = [_brief(topic) for topic_id, topic in now.items() if topic_id not in before]
    gone = [_brief(topic) for topic_id, topic in before.items() if topic_id not in now]
    states, placements, moves = [], [], []
    for topic_id, topic in now.items():
        old = before.get(topic_id)
        if old is None:
            continue
        if old["state"] != topic["state"]:
            states.append(
                {"id": topic_id, "label": topic["label"], "from": old["state"], "to": topic["state"]}
            )
        if old["sector"] != topic["sector"] or old["stance"] != topic["stance"]:
            placements.append(
                {
                    "id": topic_id,
                    "label": topic["label"],
                    "sector_from": old["sector"],
                    "sector_to": topic["sector"],
                    "stance_from": old["stance"],
                    "stance_to": topic["stance"],
                }
            )
        change = topic["momentum"] - old["momentum"]
        if abs(change) >= MIN_MOVE:
            moves.append(
                {
                    "id": topic_id,
                    "label": topic["label"],
                    "momentum_from": old["momentum"],
                    "momentum_to": topic["momentum"],
                    "change": round(change, 4),
                    "stance": topic["stance"],
                }
            )
    moves.sort(key=lambda move: (-abs(move["change"]), move["id"]))
    return {
        "version": current.get("version", 1),
        "profile": current["profile"],
        "run_id": current["run_id"],
        "as_of": current["as_of"],
        "previous_run_id": previous["run_id"] if previous else None,
        "previous_as_of": previous["as_of"] if previous else None,
        "new_topics": new,
        "gone_topics": gone,
        "state_changes": states,
        "placement_changes": placements,
        "movers": moves[:MOVERS],
        "summary": {
            "new": len(new),
            "gone": len(gone),
            "state_changes": len(states),
            "placement_changes": len(placements),
            "movers": min(len(moves), MOVERS),
        },
    }


def is_empty(deltas: dict[str, Any]) -> bool:
    return not any(deltas["summary"].values())
