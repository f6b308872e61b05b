"""The brand-values radar as a Vega-Lite chart (Altair), built from a snapshot (pure: no Streamlit here).

Sectors are the profile's values, rings are states from the centre (mainstream) to the edge
(background), point size is volume, colour is momentum and the marker says opportunity or risk.

Why Vega-Lite and not Plotly (issue 7, bench/RESULTS.md): Streamlit 1.67 loads each chart library as its own
JavaScript chunk when a page first draws one: Plotly's is 4.7 MB to download, parse and run, Vega's 0.8 MB,
and the Plotly radar cost the page ~1.2 s over the chart-less page, past the 2 s target. The polar layout
is drawn by hand on a plain x/y plane: x = r·sin(θ), y = r·cos(θ), θ clockwise from the top, as the
snapshot's angles are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import altair as alt

from dashboard.words import momentum_words, state_words

# Vega's own "cross" is a plus sign; risk is drawn as an ✕ (as the caption says), a filled path in Vega's
# [-1, 1] symbol square.
RISK_SHAPE = "M-1,-0.6L-0.6,-1L0,-0.4L0.6,-1L1,-0.6L0.4,0L1,0.6L0.6,1L0,0.4L-0.6,1L-1,0.6L-0.4,0Z"
SHAPES = {"opportunity": "triangle-up", "risk": RISK_SHAPE, "neutral": "circle"}
# Diverging: cooling themes blue, steady pale, rising ones orange-red; clipped at ±2 (four times).
MOMENTUM_COLOURS = ["#2b6cb0", "#e2e8f0", "#dd6b20"]
MOMENTUM_CLIP = 2.0
GRID_COLOUR = "#cbd5e0"
LABEL_COLOUR = "#4a5568"
SELECTION = "chosen"  # the point selection's name: st.altair_chart's event lists the chosen ids under it
SIZE_PX = 640  # square, so that rings stay circles
CIRCLE_STEPS = 72  # segments per ring: smooth at SIZE_PX
EVIDENCE_CHARS = 90
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


def polar_xy(radius: float, degrees: float) -> tuple[float, float]:
    """A polar position as x/y, the angle clockwise from 12 o'clock, as the snapshot's angles are."""
    theta = math.radians(degrees)
    return round(radius * math.sin(theta), 4), round(radius * math.cos(theta), 4)


def evidence_titles(topic: Mapping[str, Any], limit: int) -> list[str]:
    """Titles of the items that best support the topic's placement (its deciding anchor first)."""
    evidence: Mapping[str, Any] = topic.get("evidence") or {}
    because = (topic.get("because") or {}).get("name")
    anchor = evidence.get(because) if because else None
    if anchor is None and evidence:
        anchor = max(evidence.values(), key=lambda entry: float(entry.get("score") or 0))
    return [str(item.get("title") or "") for item in (anchor or {}).get("items", [])][:limit]


