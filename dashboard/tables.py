"""Tables and small figures built from the radar's payloads (pure: no Streamlit, no store)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from dashboard.words import momentum_words, state_change_words, state_words, verdict_words
from radar.values.snapshot import alignment_of

SPARK_DAYS = 28


def sparkline(daily: Mapping[str, int], as_of: str | None, days: int = SPARK_DAYS) -> list[int]:
    """Items per day over the ``days`` ending at ``as_of``, zeros included (a quiet day is a fact)."""
    if not as_of:
        return []
    end = datetime.fromisoformat(as_of).date()
    return [int(daily.get((end - timedelta(days=n)).isoformat(), 0)) for n in range(days - 1, -1, -1)]


def rising_frame(deltas: Mapping[str, Any], payload: Mapping[str, Any]) -> pd.DataFrame:
    """What changed at the latest run: one row per topic that is new, changed state or moved, the
    biggest risers first. Sources, first-seen dates and the daily counts come from the topics payload."""
    topics = {topic["id"]: topic for topic in payload.get("topics", [])}
    rows: dict[str, dict[str, Any]] = {}

    def row(entry: Mapping[str, Any]) -> dict[str, Any]:
        topic = topics.get(entry["id"], {})
        return rows.setdefault(
            entry["id"],
            {
                "id": entry["id"],
                "Theme": entry["label"],
                "What changed": [],
                "State": state_words(topic.get("state") or entry.get("state")),
                "Momentum": None,
                "First seen": topic.get("first_seen"),
                "Sources": ", ".join(sorted((topic.get("evidence") or {}).get("sources") or {})),
                "Last 4 weeks": sparkline(topic.get("daily_counts") or {}, payload.get("as_of")),
            },
        )

    for entry in deltas.get("new_topics", []):
        found = row(entry)
        found["What changed"].append("new theme")
        found["Momentum"] = entry.get("momentum")
    for entry in deltas.get("state_changes", []):
        row(entry)["What changed"].append(state_change_words(entry["from"], entry["to"]))
    for entry in deltas.get("movers", []):
        found = row(entry)
        change = float(entry["change"])
        found["What changed"].append(f"{'gaining' if change > 0 else 'losing'} attention ({change:+.2f})")
        found["Momentum"] = entry.get("momentum_to")
    for entry in deltas.get("placement_changes", []):
        row(entry)["What changed"].append(
            f"now {entry['stance_to']} under {entry['sector_to'] or 'no value'}"
            f" (was {entry['stance_from']} under {entry['sector_from'] or 'no value'})"
        )
    frame = pd.DataFrame(
        [{**found, "What changed": "; ".join(found["What changed"])} for found in rows.values()],
        columns=["id", "Theme", "What changed", "State", "Momentum", "First seen", "Sources", "Last 4 weeks"],
    )
    if frame.empty:
        return frame
    frame["Trend"] = [momentum_words(float(m)) if m is not None else "" for m in frame["Momentum"]]
    frame = frame.sort_values("Momentum", ascending=False, na_position="last", kind="stable")
    return frame.reset_index(drop=True)


def alignment_matrix(snapshot: Mapping[str, Any], limit: int = 25) -> pd.DataFrame:
    """Topics × values (and red lines): how close each topic is to each, 0 to 1; topics close to none
    are left out, the most aligned first."""
    values = [sector["name"] for sector in snapshot["sectors"] if sector["name"]]
    columns = values + list(snapshot.get("red_lines", []))
    rows = {}
    for topic in snapshot["topics"]:
        alignment = alignment_of(snapshot, topic)
        scores = [float(alignment.get(name) or 0.0) for name in columns]
        if any(scores):
            rows[topic["label"]] = scores
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    if frame.empty:
        return frame
    order = frame.max(axis=1).sort_values(ascending=False, kind="stable").index
    return frame.loc[order].head(limit)


def say_do_frame(snapshot: Mapping[str, Any]) -> pd.DataFrame:
    rows = [
        {
            "Value": value["value"],
            "What we claim": float(value.get("declared_share") or 0.0),
            "What we publish": float(value.get("output_share") or 0.0),
            "Verdict": verdict_words(str(value.get("verdict", ""))),
            "In plain words": value.get("text", ""),
        }
        for value in (snapshot.get("say_do") or {}).get("values", [])
    ]
    return pd.DataFrame(
        rows, columns=["Value", "What we claim", "What we publish", "Verdict", "In plain words"]
    )


def timeline_frame(timeline: Mapping[str, Any], as_of: str | None) -> pd.DataFrame:
    """Items per day from the first active day to ``as_of``, quiet days as zeros."""
    daily = {str(row["day"])[:10]: int(row["items"]) for row in timeline.get("daily", [])}
    if not daily:
        return pd.DataFrame(columns=["Day", "Items"])
    start = date.fromisoformat(min(daily))
    end = max(date.fromisoformat(max(daily)), datetime.fromisoformat(as_of).date() if as_of else start)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return pd.DataFrame({"Day": pd.to_datetime(days), "Items": [daily.get(d.isoformat(), 0) for d in days]})


def state_bands(timeline: Mapping[str, Any], start: date | None = None) -> list[dict[str, Any]]:
    """The periods between runs, each with the state the run ending it gave the topic."""
    bands = []
    previous = start
    for entry in timeline.get("states", []):
        end = _as_date(entry["as_of"])
        begin = previous or end - timedelta(days=7)
        bands.append({"start": begin, "end": end, "state": entry["state"]})
        previous = end
    return bands


def source_mix(timeline: Mapping[str, Any]) -> pd.DataFrame:
    counts: dict[str, int] = {}
    for row in timeline.get("daily", []):
        for source, n in (row.get("sources") or {}).items():
            counts[source] = counts.get(source, 0) + int(n)
    frame = pd.DataFrame(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), columns=["Source", "Items"])
    return frame


def lineage_lines(
    lineage: Iterable[Mapping[str, Any]], topic_id: str, labels: Mapping[str, str]
) -> list[str]:
    """'Born from', 'merged into', ... sentences for a topic's lineage records."""
    lines = []
    for entry in lineage:
        relation = str(entry.get("relation") or "")
        mine = entry.get("topic_id") == topic_id
        other = str(entry.get("other_id") if mine else entry.get("topic_id"))
        name = labels.get(other, other)
        verb = relation.replace("_", " ")
        text = f"{verb} {name}" if mine else f"{name} {verb} this theme"
        lines.append(f"Run {entry.get('run_id')}: {text}")
    return lines


