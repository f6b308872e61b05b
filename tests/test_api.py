"""The API served by uvicorn on loopback, reading a real store through a real cache."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from radar.bootstrap import make_radar
from radar.core import TOPICS_KEY, Radar
from radar.domain import Item
from radar.servers import ApiServer
from radar.settings import load_config
from radar.store import AnalysisResult, TopicRecord
from tests.conftest import utc


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _seed(radar: Radar) -> None:
    store = radar.store
    store.sync_sources([("alpha", "feed", "https://a.example/")])
    t0 = utc(2026, 11, 1)
    store.add_items(
        [
            Item(
                id=f"i{n}",
                source="alpha",
                url=f"https://a.example/{n}",
                title=f"t{n}",
                text="x",
                published_at=t0 + timedelta(days=n),
                fetched_at=t0,
            )
            for n in range(6)
        ]
    )
    run = store.start_run(as_of=t0 + timedelta(days=6), window_days=30, model="m")
    topics = [
        TopicRecord(
            id=f"t{k}",
            label=f"Topic {k}",
            keywords=["w"],
            size=3,
            first_seen=date(2026, 11, 1),
            last_seen=date(2026, 11, 6),
            growth=1.0 + k,
            centroid=np.ones(3, dtype=np.float32),
            daily={date(2026, 11, 1): 3},
        )
        for k in range(2)
    ]
    store.finish_run(
        run,
        AnalysisResult(
            topics=topics,
            assignments=[(f"i{n}", f"t{n % 2}", None) for n in range(6)],
            n_items=6,
        ),
    )


@pytest.fixture(params=["embedded", "redis+postgresql"])
def served(request: pytest.FixtureRequest, home: Path) -> Iterator[tuple[str, Radar]]:
    env: dict[str, str] = {}
    if request.param != "embedded":
        env = {
            "RADAR_REDIS_URL": request.getfixturevalue("redis_url"),
            "RADAR_DATABASE_URL": request.getfixturevalue("pg_url"),
        }
    radar = make_radar(load_config(home, env))
    radar.cache.delete(TOPICS_KEY)
    _seed(radar)
    from radar.api.app import create_app

    server = ApiServer(create_app(radar=radar), "127.0.0.1", _free_port()).start()
    yield server.url, radar
    server.stop()
    radar.cache.delete(TOPICS_KEY)
    radar.close()


def test_health(served: tuple[str, Radar]) -> None:
    url, _ = served
    body = httpx.get(f"{url}/health").json()
    assert body["status"] == "ok" and body["store"] == "ok" and body["cache"] == "ok"


def test_topics_from_store_then_cache(served: tuple[str, Radar]) -> None:
    url, radar = served
    body = httpx.get(f"{url}/api/v1/topics").json()
    assert [t["id"] for t in body["topics"]] == ["t1", "t0"]  # fastest growth first
    assert body["topics"][0]["size"] == 3 and body["count"] == 2
    assert radar.cache.get(TOPICS_KEY) is not None  # the miss filled the cache
    radar.cache.delete(TOPICS_KEY)  # a flushed cache loses nothing: rebuilt from the store
    again = httpx.get(f"{url}/api/v1/topics?limit=1").json()
    assert [t["id"] for t in again["topics"]] == ["t1"]


def test_bad_query_is_a_clear_422(served: tuple[str, Radar]) -> None:
    url, _ = served
    response = httpx.get(f"{url}/api/v1/topics?limit=0")
    assert response.status_code == 422
    assert "limit" in response.text
