"""The Streamlit radar dashboard (run with ``radar dashboard``)."""
