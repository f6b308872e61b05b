"""End to end with the real model: local HTTP server -> collect -> embed -> analyse -> API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import httpx
import pytest

from radar.demo.corpus import FEEDS_DIR
from tests.test_api import _free_port

EMERGENCES = ("repair-culture", "dumbphones", "four-day-week")


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    result = subprocess.run(
        [sys.executable, "-m", "radar.cli", "demo", "--no-serve", "--home", str(home)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "collecting" in result.stderr and "embedding" in result.stderr  # progress bars were shown
    return home


def _truth() -> dict[str, object]:
    data: dict[str, object] = json.loads((FEEDS_DIR / "truth.json").read_text(encoding="utf-8"))
    return data


def test_every_distinct_item_is_stored_once(demo_home: Path) -> None:
    from radar.bootstrap import make_radar
    from radar.settings import load_config

    items = _truth()["items"]
    assert isinstance(items, list)
    distinct = {item["url"].split("?")[0] for item in items}
    radar = make_radar(load_config(demo_home, {}))
    stats = radar.stats()
    radar.close()
    assert stats["items"] == len(distinct)
    assert stats["embeddings"] == stats["items"]
    assert stats["runs"] == 4 and stats["topics"] > 5


def test_topics_keep_their_ids_across_runs(demo_home: Path) -> None:
    from radar.bootstrap import make_radar
    from radar.settings import load_config

    radar = make_radar(load_config(demo_home, {}))
    with radar.store.engine.connect() as conn:
        per_run = Counter(row[0] for row in conn.exec_driver_sql("SELECT run_id, topic_id FROM topic_items"))
        carried = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM topics WHERE created_run < updated_run"
        ).scalar_one()
    radar.close()
    assert len(per_run) == 4
    assert carried >= 3, "no topic kept its id from one weekly run to the next"


def test_planted_emergences_are_found_and_growing(demo_home: Path) -> None:
    from radar.bootstrap import make_radar
    from radar.settings import load_config

    items = _truth()["items"]
    assert isinstance(items, list)
    theme_of = {item["url"].split("?")[0]: item["theme"] for item in items}
    radar = make_radar(load_config(demo_home, {}))
    latest = radar.store.latest_run()
    assert latest is not None
    with radar.store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT ti.topic_id, i.url FROM topic_items ti JOIN items i ON i.id = ti.item_id "
            "WHERE ti.run_id = ?",
            (latest.id,),
        ).all()
    growth = {topic.id: topic.growth for topic in radar.topics()}
    radar.close()
    by_topic: dict[str, Counter[str]] = {}
    for topic_id, url in rows:
        by_topic.setdefault(topic_id, Counter())[theme_of[url]] += 1
    for theme in EMERGENCES:
        about = [
            topic_id
            for topic_id, themes in by_topic.items()
            if themes[theme] >= 3 and themes[theme] / sum(themes.values()) >= 0.5
        ]
        assert about, f"no topic is about the planted emergence {theme}"
        assert max(growth[t] for t in about) > 1.2, f"{theme} is found but not growing"


def test_api_serves_the_demo_topics(demo_home: Path) -> None:
    from radar.api.app import create_app
    from radar.servers import ApiServer
    from radar.settings import load_config

    server = ApiServer(create_app(load_config(demo_home, {})), "127.0.0.1", _free_port()).start()
    try:
        body = httpx.get(f"{server.url}/api/v1/topics").json()
    finally:
        server.stop()
    assert body["count"] > 5
    labels = [topic["label"] for topic in body["topics"]]
    assert all(label and "_" not in label for label in labels)
    cli = subprocess.run(
        [sys.executable, "-m", "radar.cli", "topics", "--json", "--home", str(demo_home)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [t["id"] for t in json.loads(cli.stdout)["topics"]][:5] == [t["id"] for t in body["topics"]][:5]
