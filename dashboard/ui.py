"""Streamlit pieces every page shares: the cached Radar, the chosen profile, the triage form.

Everything is read through the Radar facade (``radar.core.Radar``), never with SQL.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard.auth import parse_gate, password_ok
from dashboard.words import md_escape

TOPIC_PAGE = "views/topic.py"
TOPIC_ID_MAX = 128
TRIAGE_VERBS = {"acknowledge": "Acknowledge", "watch": "Watch", "dismiss": "Dismiss", "clear": "Clear"}


@st.cache_resource
def get_radar() -> Any:
    # Imported at call time: nothing opens a store at import, and tests can swap the factory.
    from radar.bootstrap import make_radar

    return make_radar(migrate=False)


def profile() -> str | None:
    """The brand profile chosen in the sidebar (None when brand.toml has none)."""
    chosen = st.session_state.get("profile")
    return str(chosen) if chosen else None


def profile_selector(radar: Any) -> None:
    names = radar.profiles()
    if names:
        st.sidebar.selectbox(
            "Brand profile", names, key="profile", help="Whose values the radar is drawn for."
        )


def open_topic(topic_id: str) -> None:
    """Go to the topic page showing ``topic_id``."""
    st.session_state["topic"] = topic_id
    st.switch_page(TOPIC_PAGE)


def linked_topic(values: list[str]) -> str | None:
    """The topic id named by a link's ``?topic=`` parameter (the last one given), if it looks like one.

    The URL is untrusted, but the id is only ever a key looked up among the store's topics (the topic page
    falls back to the first theme when it is unknown): it just has to be short and printable."""
    wanted = values[-1].strip() if values else ""
    return wanted if 0 < len(wanted) <= TOPIC_ID_MAX and wanted.isprintable() else None


def triage_form(radar: Any, topic_id: str, label: str, key: str) -> None:
    """Acknowledge, watch, dismiss or clear a topic with a note; written through the facade."""
    current = next((row for row in radar.triage_all() if row.topic_id == topic_id), None)
    with st.form(f"triage-{key}", clear_on_submit=True):
        st.markdown(f"**Triage: {md_escape(label)}**")
        if current is not None:
            note = f" — {md_escape(current.note)}" if current.note else ""
            st.caption(f"Current verdict: {current.status}{note}")
        action = st.radio(
            "Verdict", list(TRIAGE_VERBS), format_func=TRIAGE_VERBS.__getitem__, horizontal=True
        )
        note = st.text_input("Note (optional)", max_chars=500)
        if st.form_submit_button("Save verdict"):
            saved = radar.set_triage(topic_id, action, note.strip() or None, by=_who())
            st.success(f"Saved: {saved.status}.")


def _who() -> str | None:
    try:
        if st.user.is_logged_in:
            return str(st.user.get("email") or st.user.get("name") or "") or None
    except Exception:  # no auth configured: st.user has nothing to say
        return None
    return None


def login_gate(setting: str | None) -> bool:
    """True when the visitor may see the dashboard; otherwise draws the login and returns False."""
    gate = parse_gate(setting)
    if gate.kind == "off":
        return True
    if gate.kind == "oidc":
        if st.user.is_logged_in:
            st.sidebar.button("Log out", on_click=st.logout)
            return True
        st.title("Vigie — sign in")
        st.button("Sign in", on_click=st.login, type="primary")
        return False
    if st.session_state.get("vigie_signed_in"):
        return True
    st.title("Vigie — sign in")
    with st.form("login"):
        given = st.text_input("Password", type="password")
        if st.form_submit_button("Sign in", type="primary"):
            if password_ok(gate, given):
                st.session_state["vigie_signed_in"] = True
                st.rerun()
            st.error("That password is not right.")
    return False
