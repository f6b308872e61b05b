"""Topic page: one theme in full, its timeline, its words, its items, where it comes from and why it
sits under a value."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard.charts import timeline_figure
from dashboard.tables import lineage_lines, source_mix, state_bands, timeline_frame, value_placement
from dashboard.ui import get_radar, profile, triage_form
from dashboard.words import md_escape, momentum_words, state_words
from radar.errors import NotFoundError

radar = get_radar()
payload = radar.topics_payload()
st.title("Topic")
if not payload["topics"]:
    st.info("No topics yet. Run `radar collect` then `radar analyze`, or `radar demo`.")
    st.stop()

labels = {topic["id"]: topic["label"] for topic in payload["topics"]}
wanted = st.session_state.get("topic")
if wanted not in labels:
    wanted = next(iter(labels))
topic_id = st.selectbox(
    "Theme", list(labels), index=list(labels).index(wanted), format_func=labels.__getitem__, key="topic_pick"
)
st.session_state["topic"] = topic_id
try:
    detail = radar.topic_detail(topic_id)
    timeline = radar.topic_timeline(topic_id)
except NotFoundError:
    st.warning("This theme is no longer in the store.")
    st.stop()

# A heading is Markdown too: a label made of scraped words could carry a link or markup (found by
# tests/reliability/test_hostile_input.py), so it is escaped like every other text from the web.
st.header(md_escape(detail["label"]), anchor=False)
st.markdown(
    f"**{md_escape(state_words(detail['state']))}**, "
    f"{momentum_words(math.log2(detail['growth']) if detail['growth'] > 0 else -2.0)}, "
    f"first seen {detail['first_seen']}, last seen {detail['last_seen']}, {detail['size']} items. "
    f"Keywords: {md_escape(', '.join(detail['keywords']))}"
)

st.subheader("Over time", anchor=False)
series = timeline_frame(timeline, payload["as_of"])
start = series["Day"].min().date() if len(series) else None
st.plotly_chart(timeline_figure(series, state_bands(timeline, start)), config={"displaylogo": False})
st.caption(
    "How many items a day mentioned this theme. The coloured bands show what the radar called it at each "
    "run (weak signal, emerging movement, mainstream...). A line climbing through a weak-signal band is the "
    "early warning the radar exists for."
)

left, right = st.columns(2)
with left:
    st.subheader("Where it is discussed", anchor=False)
    mix = source_mix(timeline)
    st.dataframe(mix, hide_index=True, width="stretch")
    st.caption(
        "Sources that carried the theme, most items first. Several sources make a signal more credible."
    )
with right:
    st.subheader("Where it comes from", anchor=False)
    lines = lineage_lines(detail["lineage"], topic_id, labels)
    for line in lines or ["A theme of its own: it was not born from, split from or merged with another."]:
        st.markdown("- " + md_escape(line))
    st.caption("Themes change from run to run: one can split off another or absorb it.")

st.subheader("Representative items", anchor=False)
items = pd.DataFrame(detail["items"], columns=["title", "source", "published_at", "url"])
st.dataframe(
    items,
    hide_index=True,
    width="stretch",
    column_config={
        "title": "Title",
        "source": "Source",
        "published_at": st.column_config.DatetimeColumn("Published", format="D MMM YYYY"),
        "url": st.column_config.LinkColumn("Link", display_text="open"),
    },
)
st.caption("The items closest to the heart of the theme. Open one to read what people actually say.")

if radar.profiles():
    placed = next((t for t in radar.snapshot(profile())["topics"] if t["id"] == topic_id), None)
    st.subheader("Against our values", anchor=False)
    if placed is None:
        st.info("This theme is not in the latest brand-values snapshot.")
    else:
        st.markdown(
            f"**{md_escape(placed['stance'])}** under **{md_escape(placed['sector'] or 'no value')}**: "
            + md_escape(placed.get("reason") or "")
        )
        st.dataframe(
            # The snapshot carries no evidence: this topic's is read apart.
            value_placement({**placed, **(radar.placement_evidence(profile(), topic_id) or {})}),
            hide_index=True,
            width="stretch",
            column_config={
                "Closeness": st.column_config.ProgressColumn("Closeness", min_value=0, max_value=1)
            },
        )
        st.caption(
            "How close the theme is to each value (0 = no closer than unrelated text, 1 = the same), the "
            "phrase of the value it matches best, and the items that show it."
        )

triage_form(radar, topic_id, detail["label"], key="topic")
