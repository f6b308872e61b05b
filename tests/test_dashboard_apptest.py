"""The Streamlit dashboard run in-process by Streamlit's AppTest, against a real seeded SQLite store.

The seeding helpers here are also used by ``tests/test_dashboard_browser.py`` (the same page in a real
browser), so both suites check the same data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from radar.bootstrap import make_radar
from radar.core import Radar
from radar.domain import Item
from radar.settings import load_config
from radar.store import AnalysisResult, TopicRecord
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


def radar_free_environ() -> dict[str, str]:
    """This process's environment without RADAR_* variables (a developer's own settings must not leak in)."""
    return {key: value for key, value in os.environ.items() if not key.startswith("RADAR_")}


def _open(home: Path) -> Radar:
    return make_radar(load_config(home, {}))  # migrates: the dashboard itself opens with migrate=False


def seed_home(home: Path) -> None:
    """A finished run with the three TOPICS, each item a real row, in ``home``'s SQLite store."""
    radar = _open(home)
    try:
        store = radar.store
        store.sync_sources(SOURCES)
        items: list[Item] = []
        assignments: list[tuple[str, str, float | None]] = []
        records: list[TopicRecord] = []
        for topic in TOPICS:
            days = [T0.date() + timedelta(days=n) for n in range(DAYS)]
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
            seen = [day for day, count in zip(days, topic["daily"], strict=True) if count]
            records.append(
                TopicRecord(
                    id=topic["id"],
                    label=topic["label"],
                    keywords=topic["keywords"],
                    size=sum(topic["daily"]),
                    first_seen=seen[0],
                    last_seen=seen[-1],
                    growth=topic["growth"],
                    centroid=np.ones(3, dtype=np.float32),
                    daily={day: count for day, count in zip(days, topic["daily"], strict=True) if count},
                )
            )
        assert store.add_items(items) == N_ITEMS
        run = store.start_run(as_of=AS_OF, window_days=30, model="m")
        store.finish_run(run, AnalysisResult(topics=records, assignments=assignments, n_items=N_ITEMS))
    finally:
        radar.close()


def empty_home(home: Path) -> None:
    """A migrated store with no run at all (what a fresh install looks like)."""
    _open(home).close()


def first_seen(topic: dict[str, Any]) -> str:
    index = next(n for n, count in enumerate(topic["daily"]) if count)
    return (T0.date() + timedelta(days=index)).isoformat()


# -- AppTest -------------------------------------------------------------------------------------------


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

    # The app imports make_radar from radar.bootstrap at call time, so it picks up this wrapper (the
    # seeding helpers above use their own module-level binding and are not counted).
    monkeypatch.setattr(radar.bootstrap, "make_radar", recording)
    st.cache_resource.clear()
    yield opened
    st.cache_resource.clear()
    for made in opened:
        made.close()


def _line_counts(at: Any) -> dict[str, int]:
    """The data behind the 'one theme over time' line chart, as {day: items}."""
    import pyarrow as pa

    (dataset,) = at.get("vega_lite_chart")[1].proto.datasets
    frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
    days, counts = frame.columns  # the generated index column, then "items per day"
    assert counts == "items per day"
    return {str(day)[:10]: int(n) for day, n in zip(frame[days], frame[counts], strict=True)}


def _expected_line(topic: dict[str, Any]) -> dict[str, int]:
    start = next(n for n, count in enumerate(topic["daily"]) if count)
    return {(T0.date() + timedelta(days=n)).isoformat(): topic["daily"][n] for n in range(start, DAYS)}


def _run(home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("RADAR_HOME", str(home))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    return at


def test_seeded_dashboard(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    seed_home(home)
    at = _run(home, monkeypatch)

    assert not at.exception, [e.value for e in at.exception]
    assert len(app_env) == 1  # the app opened exactly one radar, on our seeded home
    assert "what is moving in culture" in at.title[0].value
    assert f"as of {AS_OF.date().isoformat()}" in at.caption[0].value
    assert f"{N_ITEMS} articles and posts from {len(SOURCES)} sources" in at.caption[0].value

    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {"Themes tracked": "3", "Items read": str(N_ITEMS), "Sources": str(len(SOURCES))}

    frame = at.dataframe[0].value
    assert list(frame["Theme"]) == BY_GROWTH
    by_label = {topic["label"]: topic for topic in TOPICS}
    for _, row in frame.iterrows():
        topic = by_label[row["Theme"]]
        assert row["Items"] == sum(topic["daily"])
        assert row["Growth"] == pytest.approx(topic["growth"])
        assert row["Trend"] == TREND_WORDS[row["Theme"]]
        assert row["First seen"] == first_seen(topic)
        assert row["Keywords"] == ", ".join(topic["keywords"])

    assert len(at.get("vega_lite_chart")) == 2  # growth by theme, and one theme over time

    # The per-theme section defaults to the fastest-growing theme and follows the selection.
    box = at.selectbox[0]
    assert box.options == BY_GROWTH and box.value == BY_GROWTH[0]
    assert any(BY_GROWTH[0] in caption.value for caption in at.caption)
    assert _line_counts(at) == _expected_line(by_label[BY_GROWTH[0]])
    box.select(BY_GROWTH[2]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(BY_GROWTH[2] in caption.value for caption in at.caption)
    # A theme that went quiet: its line runs on with zeros to the analysis date instead of stopping on
    # its last active day (where it would look as if it were still climbing).
    assert _line_counts(at) == _expected_line(by_label[BY_GROWTH[2]])
    assert list(_line_counts(at).values())[-3:] == [0, 0, 0]


def test_empty_store_says_so(home: Path, monkeypatch: pytest.MonkeyPatch, app_env: list[Radar]) -> None:
    empty_home(home)
    at = _run(home, monkeypatch)

    assert not at.exception, [e.value for e in at.exception]
    assert "what is moving in culture" in at.title[0].value
    assert len(at.info) == 1 and at.info[0].value.startswith("No topics yet")
    assert len(at.dataframe) == 0 and len(at.metric) == 0
