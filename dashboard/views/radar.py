"""Radar page: every theme of the latest run placed against the brand's values."""

from __future__ import annotations

import streamlit as st

from dashboard.radar_chart import WINDOWS, picked_topic, radar_chart, within_window
from dashboard.ui import get_radar, open_topic, profile, triage_form

radar = get_radar()
st.title("Vigie — what is moving in culture")
snapshot = radar.snapshot(profile()) if radar.profiles() else None
if snapshot is None:
    st.info("No brand profile is configured: add a [[profile]] to config/brand.toml to draw the radar.")
    st.stop()
if not snapshot["topics"]:
    st.info("No topics yet. Run `radar collect` then `radar analyze`, or `radar demo`.")
    st.stop()

payload = radar.topics_payload()
stats = radar.stats()
as_of = str(snapshot["as_of"] or "")[:10]
window = (
    st.segmented_control("Themes talked about in", list(WINDOWS), default="the whole run", key="window")
    or "the whole run"
)
last_seen = {topic["id"]: topic["last_seen"] for topic in payload["topics"]}
shown = within_window(snapshot["topics"], last_seen, snapshot["as_of"], WINDOWS[window])

counts = {stance: sum(topic["stance"] == stance for topic in shown) for stance in ("opportunity", "risk")}
cols = st.columns(4)
cols[0].metric("Themes on the radar", len(shown))
cols[1].metric("Opportunities", counts["opportunity"])
cols[2].metric("Risks", counts["risk"])
cols[3].metric("Items read", stats["items"])

st.caption(
    f"As of {as_of}, for {snapshot['profile']}. Each slice is one of our values (the last one holds themes "
    "close to none). Themes near the centre are already mainstream; towards the edge they are newer or "
    "quieter. Bigger marks are talked about more; orange ones are gaining attention, blue ones cooling. "
    "▲ marks an opportunity, ✕ a risk. Hover a mark to see why it sits there; click it to open the theme."
)
# The snapshot carries no evidence (it is read on every request, radar/values/snapshot.py): the hover's
# evidence titles are read apart, for the topics shown only.
evidence = radar.placement_evidences(profile(), [topic["id"] for topic in shown])
points = [{**topic, **evidence.get(topic["id"], {})} for topic in shown]
# Vega-Lite, not Plotly: its browser code is a sixth of Plotly's, which keeps this page under 2 s (issue 7).
event = st.altair_chart(radar_chart(snapshot, points), on_select="rerun", key="radar_chart", width="content")
chosen = picked_topic(event)
if chosen:
    open_topic(chosen)

labels = {topic["id"]: topic["label"] for topic in shown}
if labels:
    left, right = st.columns(2)
    with left:
        pick = st.selectbox("Open a theme", list(labels), format_func=labels.__getitem__, key="radar_pick")
        if st.button("Open theme"):
            open_topic(pick)
    with right:
        triage_form(radar, pick, labels[pick], key="radar")
