"""Plotly figures for the topic, values, sources and backtest pages (pure: payload in, figure out).

Labels reach Plotly's text, which it reads as HTML, so they are escaped here."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.words import state_words

STATE_COLOURS = {
    "mainstream": "#bee3f8",
    "emerging": "#fbd38d",
    "weak": "#fefcbf",
    "spike": "#fed7e2",
    "fading": "#e2e8f0",
    "noise": "#f7fafc",
}


def timeline_figure(series: pd.DataFrame, bands: Sequence[dict[str, Any]]) -> go.Figure:
    """Items per day as a line, over coloured bands: the state each run gave the theme."""
    figure = go.Figure()
    for band in bands:
        figure.add_vrect(
            x0=band["start"],
            x1=band["end"] + timedelta(days=1),
            fillcolor=STATE_COLOURS.get(band["state"], "#fff"),
            opacity=0.6,
            line_width=0,
            layer="below",
            annotation_text=state_words(band["state"]),
            annotation_position="top left",
            annotation_font_size=10,
        )
    figure.add_trace(
        go.Scatter(
            x=series["Day"],
            y=series["Items"],
            mode="lines+markers",
            name="items per day",
            line={"color": "#2d3748"},
            hovertemplate="%{x|%d %b %Y}: %{y} items<extra></extra>",
        )
    )
    figure.update_layout(
        height=340,
        margin={"l": 40, "r": 20, "t": 30, "b": 30},
        showlegend=False,
        yaxis={"title": "items per day", "rangemode": "tozero"},
    )
    return figure


def heatmap_figure(matrix: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy().tolist(),
            x=[html.escape(str(c)) for c in matrix.columns],
            y=[html.escape(str(i)) for i in matrix.index],
            zmin=0,
            zmax=1,
            colorscale="Greens",
            colorbar={"title": {"text": "closeness"}},
            hovertemplate="%{y}<br>%{x}: %{z:.2f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=max(300, 28 * len(matrix) + 120),
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"autorange": "reversed"},
    )
    return figure


def say_do_figure(frame: pd.DataFrame) -> go.Figure:
    values = [html.escape(str(v)) for v in frame["Value"]]
    figure = go.Figure(
        [
            go.Bar(
                name="share of what we claim",
                x=values,
                y=frame["What we claim"].tolist(),
                marker_color="#a0aec0",
            ),
            go.Bar(
                name="share of what we publish",
                x=values,
                y=frame["What we publish"].tolist(),
                marker_color="#2f855a",
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        height=340,
        yaxis={"tickformat": ".0%", "title": None},
        margin={"l": 40, "r": 20, "t": 30, "b": 30},
        legend={"orientation": "h", "y": 1.12},
    )
    return figure


def lead_figure(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure(
        go.Bar(
            x=frame["Lead (days)"].tolist(),
            y=[html.escape(str(t)) for t in frame["Theme"]],
            orientation="h",
            marker_color=["#2f855a" if lead > 0 else "#a0aec0" for lead in frame["Lead (days)"]],
            hovertemplate="%{y}: flagged %{x} days before its peak<extra></extra>",
        )
    )
    figure.update_layout(
        height=max(300, 24 * len(frame) + 100),
        margin={"l": 10, "r": 20, "t": 30, "b": 30},
        xaxis={"title": "days of warning before the peak"},
        yaxis={"autorange": "reversed"},
    )
    return figure
