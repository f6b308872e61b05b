"""Rising now: what changed at the latest run (new themes, state changes, the biggest movers)."""

from __future__ import annotations

import streamlit as st

from dashboard.tables import rising_frame
from dashboard.ui import get_radar, open_topic, profile

radar = get_radar()
st.title("Rising now")
if not radar.profiles():
    st.info("No brand profile is configured: add a [[profile]] to config/brand.toml.")
    st.stop()
deltas = radar.deltas(profile())
frame = rising_frame(deltas, radar.topics_payload())
if frame.empty:
    st.info("Nothing changed since the last run (or there is no run yet).")
    st.stop()
since = str(deltas.get("previous_as_of") or "")[:10]
st.caption(
    (f"What changed between the run of {since} and the latest one" if since else "What the first run found")
    + f" ({str(deltas['as_of'])[:10]}). The themes gaining most attention come first. The small line is how "
    "many items a day mentioned the theme over the last four weeks: one climbing at its right end is "
    "picking up now. Open a theme below to read what is behind it."
)
st.dataframe(
    frame.drop(columns=["id"]),
    hide_index=True,
    width="stretch",
    column_config={
        "Last 4 weeks": st.column_config.LineChartColumn("Last 4 weeks", y_min=0),
        "Momentum": st.column_config.NumberColumn("Momentum", format="%+.2f"),
    },
)
labels = dict(zip(frame["id"], frame["Theme"], strict=True))
pick = st.selectbox("Open a theme", list(labels), format_func=labels.__getitem__, key="rising_pick")
if st.button("Open theme"):
    open_topic(pick)
