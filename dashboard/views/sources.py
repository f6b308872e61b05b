"""Sources page: is every feed still delivering?"""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from dashboard.tables import sources_frame
from dashboard.ui import get_radar

radar = get_radar()
st.title("Sources")
frame = sources_frame(radar.source_health())
if frame.empty:
    st.info("No source is configured: add some to config/sources.toml or with `radar sources add`.")
    st.stop()
failing = int((frame["Status"] == "failing").sum())
cols = st.columns(3)
cols[0].metric("Sources", len(frame))
cols[1].metric("Healthy", int((frame["Status"] == "healthy").sum()))
cols[2].metric("Failing", failing)
st.caption(
    "Each source the radar reads: when it last answered, whether it has been failing, and how many items a "
    "day it brought over the last week. A failing source leaves a blind spot: ask whoever runs the radar."
)
st.dataframe(frame, hide_index=True, width="stretch")
chart = px.bar(frame, x="Items per day", y="Source", orientation="h", color="Status")
chart.update_layout(height=max(260, 26 * len(frame) + 80), yaxis={"autorange": "reversed", "title": None})
st.plotly_chart(chart, config={"displaylogo": False})
st.caption("Items a day per source over the last week: a source that drops to zero may have broken.")
