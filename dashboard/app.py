"""Vigie dashboard: a Streamlit multipage app that a brand team opens every morning.

This file is the entry point (``radar dashboard``): page setup, the optional login gate, the profile chosen
in the sidebar, then the page the visitor asked for. Pages live in ``views/`` and read only through the
Radar facade; what they draw is built by the pure modules beside this one.
"""

from __future__ import annotations

import streamlit as st

from dashboard.ui import get_radar, linked_topic, login_gate, open_topic, profile_selector

st.set_page_config(page_title="Vigie — trend radar", page_icon="📡", layout="wide")

PAGES = [
    st.Page("views/radar.py", title="Radar", icon="📡", default=True),
    st.Page("views/rising.py", title="Rising now", icon="📈", url_path="rising"),
    st.Page("views/topic.py", title="Topic", icon="🔎", url_path="topic"),
    st.Page("views/values.py", title="Values", icon="🧭", url_path="values"),
    st.Page("views/triage.py", title="Triage", icon="✅", url_path="triage"),
    st.Page("views/brief.py", title="Weekly brief", icon="📰", url_path="brief"),
    st.Page("views/sources.py", title="Sources", icon="🛰️", url_path="sources"),
    st.Page("views/alerts.py", title="Alerts", icon="🔔", url_path="alerts"),
    st.Page("views/backtest.py", title="Backtest", icon="⏱️", url_path="backtest"),
]

radar = get_radar()
if login_gate(radar.settings.dashboard_auth):
    navigation = st.navigation(PAGES)
    profile_selector(radar)
    # Slack alerts link to `/?topic=<id>`: open that theme. Read only past the login gate, so the link still
    # works after signing in; switching page clears the parameter, so later reruns stay where the user goes.
    wanted = linked_topic(st.query_params.get_all("topic"))
    if wanted:
        open_topic(wanted)
    navigation.run()
