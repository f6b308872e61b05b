"""The brand-values radar as a Plotly polar chart, built from a snapshot (pure: no Streamlit here).

Sectors are the profile's values, rings are states from the centre (mainstream) to the edge
(background), point size is volume, colour is momentum and the marker says opportunity or risk.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import plotly.graph_objects as go

from dashboard.words import momentum_words, state_words

MARKERS = {"opportunity": "triangle-up", "risk": "x", "neutral": "circle"}
MARKER_WORDS = {"opportunity": "opportunity", "risk": "risk", "neutral": "neutral"}
# Diverging: cooling themes blue, steady pale, rising ones orange-red; clipped at ±2 (four times).
MOMENTUM_SCALE = [[0.0, "#2b6cb0"], [0.5, "#e2e8f0"], [1.0, "#dd6b20"]]
MOMENTUM_CLIP = 2.0
WINDOWS = {"last 7 days": 7, "last 14 days": 14, "last 30 days": 30, "the whole run": None}


def within_window(
    topics: Iterable[Mapping[str, Any]], last_seen: Mapping[str, str], as_of: str | None, days: int | None
) -> list[dict[str, Any]]:
    """Topics still talked about in the last ``days`` before ``as_of`` (None: all of them).

    A topic whose last item is older than the window is left out: it is history, not news."""
    kept = [dict(topic) for topic in topics]
    if days is None or not as_of:
        return kept
    start = datetime.fromisoformat(as_of).date() - timedelta(days=days - 1)
    return [topic for topic in kept if _day(last_seen.get(topic["id"])) >= start]


def _day(value: str | None) -> date:
    return date.fromisoformat(value[:10]) if value else date.min


def marker_size(size: int) -> float:
    """Area grows with volume (square root), so a topic twice as big does not look four times bigger."""
    return round(8 + 4 * math.sqrt(max(size, 0)), 1)


def hover_text(topic: Mapping[str, Any]) -> str:
    """Label, what the topic is doing and why it sits where it does, with its strongest evidence.

    Every piece of text comes from items or topics, so it is escaped: Plotly reads hover text as HTML."""
    lines = [
        f"<b>{html.escape(str(topic['label']))}</b>",
        html.escape(
            f"{state_words(topic.get('state'))}, {momentum_words(float(topic.get('momentum') or 0))}, "
            f"{topic.get('size', 0)} items"
        ),
        html.escape(str(topic.get("reason") or "")),
    ]
    for title in evidence_titles(topic, 3):
        lines.append("· " + html.escape(title[:90]))
    return "<br>".join(line for line in lines if line)


def evidence_titles(topic: Mapping[str, Any], limit: int) -> list[str]:
    """Titles of the items that best support the topic's placement (its deciding anchor first)."""
    evidence: Mapping[str, Any] = topic.get("evidence") or {}
    because = (topic.get("because") or {}).get("name")
    anchor = evidence.get(because) if because else None
    if anchor is None and evidence:
        anchor = max(evidence.values(), key=lambda entry: float(entry.get("score") or 0))
    return [str(item.get("title") or "") for item in (anchor or {}).get("items", [])][:limit]


def radar_figure(snapshot: Mapping[str, Any], topics: list[dict[str, Any]] | None = None) -> go.Figure:
    """The polar chart of ``topics`` (default: all of the snapshot's) on the snapshot's sectors and rings.

    Each point carries its topic id as ``customdata``, so a selection names the topic to open."""
    shown = snapshot["topics"] if topics is None else topics
    rings: list[str] = list(snapshot["rings"])
    figure = go.Figure()
    for sector in snapshot["sectors"]:
        # A thin spoke at each sector's start: the borders between values.
        figure.add_trace(
            go.Scatterpolar(
                r=[0, len(rings) + 0.5],
                theta=[sector["start_deg"], sector["start_deg"]],
                mode="lines",
                line={"color": "#cbd5e0", "width": 1},
                hoverinfo="skip",
                showlegend=False,
            )
        )
    first = True
    for stance, symbol in MARKERS.items():
        group = [topic for topic in shown if topic.get("stance") == stance]
        if not group:
            continue
        figure.add_trace(
            go.Scatterpolar(
                r=[topic["ring"] + 1 for topic in group],
                theta=[topic["angle"] for topic in group],
                mode="markers",
                name=MARKER_WORDS[stance],
                customdata=[topic["id"] for topic in group],
                hovertext=[hover_text(topic) for topic in group],
                hoverinfo="text",
                marker={
                    "symbol": symbol,
                    "size": [marker_size(int(topic.get("size") or 0)) for topic in group],
                    "color": [_clip(float(topic.get("momentum") or 0)) for topic in group],
                    "colorscale": MOMENTUM_SCALE,
                    "cmin": -MOMENTUM_CLIP,
                    "cmax": MOMENTUM_CLIP,
                    "showscale": first,
                    "colorbar": {
                        "title": {"text": "momentum"},
                        "tickvals": [-2, 0, 2],
                        "ticktext": ["cooling", "steady", "rising"],
                        "x": 1.12,
                    },
                    "line": {"color": "#1a202c", "width": 1},
                    "opacity": 0.9,
                },
            )
        )
        first = False
    mids = [(sector["start_deg"] + sector["end_deg"]) / 2 for sector in snapshot["sectors"]]
    figure.update_layout(
        polar={
            "radialaxis": {
                "range": [0, len(rings) + 0.5],
                "tickvals": list(range(1, len(rings) + 1)),
                "ticktext": [state_words(ring) for ring in rings],
                "tickfont": {"size": 10, "color": "#4a5568"},
                "angle": 90,
                "showline": False,
            },
            "angularaxis": {
                "tickmode": "array",
                "tickvals": mids,
                "ticktext": [html.escape(str(sector["label"])) for sector in snapshot["sectors"]],
                "direction": "clockwise",
                "rotation": 90,
                "showgrid": False,
            },
        },
        legend={"orientation": "h", "y": -0.08},
        margin={"l": 40, "r": 40, "t": 30, "b": 30},
        height=620,
        clickmode="event+select",
    )
    return figure


def _clip(momentum: float) -> float:
    return max(-MOMENTUM_CLIP, min(MOMENTUM_CLIP, momentum))


def picked_topic(event: Any) -> str | None:
    """The topic id of the first point chosen in a ``st.plotly_chart(on_select=...)`` event, if any."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        custom = point.get("customdata")
        if isinstance(custom, list | tuple):
            custom = custom[0] if custom else None
        if isinstance(custom, str) and custom:
            return custom
    return None
