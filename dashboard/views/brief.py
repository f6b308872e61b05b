"""Weekly brief: the top movers under each value in plain words, downloadable as a printable page."""

from __future__ import annotations

import streamlit as st

from dashboard.brief import brief_html, build_brief
from dashboard.ui import get_radar, profile
from dashboard.words import md_escape

radar = get_radar()
st.title("Weekly brief")
if not radar.profiles():
    st.info("No brand profile is configured: add a [[profile]] to config/brand.toml.")
    st.stop()
snapshot = radar.snapshot(profile())
if not snapshot["topics"]:
    st.info("No topics yet: the brief needs at least one analysis run.")
    st.stop()
brief = build_brief(snapshot, radar.deltas(profile()))
st.caption(
    "One page for the board: under each of our values, the themes that moved most this week, what they are "
    "and whether they are an opportunity or a risk. Download it and print it, or save it as PDF."
)
st.download_button(
    "Download the brief (HTML, prints to PDF)",
    data=brief_html(brief),
    file_name=f"vigie-brief-{brief['profile']}-{brief['as_of']}.html",
    mime="text/html",
    type="primary",
)
if brief["new"]:
    st.subheader("New this week", anchor=False)
    for label in brief["new"]:
        st.markdown("- " + md_escape(label))
for section in brief["sections"]:
    st.subheader(section["value"], anchor=False)
    if not section["movers"]:
        st.caption("Nothing moved here this week.")
    for mover in section["movers"]:
        st.markdown(f"- **{md_escape(mover['label'])}** — {md_escape(mover['summary'])}")
if brief["say_do"]:
    st.subheader("Do we do what we say?", anchor=False)
    for row in brief["say_do"]:
        st.markdown(f"- **{md_escape(row['value'])}**: {md_escape(row['verdict'])}. {md_escape(row['text'])}")
