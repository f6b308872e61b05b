"""The Streamlit multipage dashboard run in-process by Streamlit's AppTest, against a real seeded store.

The store holds a small finished run (three topics, real item rows) and, for the first brand profile, a
snapshot and deltas written the way the values pipeline writes them; every page is opened on it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dashboard.radar_chart import RISK_SHAPE, polar_xy
from radar.bootstrap import make_radar
from radar.config_files import default_config_text
from radar.core import Radar
from radar.domain import Item
from radar.settings import load_config
from radar.store import AnalysisResult, TopicRecord
from radar.values.placement import polar_angle
from radar.values.snapshot import RINGS, VERSION, alignment_keys, sectors, stored_form
from tests.conftest import utc

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "dashboard" / "app.py"
T0 = utc(2026, 11, 1)
DAYS = 10
AS_OF = T0 + timedelta(days=DAYS - 1, hours=23)  # the end of the last seeded day, as an analysis would set it

# Seeded deliberately out of growth order: the page must sort them (fastest-growing first).
TOPICS: list[dict[str, Any]] = [
    {
        "id": "tc",
        "label": "Sourdough · home baking",
        "keywords": ["sourdough", "starter", "loaf"],
        "growth": 0.6,
        "source": "beta",
        "daily": [1, 1, 1, 0, 1, 0, 1, 0, 0, 0],
    },
    {
        "id": "ta",
        "label": "Repair cafés · phones",
        "keywords": ["repair", "café", "phone", "screen"],
        "growth": 2.6,
        "source": "alpha",
        "daily": [0, 0, 1, 0, 1, 1, 1, 2, 3, 3],
    },
    {
        "id": "tb",
        "label": "Vinyl listening bars",
        "keywords": ["vinyl", "bar", "hi-fi"],
        "growth": 1.4,
        "source": "alpha",
        "daily": [1, 0, 1, 1, 0, 1, 1, 1, 1, 1],
    },
]
SOURCES = [("alpha", "feed", "https://alpha.example/feed"), ("beta", "feed", "https://beta.example/feed")]
N_ITEMS = sum(sum(topic["daily"]) for topic in TOPICS)
BY_GROWTH = [topic["label"] for topic in sorted(TOPICS, key=lambda topic: -topic["growth"])]
TREND_WORDS = {
    "Repair cafés · phones": "rising fast",
    "Vinyl listening bars": "rising",
    "Sourdough · home baking": "cooling",
}
# A title written to break out of Markdown or HTML: it must come out as text everywhere.
HOSTILE = "<img src=x onerror=alert(1)> [click](javascript:alert(2)) **bold**"
PLACEMENT = {  # topic id: (sector, stance, state, momentum)
    "ta": ("Sustainability", "opportunity", "emerging", 1.4),
    "tb": (None, "neutral", "weak", 0.5),
    "tc": ("Local sourcing", "risk", "fading", -0.7),
}


def radar_free_environ() -> dict[str, str]:
    """This process's environment without RADAR_* variables (a developer's own settings must not leak in)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("RADAR_")}


def topic_record(topic: dict[str, Any]) -> TopicRecord:
    """The stored record of one of :data:`TOPICS` (its daily counts from ``T0``)."""
    days = [T0.date() + timedelta(days=n) for n in range(DAYS)]
    seen = [day for day, count in zip(days, topic["daily"], strict=True) if count]
    return TopicRecord(
        id=topic["id"],
        label=topic["label"],
        keywords=topic["keywords"],
        size=sum(topic["daily"]),
        first_seen=seen[0],
        last_seen=seen[-1],
        growth=topic["growth"],
        centroid=np.ones(3, dtype=np.float32),
        daily={day: count for day, count in zip(days, topic["daily"], strict=True) if count},
        state=PLACEMENT[topic["id"]][2],
        evidence={"sources": {topic["source"]: sum(topic["daily"])}},
    )


def _open(home: Path) -> Radar:
    return make_radar(load_config(home, {}))  # migrates: the dashboard itself opens with migrate=False


