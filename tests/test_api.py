"""The API served by uvicorn on loopback, reading a real store through a real cache, with a real key."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np
import pytest

from radar.api.keys import create_key
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
def served(request: pytest.FixtureRequest, home: Path) -> Iterator[tuple[str, Radar, dict[str, str]]]:
    env: dict[str, str] = {}
    if request.param != "embedded":
        env = {
            "RADAR_REDIS_URL": request.getfixturevalue("redis_url"),
            "RADAR_DATABASE_URL": request.getfixturevalue("pg_url"),
        }
    radar = make_radar(load_config(home, env))
    radar.cache.delete(TOPICS_KEY)
    _seed(radar)
    key, _ = create_key(radar.store, "read", "test")
    from radar.api.app import create_app

    server = ApiServer(create_app(radar=radar), "127.0.0.1", _free_port()).start()
    yield server.url, radar, {"Authorization": f"Bearer {key}"}
    server.stop()
    radar.cache.delete(TOPICS_KEY)
    radar.close()


def test_health(served: tuple[str, Radar, dict[str, str]]) -> None:
    url, _, _ = served
    body = httpx.get(f"{url}/health").json()
    assert body["status"] == "ok" and body["store"] == "ok" and body["cache"] == "ok"


def test_topics_need_a_key_and_come_from_the_store(served: tuple[str, Radar, dict[str, str]]) -> None:
    url, _, auth = served
    refused = httpx.get(f"{url}/api/v1/topics")
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    body = httpx.get(f"{url}/api/v1/topics", headers=auth).json()
    assert [t["id"] for t in body["topics"]] == ["t1", "t0"]  # same state: fastest growth first
    assert body["topics"][0]["size"] == 3 and body["count"] == 2
    page = httpx.get(f"{url}/api/v1/topics?limit=1", headers=auth).json()
    assert [t["id"] for t in page["topics"]] == ["t1"] and page["next_cursor"]
    rest = httpx.get(f"{url}/api/v1/topics", params={"cursor": page["next_cursor"], "limit": 1}, headers=auth)
    assert [t["id"] for t in rest.json()["topics"]] == ["t0"] and rest.json()["next_cursor"] is None


def test_bad_query_is_a_clear_422(served: tuple[str, Radar, dict[str, str]]) -> None:
    url, _, auth = served
    response = httpx.get(f"{url}/api/v1/topics?limit=0", headers=auth)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "limit" in response.json()["detail"]


def test_export_streams_over_the_wire(served: tuple[str, Radar, dict[str, str]]) -> None:
    url, _, auth = served
    with httpx.stream("GET", f"{url}/api/v1/exports/items?format=jsonl", headers=auth) as response:
        assert response.headers.get("transfer-encoding") == "chunked"  # streamed, no Content-Length
        lines = [line for line in response.iter_lines() if line]
    assert len(lines) == 6
