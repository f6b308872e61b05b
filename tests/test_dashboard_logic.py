"""The dashboard's pure modules: login gate, brief HTML, radar helpers, lead times."""

from __future__ import annotations

import hashlib
from typing import Any

from dashboard.auth import Gate, parse_gate, password_ok
from dashboard.brief import brief_html, build_brief
from dashboard.radar_chart import (
    SELECTION,
    picked_topic,
    polar_xy,
    radar_points,
    ring_lines,
    sector_labels,
    within_window,
)
from dashboard.tables import lead_times, sparkline
from dashboard.ui import linked_topic
from dashboard.words import md_escape

EVIL = '<script>alert("x")</script> & [link](javascript:1)'


def test_gate_formats() -> None:
    assert parse_gate(None) == Gate("off") and parse_gate("  ") == Gate("off")
    assert parse_gate("OIDC").kind == "oidc"
    assert parse_gate("password:pw") == Gate("password", "pw") and parse_gate("pw") == Gate("password", "pw")
    digest = hashlib.sha256(b"pw").hexdigest()
    gate = parse_gate(f"sha256:{digest.upper()}")
    assert password_ok(gate, "pw") and not password_ok(gate, "PW") and not password_ok(gate, digest)
    assert password_ok(Gate("password", "pw"), "pw") and not password_ok(Gate("password", "pw"), "pw ")
    assert not password_ok(Gate("password", ""), "") and not password_ok(Gate("oidc"), "pw")


def _snapshot() -> dict[str, Any]:
    topic = {
        "id": "a",
        "label": EVIL,
        "state": "weak",
        "momentum": 1.2,
        "size": 4,
        "sector": "Care",
        "stance": "risk",
        "reason": EVIL,
        "evidence": {"Care": {"score": 0.5, "items": [{"title": EVIL}]}},
        "because": {"name": "Care", "score": 0.5},
    }
    return {
        "profile": "p",
        "as_of": "2026-01-10T23:00:00+00:00",
        "counts": {"risk": 1},
        "sectors": [{"name": "Care", "label": "Care"}, {"name": None, "label": "(no value)"}],
        "topics": [topic],
        "say_do": {"values": [{"value": "Care", "verdict": "consistent", "text": EVIL}]},
    }


def test_brief_escapes_everything_and_prints() -> None:
    brief = build_brief(_snapshot(), {"new_topics": [{"label": EVIL}]})
    assert brief["sections"][0]["movers"][0]["summary"].startswith("A weak signal theme, rising fast")
    assert brief["sections"][1]["movers"] == []
    page = brief_html(brief)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "@media print" in page and "Nothing moved here this week." in page


def test_radar_points_and_markdown_escape() -> None:
    topic = {**_snapshot()["topics"][0], "ring": 2, "angle": 90.0}
    (point,) = radar_points([topic])
    # Ring 2 (weak) sits on the third circle; 90° is 3 o'clock (clockwise from the top, as the snapshot).
    assert (point["x"], point["y"]) == (3.0, 0.0) and point["stance"] == "risk" and point["momentum"] == 1.2
    # Raw text for Vega, which escapes its tooltips itself: escaping here would show "&lt;" to the reader.
    assert point["label"] == EVIL and point["why"] == EVIL and point["evidence"] == EVIL
    assert point["now"] == "weak signal, rising fast, 4 items"
    assert radar_points([{**topic, "momentum": 9, "stance": None}])[0]["momentum"] == 2.0  # clipped colour
    assert (
        polar_xy(1, 0) == (0.0, 1.0) and polar_xy(2, 180) == (0.0, -2.0) and polar_xy(1, 270) == (-1.0, 0.0)
    )
    circle = [row for row in ring_lines(6) if row["ring"] == 6]
    assert circle[0]["x"] == circle[-1]["x"] and circle[0]["y"] == circle[-1]["y"]  # closed
    assert all(abs(row["x"] ** 2 + row["y"] ** 2 - 36) < 1e-3 for row in circle)
    sides = [{"label": "R", "start_deg": 0, "end_deg": 180}, {"label": "L", "start_deg": 180, "end_deg": 360}]
    assert [row["align"] for row in sector_labels(sides, 6.5)] == ["left", "right"]  # away from the rings
    assert md_escape("[a](b) *c*") == "\\[a\\]\\(b\\) \\*c\\*"


def test_window_and_selection() -> None:
    topics = [{"id": "old"}, {"id": "new"}]
    seen = {"old": "2026-01-01", "new": "2026-01-09"}
    assert [t["id"] for t in within_window(topics, seen, "2026-01-10T23:00:00+00:00", 7)] == ["new"]
    assert len(within_window(topics, seen, "2026-01-10T23:00:00+00:00", None)) == 2
    assert picked_topic({"selection": {SELECTION: [{"id": "new"}]}}) == "new"
    # What Streamlit gives before any click ({} per selection), an emptied one, and malformed events.
    assert (
        picked_topic({"selection": {SELECTION: {}}}) is None
        and picked_topic({"selection": {SELECTION: []}}) is None
    )
    assert picked_topic(None) is None and picked_topic({"selection": {SELECTION: [{"id": 3}, "x"]}}) is None


def test_linked_topic() -> None:
    assert linked_topic(["t00003-001"]) == "t00003-001" and linked_topic(["a", " b "]) == "b"
    assert linked_topic([]) is None and linked_topic([" "]) is None
    assert linked_topic(["x" * 129]) is None and linked_topic(["a\nb"]) is None


def test_sparkline_and_lead_times() -> None:
    assert sparkline({"2026-01-09": 2}, "2026-01-10T23:00:00+00:00", days=3) == [0, 2, 0]
    signals = [
        {"as_of": "2026-01-01", "topic_id": "t", "state": "noise", "items": 1, "label": "T"},
        {"as_of": "2026-01-08", "topic_id": "t", "state": "weak", "items": 2, "label": "T"},
        {"as_of": "2026-01-29", "topic_id": "t", "state": "mainstream", "items": 9, "label": "T"},
        {"as_of": "2026-01-08", "topic_id": "u", "state": "spike", "items": 9, "label": "U"},
    ]
    frame = lead_times(signals)
    assert list(frame["Theme"]) == ["T"] and list(frame["Lead (days)"]) == [21]