def seed_home(home: Path, values: bool = True) -> None:
    """A finished run with the three TOPICS, each item a real row, in ``home``'s SQLite store; with
    ``values``, the bundled brand profile and its snapshot and deltas of that run too."""
    if values:
        (home / "config" / "brand.toml").write_text(default_config_text("brand.toml"), encoding="utf-8")
    radar = _open(home)
    try:
        store = radar.store
        store.sync_sources(SOURCES)
        items: list[Item] = []
        assignments: list[tuple[str, str, float | None]] = []
        records: list[TopicRecord] = []
        for topic in TOPICS:
            for n, count in enumerate(topic["daily"]):
                for k in range(count):
                    item_id = f"{topic['id']}-{n}-{k}"
                    items.append(
                        Item(
                            id=item_id,
                            source=topic["source"],
                            url=f"https://{topic['source']}.example/{item_id}",
                            title=f"{topic['label']} {n} {k}",
                            text="x",
                            published_at=T0 + timedelta(days=n, hours=k),
                            fetched_at=T0 + timedelta(days=DAYS),
                        )
                    )
                    assignments.append((item_id, topic["id"], 0.9))
            records.append(topic_record(topic))
        assert store.add_items(items) == N_ITEMS
        run = store.start_run(as_of=AS_OF, window_days=30, model="m")
        store.finish_run(
            run,
            AnalysisResult(
                topics=records, assignments=assignments, n_items=N_ITEMS, lineage=[("tb", "split_from", "tc")]
            ),
        )
        if values:
            profile = radar.config.profiles[0]
            snapshot = seeded_snapshot(profile, run)
            store.save_value_views(
                run, profile.name, stored_views(profile, snapshot), seeded_deltas(snapshot), None
            )
    finally:
        radar.close()


def empty_home(home: Path) -> None:
    """A migrated store with no run at all: a fresh install (`radar init` writes brand.toml too)."""
    (home / "config" / "brand.toml").write_text(default_config_text("brand.toml"), encoding="utf-8")
    _open(home).close()


def first_seen(topic: dict[str, Any]) -> str:
    index = next(n for n, count in enumerate(topic["daily"]) if count)
    return (T0.date() + timedelta(days=index)).isoformat()


def seeded_snapshot(profile: Any, run_id: int) -> dict[str, Any]:
    """A snapshot in the values pipeline's shape (radar/values/snapshot.py), with known placements."""
    layout = sectors(profile)
    index = {sector["name"]: i for i, sector in enumerate(layout)}
    topics = []
    for topic in TOPICS:
        sector, stance, state, momentum = PLACEMENT[topic["id"]]
        anchor = sector or "Sustainability"
        topics.append(
            {
                "id": topic["id"],
                "label": topic["label"],
                "state": state,
                "ring": RINGS.index(state),
                "angle": polar_angle(topic["id"], index[sector], len(layout)),
                "momentum": momentum,
                "size": sum(topic["daily"]),
                "sector": sector,
                "stance": stance,
                "reason": f"close to {anchor!r}" if sector else "close to no value",
                "because": {"name": anchor, "score": 0.4} if sector else None,
                "alignment": {anchor: 0.4 if sector else 0.0, "Greenwashing": 0.0},
                "contradiction": {},
                "evidence": {
                    anchor: {
                        "score": 0.4,
                        "items": [{"id": f"{topic['id']}-9-0", "title": HOSTILE, "similarity": 0.5}],
                        "matched": "repair café",
                        "terms": [],
                    }
                }
                if sector
                else {},
            }
        )
    order = {"risk": 0, "opportunity": 1, "neutral": 2}
    topics.sort(key=lambda row: (order[row["stance"]], -row["momentum"]))
    return {
        "version": 1,
        "profile": profile.name,
        "description": profile.description,
        "run_id": run_id,
        "as_of": AS_OF.isoformat(),
        "sectors": layout,
        "rings": list(RINGS),
        "red_lines": [line.name for line in profile.red_lines],
        "counts": {stance: sum(t["stance"] == stance for t in topics) for stance in order},
        "topics": topics,
        "say_do": {
            "own_sources": ["alpha"],
            "own_items": 4,
            "values": [
                {
                    "value": "Sustainability",
                    "weight": 3.0,
                    "declared_share": 0.5,
                    "own_items": 0,
                    "output_share": 0.1,
                    "momentum": 1.4,
                    "related_topics": 1,
                    "verdict": "says-more-than-does",
                    "text": "We claim Sustainability but only 10% of what we publish is about it.",
                }
            ],
        },
    }