def value_placement(topic: Mapping[str, Any]) -> pd.DataFrame:
    """One row per value the topic touches, with the evidence titles behind the score."""
    rows = []
    for name, entry in (topic.get("evidence") or {}).items():
        rows.append(
            {
                "Value": name,
                "Closeness": float(entry.get("score") or 0.0),
                "Closest phrase": entry.get("matched") or "",
                "Evidence": " | ".join(str(item.get("title") or "") for item in entry.get("items", [])),
            }
        )
    frame = pd.DataFrame(rows, columns=["Value", "Closeness", "Closest phrase", "Evidence"])
    return frame.sort_values("Closeness", ascending=False, kind="stable").reset_index(drop=True)


def sources_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    def status(row: Mapping[str, Any]) -> str:
        if not row.get("enabled"):
            return "off"
        if int(row.get("error_streak") or 0) >= 3:
            return "failing"
        if row.get("error_streak"):
            return "had an error"
        return "healthy" if row.get("last_success_at") else "not fetched yet"

    return pd.DataFrame(
        [
            {
                "Source": row["name"],
                "Kind": row.get("kind", ""),
                "Status": status(row),
                "Last success": str(row.get("last_success_at") or "never")[:16].replace("T", " "),
                "Errors in a row": int(row.get("error_streak") or 0),
                "Last error": row.get("last_error") or "",
                "Items per day": float(row.get("items_per_day") or 0.0),
            }
            for row in rows
        ],
        columns=[
            "Source",
            "Kind",
            "Status",
            "Last success",
            "Errors in a row",
            "Last error",
            "Items per day",
        ],
    )


def lead_times(signals: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """For each backtested topic flagged early (weak or emerging): days from that first flag to its
    peak (the step with most items). A positive lead is warning the radar gave before the peak."""
    by_topic: dict[str, list[Mapping[str, Any]]] = {}
    for signal in signals:
        by_topic.setdefault(str(signal["topic_id"]), []).append(signal)
    rows = []
    for topic_id, history in by_topic.items():
        history = sorted(history, key=lambda s: str(s["as_of"]))
        flagged = [s for s in history if s.get("state") in ("weak", "emerging")]
        if not flagged:
            continue
        peak = max(history, key=lambda s: int(s.get("items") or 0))  # first of the highest
        detected, peaked = _as_date(flagged[0]["as_of"]), _as_date(peak["as_of"])
        rows.append(
            {
                "topic_id": topic_id,
                "Theme": str(history[-1].get("label") or topic_id),
                "First flagged": detected,
                "Peak": peaked,
                "Lead (days)": (peaked - detected).days,
                "Peak items": int(peak.get("items") or 0),
            }
        )
    frame = pd.DataFrame(
        rows, columns=["topic_id", "Theme", "First flagged", "Peak", "Lead (days)", "Peak items"]
    )
    return frame.sort_values("Lead (days)", ascending=False, kind="stable").reset_index(drop=True)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def alerts_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Alerts in plain columns, newest first as given; the rule's raw facts stay out of the table."""
    return pd.DataFrame(
        [
            {
                "When": str(row.get("sent_at") or row.get("created_at") or "")[:16].replace("T", " "),
                "What": row.get("title") or "",
                "Kind": row.get("kind") or "",
                "Sent to": row.get("destination") or "",
                "Status": row.get("status") or "",
                "Attempts": int(row.get("attempts") or 0),
                "Last error": row.get("last_error") or "",
            }
            for row in rows
        ],
        columns=["When", "What", "Kind", "Sent to", "Status", "Attempts", "Last error"],
    )
