"""Alerts page: what the radar sent, and where."""

from __future__ import annotations

import streamlit as st

from dashboard.tables import alerts_frame
from dashboard.ui import get_radar
from radar.errors import StoreError

radar = get_radar()
st.title("Alerts")
st.caption(
    "The alerts the radar sent (Slack, webhooks...) about themes and sources, newest first. 'failed' means "
    "the message could not be delivered even after retries: check the destination's address."
)
reader = getattr(radar, "alerts", None)  # older radars had no alert store; the page says so
if reader is None:
    st.info("No alerts are recorded: this version of the radar does not send alerts.")
    st.stop()
try:
    sent = reader(limit=200)
except StoreError:
    st.warning("The store has no alert table yet: run `radar init` to upgrade it, then reload this page.")
    st.stop()
if not sent:
    st.info("No alert has been sent yet.")
    st.stop()
st.dataframe(alerts_frame(sent), hide_index=True, width="stretch")