def stored_views(profile: Any, snapshot: dict[str, Any]) -> dict[str, Any]:
    """``snapshot`` as the values pipeline stores it: alignment as a list in ``alignment_keys`` order, each
    topic's evidence kept apart (radar/values/snapshot.py); the pages get it back through the facade."""
    keys = alignment_keys(profile)
    evidence: dict[str, dict[str, Any]] = {}
    topics = []
    for topic in snapshot["topics"]:
        row = {key: value for key, value in topic.items() if key not in ("evidence", "contradiction")}
        row["alignment"] = [float(topic["alignment"].get(name, 0.0)) for name in keys]
        topics.append(row)
        evidence[topic["id"]] = {"evidence": topic["evidence"], "contradiction": topic["contradiction"]}
    return stored_form({**snapshot, "version": VERSION, "alignment_keys": keys, "topics": topics}, evidence)


def seeded_deltas(snapshot: dict[str, Any]) -> dict[str, Any]:
    by_id = {topic["id"]: topic for topic in snapshot["topics"]}
    brief = {k: by_id["ta"][k] for k in ("id", "label", "state", "sector", "stance", "momentum")}
    return {
        "version": 1,
        "profile": snapshot["profile"],
        "run_id": snapshot["run_id"],
        "as_of": snapshot["as_of"],
        "previous_run_id": None,
        "previous_as_of": None,
        "new_topics": [brief],
        "gone_topics": [],
        "state_changes": [{"id": "tb", "label": by_id["tb"]["label"], "from": "noise", "to": "weak"}],
        "placement_changes": [],
        "movers": [
            {
                "id": "tc",
                "label": by_id["tc"]["label"],
                "momentum_from": 0.2,
                "momentum_to": -0.7,
                "change": -0.9,
                "stance": "risk",
            }
        ],
        "summary": {},
    }


# -- AppTest -------------------------------------------------------------------------------------------

PAGES = ["rising", "topic", "values", "triage", "brief", "sources", "alerts", "backtest"]


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Radar]]:
    """Isolate the app's cached radar per test and close every radar it opened (no leaked connections)."""
    import streamlit as st

    import radar.bootstrap

    for key in list(os.environ):
        if key.startswith("RADAR_"):
            monkeypatch.delenv(key)
    opened: list[Radar] = []
    real = radar.bootstrap.make_radar

    def recording(*args: Any, **kwargs: Any) -> Radar:
        made = real(*args, **kwargs)
        opened.append(made)
        return made

    # The app imports make_radar from radar.bootstrap at call time, so it picks up this wrapper.
    monkeypatch.setattr(radar.bootstrap, "make_radar", recording)
    st.cache_resource.clear()
    yield opened
    st.cache_resource.clear()
    for made in opened:
        made.close()


def _run(home: Path, monkeypatch: pytest.MonkeyPatch, page: str | None = None) -> Any:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RADAR_HOME", str(home))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if page is not None:
        at.switch_page(f"views/{page}.py").run()
    _no_exception(at)
    return at


def _no_exception(at: Any) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _vega(at: Any, n: int = 0) -> dict[str, Any]:
    """A Vega-Lite chart's spec with each layer's rows back in ``data.values``: Streamlit ships named
    datasets apart, as Arrow."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    proto = at.get("vega_lite_chart")[n].proto
    spec: dict[str, Any] = json.loads(proto.spec)
    datasets = {
        dataset.name: convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict("records")
        for dataset in proto.datasets
    }
    for layer in spec.get("layer", [spec]):
        if "name" in layer.get("data", {}):
            layer["data"] = {"values": datasets[layer["data"]["name"]]}
    return spec


def _profile(home: Path) -> Any:
    return load_config(home, {}).profiles[0]


def _plotly(at: Any, n: int = 0) -> dict[str, Any]:
    return json.loads(at.get("plotly_chart")[n].proto.spec)  # type: ignore[no-any-return]


def _array(value: Any) -> list[Any]:
    """A Plotly data array as a list (Plotly may ship numbers base64-encoded, as {dtype, bdata})."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()  # type: ignore[no-any-return]
    return list(value)