def radar_points(topics: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per topic: where it sits (x, y), how it is drawn and what its tooltip says.

    Ring 0 (mainstream) sits on the first circle, not at the centre, so that no theme hides at the origin.
    Text stays raw: Vega draws marks as text and Streamlit's tooltip handler escapes what it shows, so
    escaping here would print ``&lt;`` to the reader."""
    rows = []
    for topic in topics:
        x, y = polar_xy(int(topic["ring"]) + 1, float(topic["angle"]))
        momentum = float(topic.get("momentum") or 0)
        size = int(topic.get("size") or 0)
        rows.append(
            {
                "id": str(topic["id"]),
                "x": x,
                "y": y,
                "label": str(topic["label"]),
                "stance": str(topic.get("stance") or "neutral"),
                "momentum": max(-MOMENTUM_CLIP, min(MOMENTUM_CLIP, momentum)),
                "items": size,
                "now": f"{state_words(topic.get('state'))}, {momentum_words(momentum)}, {size} items",
                "why": str(topic.get("reason") or ""),
                "evidence": " · ".join(title[:EVIDENCE_CHARS] for title in evidence_titles(topic, 2)),
            }
        )
    return rows


def ring_lines(rings: int) -> list[dict[str, Any]]:
    """Each ring as a closed polyline (one circle per state), ordered for a line mark."""
    rows = []
    for ring in range(1, rings + 1):
        for step in range(CIRCLE_STEPS + 1):
            x, y = polar_xy(ring, 360 * step / CIRCLE_STEPS)
            rows.append({"ring": ring, "step": step, "x": x, "y": y})
    return rows


def spokes(sectors: Iterable[Mapping[str, Any]], outer: float) -> list[dict[str, Any]]:
    """A line at each sector's start: the borders between values."""
    rows = []
    for sector in sectors:
        x2, y2 = polar_xy(outer, float(sector["start_deg"]))
        rows.append({"x": 0.0, "y": 0.0, "x2": x2, "y2": y2})
    return rows


def sector_labels(sectors: Iterable[Mapping[str, Any]], outer: float) -> list[dict[str, Any]]:
    """Each value's name just outside the rings, in the middle of its slice; aligned away from the centre."""
    rows = []
    for sector in sectors:
        mid = (float(sector["start_deg"]) + float(sector["end_deg"])) / 2
        x, y = polar_xy(outer + 0.35, mid)
        align = "center" if abs(x) < 0.5 else ("left" if x > 0 else "right")
        rows.append({"x": x, "y": y, "text": str(sector["label"]), "align": align})
    return rows


def ring_labels(rings: Iterable[str]) -> list[dict[str, Any]]:
    """The state each ring stands for, along the top spoke."""
    return [{"x": 0.06, "y": ring + 1 + 0.12, "text": state_words(name)} for ring, name in enumerate(rings)]


def radar_chart(snapshot: Mapping[str, Any], topics: list[dict[str, Any]] | None = None) -> alt.LayerChart:
    """The radar of ``topics`` (default: all of the snapshot's) on the snapshot's sectors and rings.

    Points carry a click selection on their topic id (named ``SELECTION``): st.altair_chart's event names
    the topic to open."""
    shown = snapshot["topics"] if topics is None else topics
    rings: list[str] = list(snapshot["rings"])
    outer = len(rings) + 0.5
    extent = outer + 1.9  # room for the sector labels around the rings
    x_scale = alt.Scale(domain=[-extent, extent], nice=False, zero=False)
    y_scale = alt.Scale(domain=[-extent, extent], nice=False, zero=False)
    x = alt.X("x:Q", scale=x_scale, axis=None)
    y = alt.Y("y:Q", scale=y_scale, axis=None)

    grid = (
        alt.Chart(alt.InlineData(values=ring_lines(len(rings))))
        .mark_line(color=GRID_COLOUR, strokeWidth=1)
        .encode(x=x, y=y, detail="ring:N", order="step:Q")
    )
    borders = (
        alt.Chart(alt.InlineData(values=spokes(snapshot["sectors"], outer)))
        .mark_rule(color=GRID_COLOUR, strokeWidth=1)
        .encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    )
    labels = sector_labels(snapshot["sectors"], outer)
    # Text alignment is a mark property in Vega-Lite, not an encoding: one layer per alignment.
    values = [
        alt.Chart(alt.InlineData(values=[row for row in labels if row["align"] == align]))
        .mark_text(fontSize=13, fontWeight="bold", color="#2d3748", baseline="middle", align=align)
        .encode(x=x, y=y, text="text:N")
        for align in ("left", "center", "right")
        if any(row["align"] == align for row in labels)
    ]
    states = (
        alt.Chart(alt.InlineData(values=ring_labels(rings)))
        .mark_text(fontSize=10, color=LABEL_COLOUR, align="left", baseline="bottom")
        .encode(x=x, y=y, text="text:N")
    )
    chosen = alt.selection_point(name=SELECTION, fields=["id"], on="click", clear="dblclick")
    points = (
        alt.Chart(alt.InlineData(values=radar_points(shown)))
        .mark_point(filled=True, stroke="#1a202c", strokeWidth=1, opacity=0.9, cursor="pointer")
        .encode(
            x=x,
            y=y,
            shape=alt.Shape(
                "stance:N",
                scale=alt.Scale(domain=list(SHAPES), range=list(SHAPES.values())),
                legend=alt.Legend(title="stance", orient="bottom"),
            ),
            # Vega sizes are areas: a theme twice as big gets twice the area, not four times.
            size=alt.Size(
                "items:Q",
                scale=alt.Scale(zero=True, range=[40, 900]),
                legend=alt.Legend(title="items", orient="bottom"),
            ),
            color=alt.Color(
                "momentum:Q",
                scale=alt.Scale(
                    domain=[-MOMENTUM_CLIP, 0, MOMENTUM_CLIP],
                    range=MOMENTUM_COLOURS,
                    clamp=True,
                    interpolate="lab",  # Vega's default (hcl) turns pale-to-orange pink on the way
                ),
                legend=alt.Legend(
                    title="momentum",
                    orient="bottom",
                    values=[-MOMENTUM_CLIP, 0, MOMENTUM_CLIP],
                    labelExpr="datum.value < 0 ? 'cooling' : datum.value > 0 ? 'rising' : 'steady'",
                ),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Theme"),
                alt.Tooltip("now:N", title="Now"),
                alt.Tooltip("why:N", title="Why here"),
                alt.Tooltip("evidence:N", title="Evidence"),
            ],
        )
        .add_params(chosen)
    )
    chart: alt.LayerChart = (
        alt.layer(grid, borders, states, *values, points)
        # "pad": width and height are the plotting area and the legends come on top, so that x and y keep
        # one scale and the rings stay circles (Streamlit's default, "fit", squeezes the area instead).
        .properties(width=SIZE_PX, height=SIZE_PX, autosize=alt.AutoSizeParams(type="pad"))
        .configure_view(stroke=None)
    )
    return chart


def picked_topic(event: Any) -> str | None:
    """The topic id of the first point chosen in a ``st.altair_chart(on_select=...)`` event, if any."""
    try:
        chosen = event["selection"][SELECTION]
    except (KeyError, TypeError):
        return None
    for point in chosen if isinstance(chosen, list) else []:
        topic_id = point.get("id") if isinstance(point, Mapping) else None
        if isinstance(topic_id, str) and topic_id:
            return topic_id
    return None
