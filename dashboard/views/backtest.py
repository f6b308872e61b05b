"""Backtest page: how much warning the radar would have given on past data."""

from __future__ import annotations

import streamlit as st

from dashboard.backtests import find_outputs, read_output
from dashboard.charts import lead_figure
from dashboard.tables import lead_times
from dashboard.ui import get_radar

radar = get_radar()
st.title("Backtest")
outputs = find_outputs(radar.settings.home)
if not outputs:
    st.info(
        "No finished backtest yet. Submit one through the API (POST /api/v1/backtests) or run "
        "`radar backtest items.jsonl --out <home>/backtests/<name>`."
    )
    st.stop()
names = {str(path): label for path, label in outputs}
chosen = st.selectbox("Backtest", list(names), format_func=names.__getitem__)
summary, signals = read_output(chosen)
frame = lead_times(signals)
params = summary.get("parameters", {})
st.caption(
    f"Replays the radar over {params.get('start')} to {params.get('end')}, every {params.get('every_days')} "
    "days, as if it had run then. Each bar is a theme the radar flagged early (weak signal or emerging): how "
    "many days before the theme's peak that flag came. Longer green bars mean earlier warning."
)
if frame.empty:
    st.info("This backtest flagged no theme early.")
    st.stop()
cols = st.columns(3)
cols[0].metric("Themes flagged early", len(frame))
cols[1].metric("Median warning (days)", int(frame["Lead (days)"].median()))
cols[2].metric("Flagged before the peak", int((frame["Lead (days)"] > 0).sum()))
st.plotly_chart(lead_figure(frame), config={"displaylogo": False})
st.dataframe(frame.drop(columns=["topic_id"]), hide_index=True, width="stretch")
