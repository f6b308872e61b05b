"""The radar snapshot and deltas through the API: served from the facade (cache), with ETags.

These call the brand-values facade (Radar.snapshot / deltas / profiles) and the values placement with
the hash embedder; they need a brand profile in config.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from radar.api.app import create_app
from radar.core import Radar
from tests.api_seed import BRAND, Keys, make_test_radar, seed
from tests.conftest import utc


@pytest.fixture
def radar_client(home: Path) -> Iterator[tuple[TestClient, Radar]]:
    (home / "config" / "brand.toml").write_text(BRAND, encoding="utf-8")
    radar = make_test_radar(home, {"RADAR_API_RATE_LIMIT": "0"})
    seed(radar)
    keys = Keys(radar)
    with TestClient(create_app(radar=radar)) as client:
        client.headers.update(Keys.auth(keys.read))
        yield client, radar
    radar.close()


def test_snapshot_with_etag(radar_client: tuple[TestClient, Radar]) -> None:
    client, radar = radar_client
    first = client.get("/api/v1/radar")
    assert first.status_code == 200, first.text
    assert first.json() == radar.snapshot(None)
    etag = first.headers["etag"]
    again = client.get("/api/v1/radar", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get("/api/v1/radar", headers={"If-None-Match": '"stale"'}).status_code == 200
    named = client.get("/api/v1/radar?profile=maison")
    assert named.status_code == 200 and named.headers["etag"] == etag  # the default is the first profile
    unknown = client.get("/api/v1/radar?profile=nobody")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/profiles").json() == {"profiles": ["maison"]}


def test_topic_list_reads_placement_from_the_snapshot(radar_client: tuple[TestClient, Radar]) -> None:
    client, radar = radar_client
    placed = {topic["id"]: topic for topic in radar.snapshot(None)["topics"]}
    listed = client.get("/api/v1/topics").json()["topics"]
    for topic in listed:
        assert topic["sector"] == placed[topic["id"]]["sector"]
        assert topic["stance"] == placed[topic["id"]]["stance"]
    sector = placed["t-thrift"]["sector"]
    assert sector is not None
    by_value = client.get("/api/v1/topics", params={"value": sector}).json()["topics"]
    assert "t-thrift" in [t["id"] for t in by_value]
    assert all(t["sector"] == sector for t in by_value)
    stance = placed["t-thrift"]["stance"]
    by_stance = client.get("/api/v1/topics", params={"stance": stance}).json()["topics"]
    assert {t["id"] for t in by_stance} == {i for i, t in placed.items() if t["stance"] == stance}
    by_momentum = client.get("/api/v1/topics", params={"sort": "momentum"}).json()["topics"]
    momenta = [t["momentum"] for t in by_momentum]
    assert momenta == sorted(momenta, reverse=True)
    detail = client.get("/api/v1/topics/t-thrift").json()
    assert detail["placement"]["sector"] == sector and detail["placement"]["profile"] == "maison"


def test_deltas_since_a_run_or_a_time(radar_client: tuple[TestClient, Radar]) -> None:
    client, radar = radar_client
    latest = radar.store.latest_run()
    assert latest is not None
    by_run = client.get("/api/v1/deltas", params={"since_run": latest.id - 1})
    assert by_run.status_code == 200, by_run.text
    assert by_run.json() == radar.deltas(None, since_run=latest.id - 1)
    assert (
        client.get(
            "/api/v1/deltas",
            headers={"If-None-Match": by_run.headers["etag"]},
            params={"since_run": latest.id - 1},
        ).status_code
        == 304
    )
    # A time before any run finished: everything is new (compared with run 0).
    by_time = client.get("/api/v1/deltas", params={"since": "2000-01-01T00:00:00Z"})
    assert by_time.json() == radar.deltas(None, since_run=0)
    assert radar.store.run_finished_by(utc(2000, 1, 1)) is None
    both = client.get("/api/v1/deltas", params={"since": "2000-01-01T00:00:00Z", "since_run": 1})
    assert both.status_code == 422
    assert client.get("/api/v1/deltas", params={"since": "2000-01-01T00:00:00"}).status_code == 422
