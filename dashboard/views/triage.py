"""Triage page: the verdicts given on themes, and a form to give one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import get_radar, triage_form

radar = get_radar()
st.title("Triage")
st.caption(
    "Acknowledge a theme you have seen, watch one you want to follow, or dismiss one that does not concern "
    "us: a dismissed theme stays quiet until its state changes. The same form is on the radar and topic "
    "pages."
)
payload = radar.topics_payload()
labels = {topic["id"]: topic["label"] for topic in payload["topics"]}
verdicts = radar.triage_all()
if verdicts:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Theme": labels.get(row.topic_id, row.topic_id),
                    "Verdict": row.status,
                    "Note": row.note or "",
                    "When": row.updated_at,
                    "By": row.updated_by or "",
                }
                for row in verdicts
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"When": st.column_config.DatetimeColumn(format="D MMM YYYY, HH:mm")},
    )
else:
    st.info("No theme has been triaged yet.")

if labels:
    pick = st.selectbox("Theme", list(labels), format_func=labels.__getitem__, key="triage_pick")
    triage_form(radar, pick, labels[pick], key="triage")
    history = radar.triage_history(pick)
    if history:
        st.caption("Every verdict given on this theme, oldest first.")
        st.dataframe(
            pd.DataFrame(history, columns=["at", "status", "note", "topic_state", "by"]),
            hide_index=True,
            width="stretch",
        )
