"""Vigie dashboard: the topics of the latest run, readable by someone who is not technical.

Reads only through the core's read API (``Radar.topics_payload`` / ``Radar.stats``), never raw SQL.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

st.set_page_config(page_title="Vigie — trend radar", page_icon="📡", layout="wide")


@st.cache_resource
def _radar() -> Any:
    from radar.bootstrap import make_radar

    return make_radar(migrate=False)


SIGNAL_WORDS = {
    "emerging": "emerging movement",
    "weak": "weak signal",
    "spike": "short burst",
    "mainstream": "mainstream",
    "fading": "fading",
    "noise": "background",
}


def _growth_words(growth: float) -> str:
    if growth >= 2:
        return "rising fast"
    if growth >= 1.25:
        return "rising"
    if growth > 0.8:
        return "steady"
    return "cooling"


def main() -> None:
    radar = _radar()
    payload = radar.topics_payload()
    stats = radar.stats()
    st.title("Vigie — what is moving in culture")
    as_of = str(payload["as_of"] or "")[:10]
    if not payload["topics"]:
        st.info("No topics yet. Run `radar collect` then `radar analyze`, or `radar demo`.")
        return
    st.caption(
        f"Themes found in {stats['items']} articles and posts from {stats['sources']} sources, "
        f"as of {as_of}. Growth compares the last two weeks with the four before: above 1 means the theme "
        "is being talked about more, below 1 less."
    )
    cols = st.columns(3)
    cols[0].metric("Themes tracked", len(payload["topics"]))
    cols[1].metric("Items read", stats["items"])
    cols[2].metric("Sources", stats["sources"])

    frame = pd.DataFrame(
        [
            {
                "Theme": topic["label"],
                "Signal": SIGNAL_WORDS.get(topic.get("state", "noise"), topic.get("state", "")),
                "Items": topic["size"],
                "Growth": round(topic["growth"], 2),
                "Trend": _growth_words(topic["growth"]),
                "First seen": topic["first_seen"],
                "Keywords": ", ".join(topic["keywords"][:6]),
            }
            for topic in payload["topics"]
        ]
    )
    st.subheader("Themes, the ones to read first at the top")
    st.caption(
        "Emerging movements come first, then weak signals (small but growing, in several sources), short "
        "bursts, mainstream themes, fading ones and the background. Within each, the fastest-growing first."
    )
    st.dataframe(frame, hide_index=True, width="stretch")

    st.subheader("Growth by theme")
    st.caption(
        "Each bar is one theme's growth, fastest first. The line marks 1: bars past it are themes gaining "
        "attention, bars short of it are cooling."
    )
    st.altair_chart(_growth_chart(frame), width="stretch")

    st.subheader("One theme over time")
    labels = [topic["label"] for topic in payload["topics"]]
    choice = st.selectbox("Theme", labels, index=0)
    topic = payload["topics"][labels.index(choice)]
    daily = pd.Series(topic["daily_counts"], name="items per day", dtype="int64")
    daily.index = pd.to_datetime(daily.index)
    # The store keeps only the days that had items: run the line on to the analysis date with zeros, or a
    # theme that went quiet would end on its last active day and look as if it were still climbing.
    end = max([*daily.index, pd.Timestamp(as_of)])
    days = pd.date_range(daily.index.min() if len(daily) else end, end, freq="D")
    st.caption(
        f"How many items a day mentioned “{topic['label']}”. A line that climbs at the right end is a theme "
        "that is picking up; a single spike that falls back is a burst."
    )
    series = daily.reindex(days, fill_value=0).rename_axis("Day").reset_index()
    st.altair_chart(_daily_chart(series), width="stretch")


def _growth_chart(frame: pd.DataFrame) -> alt.LayerChart:
    order = frame.sort_values("Growth", ascending=False)["Theme"].tolist()
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("Growth:Q", title="Growth (1 = steady)"),
            y=alt.Y("Theme:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            color=alt.condition(alt.datum.Growth >= 1, alt.value("#2f7d4f"), alt.value("#9aa5b1")),
            tooltip=["Theme", "Growth", "Trend", "Items"],
        )
    )
    steady = alt.Chart(pd.DataFrame({"Growth": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(x="Growth:Q")
    return bars + steady


def _daily_chart(series: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(series)
        .mark_line(point=True)
        .encode(
            x=alt.X("Day:T", title=None, axis=alt.Axis(format="%d %b", tickCount="day")),
            y=alt.Y("items per day:Q", title="Items per day", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("Day:T", format="%d %b %Y"), "items per day:Q"],
        )
    )


main()
