"""End to end with the real model: local HTTP server -> collect -> embed -> analyse -> API."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import httpx
import pytest

from radar.demo.corpus import FEEDS_DIR
from radar.demo.run import DEMO_RUNS
from tests.conftest import run_cli
from tests.test_api import _free_port

EMERGENCES = ("repair-culture", "dumbphones", "four-day-week")


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--no-serve", "--home", str(home), timeout=600)
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
    assert stats["runs"] == DEMO_RUNS and stats["topics"] > 5


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
    assert len(per_run) == DEMO_RUNS
    assert carried >= 3, "no topic kept its id from one weekly run to the next"


def _states_about(demo_home: Path) -> dict[str, list[tuple[int, str]]]:
    """For each planted theme, the (run, state) of every topic that is about it in that run."""
    from radar.bootstrap import make_radar
    from radar.settings import load_config

    items = _truth()["items"]
    assert isinstance(items, list)
    theme_of = {item["url"].split("?")[0]: item["theme"] for item in items}
    radar = make_radar(load_config(demo_home, {}))
    with radar.store.engine.connect() as conn:
        members = conn.exec_driver_sql(
            "SELECT ti.run_id, ti.topic_id, i.url FROM topic_items ti JOIN items i ON i.id = ti.item_id"
        ).all()
        states = {
            (run, topic): state
            for run, topic, state in conn.exec_driver_sql("SELECT run_id, topic_id, state FROM topic_states")
        }
    radar.close()
    by_topic: dict[tuple[int, str], Counter[str]] = {}
    for run, topic_id, url in members:
        by_topic.setdefault((run, topic_id), Counter())[theme_of[url]] += 1
    about: dict[str, list[tuple[int, str]]] = {}
    for key, themes in by_topic.items():
        theme, count = themes.most_common(1)[0]
        # The scoring rule of issue 3: at least 30% of the topic's items, and at least 3 of them.
        if count >= 3 and count / sum(themes.values()) >= 0.3:
            about.setdefault(theme, []).append((key[0], states[key]))
    return about


def test_planted_emergences_are_flagged(demo_home: Path) -> None:
    about = _states_about(demo_home)
    flagged = [t for t in EMERGENCES if any(state in {"weak", "emerging"} for _, state in about.get(t, []))]
    assert len(flagged) >= 2, f"only {flagged} of the planted emergences were flagged weak or emerging"


def test_the_burst_is_a_spike_that_fades_never_emerging(demo_home: Path) -> None:
    states = sorted(_states_about(demo_home)["greenwashing-scandal"])
    called = {state for _, state in states}
    assert "spike" in called
    assert not called & {"emerging", "mainstream"}
    assert states[-1][1] in {"fading", "noise"}


def test_api_serves_the_demo_topics(demo_home: Path) -> None:
    from radar.api.app import create_app
    from radar.servers import ApiServer
    from radar.settings import load_config

    made = run_cli("keys", "create", "--scope", "read", "--json", "--home", str(demo_home))
    auth = {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}
    server = ApiServer(create_app(load_config(demo_home, {})), "127.0.0.1", _free_port()).start()
    try:
        body = httpx.get(f"{server.url}/api/v1/topics", headers=auth).json()
    finally:
        server.stop()
    assert body["count"] > 5
    labels = [topic["label"] for topic in body["topics"]]
    assert all(label and "_" not in label for label in labels)
    cli = run_cli("topics", "--json", "--home", str(demo_home))
    assert [t["id"] for t in json.loads(cli.stdout)["topics"]][:5] == [t["id"] for t in body["topics"]][:5]


def test_the_demo_ends_with_an_opportunity_a_risk_and_deltas(demo_home: Path) -> None:
    snapshot = json.loads(run_cli("snapshot", "--json", "--home", str(demo_home)).stdout)
    stances = [topic["stance"] for topic in snapshot["topics"]]
    assert stances.count("opportunity") >= 1 and stances.count("risk") >= 1, stances
    assert snapshot["run_id"] == DEMO_RUNS and snapshot["say_do"]["own_items"] > 0
    deltas = json.loads(run_cli("deltas", "--json", "--home", str(demo_home)).stdout)
    assert deltas["previous_run_id"] == DEMO_RUNS - 1
    assert any(deltas["summary"].values()), deltas["summary"]


@pytest.mark.slow
def test_demo_on_postgresql_and_redis(tmp_path: Path, pg_url: str, redis_url: str) -> None:
    env = {"RADAR_DATABASE_URL": pg_url, "RADAR_REDIS_URL": redis_url}
    home = tmp_path / "demo"
    result = run_cli("demo", "--no-serve", "--home", str(home), env=env, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (home / "radar.sqlite3").exists() and not (home / "cache.sqlite3").exists()
    stats = run_cli("stats", "--json", "--home", str(home), env=env)
    counts = json.loads(stats.stdout)
    assert counts["backend"] == "postgresql" and counts["cache"] == "RedisCache"
    assert counts["items"] > 500 and counts["topics"] > 5
    import redis

    from radar.core import TOPICS_KEY

    cached = redis.Redis.from_url(redis_url).get("vigie:" + TOPICS_KEY)
    assert cached is not None and json.loads(cached)["topics"]
    from radar.core import SNAPSHOT_KEY

    radar_snapshot = redis.Redis.from_url(redis_url).get(
        "vigie:" + SNAPSHOT_KEY.format(profile="maison-verte")
    )
    assert radar_snapshot is not None and json.loads(radar_snapshot)["counts"]["risk"] >= 1
