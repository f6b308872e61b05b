"""Values page: how close each theme is to each value, and whether we do what we say."""

from __future__ import annotations

import streamlit as st

from dashboard.charts import heatmap_figure, say_do_figure
from dashboard.tables import alignment_matrix, say_do_frame
from dashboard.ui import get_radar, profile

radar = get_radar()
st.title("Our values")
if not radar.profiles():
    st.info("No brand profile is configured: add a [[profile]] to config/brand.toml.")
    st.stop()
snapshot = radar.snapshot(profile())
st.caption(f"For {snapshot['profile']}: {snapshot.get('description') or ''}")

st.subheader("Which themes touch which value", anchor=False)
matrix = alignment_matrix(snapshot)
if matrix.empty:
    st.info("No theme is close to any of our values yet.")
else:
    st.plotly_chart(heatmap_figure(matrix), config={"displaylogo": False})
    st.caption(
        "Each row is a theme, each column one of our values or red lines. The darker the square, the closer "
        "the theme is to that value. A dark square under a red line is a theme to handle with care."
    )

st.subheader("Do we do what we say?", anchor=False)
saydo = say_do_frame(snapshot)
if saydo.empty:
    st.info("No owned source (our own blog or feed) is configured, so the say–do gap cannot be measured.")
else:
    st.plotly_chart(say_do_figure(saydo), config={"displaylogo": False})
    st.caption(
        "For each value, grey is its share of what we claim (the weight we gave it), green its share of what "
        "we actually publish. A grey bar much taller than the green one means we say more than we do."
    )
    st.dataframe(
        saydo,
        hide_index=True,
        width="stretch",
        column_config={
            "What we claim": st.column_config.NumberColumn(format="percent"),
            "What we publish": st.column_config.NumberColumn(format="percent"),
        },
    )