def _texts(at: Any) -> str:
    return "\n".join(
        str(el.value)
        for kind in ("markdown", "caption", "title", "header", "subheader")
        for el in at.get(kind)
    )


def _db(home: Path) -> Radar:
    return make_radar(load_config(home, {}), migrate=False)


def test_radar_page(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    at = _run(home, monkeypatch)

    assert len(app_env) == 1  # one radar for the whole app, opened on our seeded home
    assert "what is moving in culture" in at.title[0].value
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {
        "Themes on the radar": "3",
        "Opportunities": "1",
        "Risks": "1",
        "Items read": str(N_ITEMS),
    }
    assert "click it to open the theme" in _texts(at)

    spec = _vega(at)
    (points,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    rows = {row["id"]: row for row in points["data"]["values"]}
    shapes = points["encoding"]["shape"]["scale"]
    shape_of = dict(zip(shapes["domain"], shapes["range"], strict=True))
    assert {topic_id: shape_of[row["stance"]] for topic_id, row in rows.items()} == {
        "ta": "triangle-up",
        "tb": "circle",
        "tc": RISK_SHAPE,  # an ✕, as the caption says
    }
    assert points["encoding"]["color"]["field"] == "momentum" and rows["tc"]["momentum"] == -0.7
    assert points["encoding"]["size"]["field"] == "items" and rows["ta"]["items"] == sum(TOPICS[1]["daily"])
    by_id = {topic["id"]: topic for topic in seeded_snapshot(_profile(home), 1)["topics"]}
    # Where each point sits: its ring (mainstream innermost) at its angle, clockwise from the top.
    assert (rows["ta"]["x"], rows["ta"]["y"]) == polar_xy(RINGS.index("emerging") + 1, by_id["ta"]["angle"])
    # Hover: label, state and evidence reach Vega as plain data, which its tooltip handler escapes (the
    # browser test checks the DOM); nothing here may arrive pre-escaped or carry markup of ours.
    assert [tip["field"] for tip in points["encoding"]["tooltip"]] == ["label", "now", "why", "evidence"]
    assert rows["ta"]["evidence"] == HOSTILE and rows["ta"]["label"] == "Repair cafés · phones"
    assert rows["ta"]["now"] == f"emerging movement, rising fast, {sum(TOPICS[1]['daily'])} items"
    assert "&lt;" not in json.dumps(points["data"]) and "format" not in json.dumps(
        points["encoding"]["tooltip"]
    )
    texts = [
        row["text"]
        for layer in spec["layer"]
        if layer["mark"]["type"] == "text"
        for row in layer["data"]["values"]
    ]
    assert {"Sustainability", "Local sourcing", "Wellbeing at work", "mainstream", "background"} <= set(texts)
    assert [param["name"] for param in spec["params"]] == ["chosen"]
    assert spec["params"][0]["select"] == {
        "type": "point",
        "fields": ["id"],
        "on": "click",
        "clear": "dblclick",
    }
    # No Plotly element on the radar page: the browser then never loads Plotly's 4.7 MB chunk (issue 7: it
    # cost ~1.2 s). Python-side, Streamlit imports plotly anyway when it is installed.
    assert not at.get("plotly_chart")


def test_clicking_a_point_opens_its_topic(
    home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]
) -> None:
    seed_home(home)
    at = _run(home, monkeypatch)
    # What the browser sends when a point is clicked: the point selection's fields (the topic id).
    at.session_state["radar_chart"] = {"selection": {"chosen": [{"id": "tc"}]}}
    at.run()
    _no_exception(at)
    assert at.title[0].value == "Topic"
    assert at.header[0].value == "Sourdough · home baking"


@pytest.mark.parametrize(
    ("topic", "header"),
    [("tb", "Vinyl listening bars"), ("nope", "Repair cafés · phones"), ("", None)],
)
def test_alert_link_opens_its_topic(
    topic: str, header: str | None, home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]
) -> None:
    """Slack alerts link to `/?topic=<id>` (radar/alerts/render.py): the app opens that theme's page; an
    unknown id still lands on the topic page (its first theme), an empty one on the radar."""
    from streamlit.testing.v1 import AppTest

    seed_home(home)
    monkeypatch.setenv("RADAR_HOME", str(home))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["topic"] = topic
    at.run()
    _no_exception(at)
    if header is None:
        assert "what is moving in culture" in at.title[0].value
        return
    assert at.title[0].value == "Topic" and at.header[0].value == header
    assert "topic" not in at.query_params  # consumed: later reruns do not jump back to the theme
    # The visitor moves on: the link must not pull them back.
    at.selectbox(key="topic_pick").select("tc").run()
    _no_exception(at)
    assert at.header[0].value == "Sourdough · home baking"


