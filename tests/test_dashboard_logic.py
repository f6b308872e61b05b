"""The dashboard's pure modules: login gate, brief HTML, radar helpers, lead times."""

from __future__ import annotations

import hashlib
from typing import Any

from dashboard.auth import Gate, parse_gate, password_ok
from dashboard.brief import brief_html, build_brief
from dashboard.radar_chart import hover_text, picked_topic, within_window
from dashboard.tables import lead_times, sparkline
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


def test_hover_and_markdown_escape() -> None:
    text = hover_text(_snapshot()["topics"][0])
    assert "<script>" not in text and text.count("&lt;script&gt;") == 3  # label, reason, evidence
    assert md_escape("[a](b) *c*") == "\\[a\\]\\(b\\) \\*c\\*"


def test_window_and_selection() -> None:
    topics = [{"id": "old"}, {"id": "new"}]
    seen = {"old": "2026-01-01", "new": "2026-01-09"}
    assert [t["id"] for t in within_window(topics, seen, "2026-01-10T23:00:00+00:00", 7)] == ["new"]
    assert len(within_window(topics, seen, "2026-01-10T23:00:00+00:00", None)) == 2
    assert picked_topic({"selection": {"points": [{"customdata": "new"}]}}) == "new"
    assert picked_topic({"selection": {"points": []}}) is None and picked_topic(None) is None


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