def test_alert_link_waits_for_the_login(
    home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]
) -> None:
    from streamlit.testing.v1 import AppTest

    seed_home(home)
    monkeypatch.setenv("RADAR_HOME", str(home))
    monkeypatch.setenv("RADAR_DASHBOARD_AUTH", "password:s3cret")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["topic"] = "tb"
    at.run()
    assert at.title[0].value == "Vigie — sign in" and not at.header
    at.text_input[0].input("s3cret")
    at.button[0].click().run()
    _no_exception(at)
    assert at.title[0].value == "Topic" and at.header[0].value == "Vinyl listening bars"


def test_radar_opens_the_chosen_topic(
    home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]
) -> None:
    seed_home(home)
    at = _run(home, monkeypatch)
    at.selectbox(key="radar_pick").select("tc").run()
    at.button[0].click().run()
    _no_exception(at)
    assert at.title[0].value == "Topic"
    assert at.selectbox(key="topic_pick").value == "tc"
    assert at.header[0].value == "Sourdough · home baking"


def test_rising_page(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    at = _run(home, monkeypatch, "rising")
    frame = at.dataframe[0].value
    assert list(frame["Theme"]) == [
        "Repair cafés · phones",
        "Sourdough · home baking",
        "Vinyl listening bars",
    ]
    changes = dict(zip(frame["Theme"], frame["What changed"], strict=True))
    assert changes["Repair cafés · phones"] == "new theme"
    assert changes["Vinyl listening bars"] == "background → weak signal"
    assert changes["Sourdough · home baking"] == "losing attention (-0.90)"
    first = dict(zip(frame["Theme"], frame["First seen"], strict=True))
    assert first == {topic["label"]: first_seen(topic) for topic in TOPICS}
    sources = dict(zip(frame["Theme"], frame["Sources"], strict=True))
    assert sources["Repair cafés · phones"] == "alpha"
    spark = dict(zip(frame["Theme"], frame["Last 4 weeks"], strict=True))
    assert list(spark["Repair cafés · phones"])[-DAYS:] == TOPICS[1]["daily"]


def test_topic_page_and_triage(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    at = _run(home, monkeypatch, "topic")
    at.selectbox(key="topic_pick").select("ta").run()
    _no_exception(at)
    assert at.header[0].value == "Repair cafés · phones"
    text = _texts(at)
    assert "repair, café, phone, screen" in text
    assert "\\*\\*bold\\*\\*" not in text  # the hostile title is in a dataframe, not in Markdown
    timeline = _plotly(at)
    (line,) = [trace for trace in timeline["data"] if trace.get("mode") == "lines+markers"]
    assert _array(line["y"])[-3:] == [2, 3, 3]
    assert {shape["type"] for shape in timeline["layout"]["shapes"]} == {"rect"}  # the state bands
    items, mix, placement = (at.dataframe[n].value for n in (1, 0, 2))
    assert set(mix["Source"]) == {"alpha"} and int(mix["Items"].sum()) == sum(TOPICS[1]["daily"])
    assert all(url.startswith("https://alpha.example/ta-") for url in items["url"])
    assert placement["Evidence"][0] == HOSTILE and placement["Value"][0] == "Sustainability"

    at.selectbox(key="topic_pick").select("tb").run()
    assert "Run 1: split from Sourdough · home baking" in _texts(at)  # lineage, named by label
    at.selectbox(key="topic_pick").select("ta").run()
    at.radio[0].set_value("watch")
    at.text_input[0].input("ask the CSR team")
    at.button[0].click().run()  # the form's submit button
    _no_exception(at)
    db = _db(home)
    try:
        (verdict,) = db.triage_all()
        assert (verdict.topic_id, verdict.status, verdict.note) == ("ta", "watched", "ask the CSR team")
    finally:
        db.close()
    at.switch_page("views/triage.py").run()
    _no_exception(at)
    table = at.dataframe[0].value
    assert list(table["Theme"]) == ["Repair cafés · phones"] and list(table["Verdict"]) == ["watched"]


def test_values_page(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    at = _run(home, monkeypatch, "values")
    heatmap = _plotly(at, 0)["data"][0]
    assert heatmap["type"] == "heatmap"
    # Most aligned first (a tie keeps the snapshot's order: risks first); tb is close to no value.
    assert heatmap["y"] == ["Sourdough · home baking", "Repair cafés · phones"]
    assert heatmap["x"][:3] == ["Sustainability", "Local sourcing", "Wellbeing at work"]
    saydo = at.dataframe[0].value
    assert list(saydo["Verdict"]) == ["we say more than we do"]
    assert "darker the square" in _texts(at)


def test_brief_page(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    at = _run(home, monkeypatch, "brief")
    assert [h.value for h in at.subheader][:2] == ["New this week", "Sustainability"]
    text = _texts(at)
    assert "Repair cafés · phones" in text and "an opportunity for us" in text
    assert len(at.get("download_button")) == 1


def test_sources_alerts_and_empty_backtest(
    home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]
) -> None:
    seed_home(home)
    at = _run(home, monkeypatch, "sources")
    frame = at.dataframe[0].value
    assert {"alpha", "beta"} <= set(frame["Source"])
    assert len(at.get("plotly_chart")) == 1
    at.switch_page("views/alerts.py").run()
    _no_exception(at)
    assert at.info[0].value == "No alert has been sent yet."
    at.switch_page("views/backtest.py").run()
    _no_exception(at)
    assert at.info[0].value.startswith("No finished backtest yet")


def test_backtest_page(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    out = home / "backtests" / "0123456789abcdef" / "out"
    out.mkdir(parents=True)
    (out / "summary.json").write_text(
        json.dumps({"parameters": {"start": "2026-01-01", "end": "2026-03-01", "every_days": 7}})
    )
    signals = [
        {"as_of": "2026-01-08", "topic_id": "x", "state": "weak", "items": 3, "label": "Early one"},
        {"as_of": "2026-01-22", "topic_id": "x", "state": "mainstream", "items": 30, "label": "Early one"},
        {"as_of": "2026-01-22", "topic_id": "y", "state": "noise", "items": 9, "label": "Never flagged"},
    ]
    (out / "signals.jsonl").write_text("".join(json.dumps(s) + "\n" for s in signals))
    at = _run(home, monkeypatch, "backtest")
    bars = _plotly(at)["data"][0]
    assert bars["y"] == ["Early one"] and _array(bars["x"]) == [14]
    assert {m.label: m.value for m in at.metric}["Median warning (days)"] == "14"


@pytest.mark.parametrize("page", [None, *PAGES])
def test_every_page_on_an_empty_store(
    page: str | None, home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]
) -> None:
    empty_home(home)
    at = _run(home, monkeypatch, page)
    assert at.title  # every page says what it is, even with nothing to show
    assert len(at.get("plotly_chart")) == 0 or page == "sources"
    assert not at.get("vega_lite_chart")
    if page is None:
        assert at.info[0].value.startswith("No topics yet")


@pytest.mark.parametrize("setting", ["password:s3cret", "sha256:" + hashlib.sha256(b"s3cret").hexdigest()])
def test_login_gate(setting: str, home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    monkeypatch.setenv("RADAR_DASHBOARD_AUTH", setting)
    at = _run(home, monkeypatch)
    assert at.title[0].value == "Vigie — sign in" and not at.get("vega_lite_chart") and not at.metric
    at.text_input[0].input("wrong").run()
    at.button[0].click().run()
    assert at.error[0].value == "That password is not right." and not at.get("vega_lite_chart")
    at.text_input[0].input("s3cret")
    at.button[0].click().run()
    _no_exception(at)
    assert "what is moving in culture" in at.title[0].value and len(at.get("vega_lite_chart")) == 1
