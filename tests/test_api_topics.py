"""Topics, search, triage, sources and alerts through the real app on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from radar.api.app import create_app
from radar.core import Radar
from radar.triage import Triage, is_muted
from tests.api_seed import Keys, backend_env, seeded  # noqa: F401  (fixtures)
from tests.conftest import utc


@pytest.fixture
def client(seeded: Radar) -> Iterator[tuple[TestClient, Keys, Radar]]:  # noqa: F811
    keys = Keys(seeded)
    with TestClient(create_app(radar=seeded)) as test_client:
        test_client.headers.update(Keys.auth(keys.read))
        yield test_client, keys, seeded


def _ids(body: dict[str, Any]) -> list[str]:
    return [topic["id"] for topic in body["topics"]]


def test_list_default_order_is_the_radars(client: tuple[TestClient, Keys, Radar]) -> None:
    http, _, radar = client
    body = http.get("/api/v1/topics").json()
    assert body["run_id"] == radar.store.latest_run().id  # type: ignore[union-attr]
    assert _ids(body) == ["t-thrift", "t-matcha", "t-vinyl", "t-fade"]  # emerging, weak, mainstream, fading
    thrift = body["topics"][0]
    assert thrift["source_kinds"] == ["feed"] and thrift["langs"] == {"en": 3} and thrift["novelty"] == 0.8


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("state=weak&state=fading", ["t-matcha", "t-fade"]),
        ("source_kind=reddit", ["t-matcha", "t-fade"]),
        ("lang=en", ["t-thrift", "t-vinyl"]),
        ("q=VINYL%20records", ["t-vinyl"]),
        ("q=latte", ["t-matcha"]),  # keywords count
        ("since=2026-11-07", []),  # all last seen on 2026-11-06
        ("until=2026-11-01", ["t-thrift"]),  # only it was first seen by then
        ("sort=size&order=asc", ["t-fade", "t-matcha", "t-thrift", "t-vinyl"]),
        ("sort=novelty", ["t-thrift", "t-matcha", "t-fade", "t-vinyl"]),  # unmeasured last
        ("sort=first_seen", ["t-fade", "t-vinyl", "t-matcha", "t-thrift"]),
    ],
)
def test_filters_and_sorts(client: tuple[TestClient, Keys, Radar], query: str, expected: list[str]) -> None:
    http, _, _ = client
    response = http.get(f"/api/v1/topics?{query}")
    assert response.status_code == 200, response.text
    assert _ids(response.json()) == expected


def test_cursor_pages_are_stable_under_a_new_run(client: tuple[TestClient, Keys, Radar]) -> None:
    http, _, radar = client
    first = http.get("/api/v1/topics?sort=size&limit=3").json()
    assert first["count"] == 3 and first["next_cursor"]
    # A new run lands between two pages: the cursor keeps paging the run it started on.
    run = radar.store.start_run(as_of=utc(2026, 12, 1), window_days=30, model="m")
    from radar.store import AnalysisResult

    radar.store.finish_run(run, AnalysisResult(topics=[], assignments=[], n_items=0))
    second = http.get(f"/api/v1/topics?sort=size&limit=3&cursor={first['next_cursor']}").json()
    assert second["run_id"] == first["run_id"] and second["next_cursor"] is None
    # Size, largest first; ties by id.
    assert _ids(first) + _ids(second) == ["t-matcha", "t-thrift", "t-vinyl", "t-fade"]
    assert http.get("/api/v1/topics").json()["topics"] == []  # the newest run has none


def test_bad_cursor_and_bad_filters_are_422_problems(client: tuple[TestClient, Keys, Radar]) -> None:
    http, _, _ = client
    for query in ("cursor=notacursor", "state=boiling", "limit=0", "lang=english!", "since=yesterday"):
        response = http.get(f"/api/v1/topics?{query}")
        assert response.status_code == 422, query
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 422 and response.json()["detail"]
    page = http.get("/api/v1/topics?sort=size&limit=1").json()
    other = http.get(f"/api/v1/topics?sort=novelty&cursor={page['next_cursor']}")
    assert other.status_code == 422 and "another sort" in other.json()["detail"]


def test_detail_and_timeline(client: tuple[TestClient, Keys, Radar]) -> None:
    http, _, radar = client
    detail = http.get("/api/v1/topics/t-thrift").json()
    assert detail["label"] == "Thrift flipping" and detail["state"] == "emerging"
    assert detail["evidence"]["rule"] == "emerging: test"
    assert [item["probability"] for item in detail["items"]] == [0.9, 0.8, 0.7]  # most typical first
    assert detail["items"][0]["url"].startswith("https://alpha.example/")
    assert detail["lineage"] == [
        {"run_id": detail["run_id"], "topic_id": "t-fade", "relation": "merged_into", "other_id": "t-thrift"}
    ]
    timeline = http.get("/api/v1/topics/t-thrift/timeline").json()
    assert [s["state"] for s in timeline["states"]] == ["weak", "emerging"]
    assert sum(day["items"] for day in timeline["daily"]) == 3
    assert all(set(day["sources"]) <= {"alpha"} for day in timeline["daily"])
    missing = http.get("/api/v1/topics/nope")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert "nope" in missing.json()["detail"]
    assert http.get("/api/v1/topics/nope/timeline").status_code == 404


def test_semantic_search_finds_the_topic_and_its_items(client: tuple[TestClient, Keys, Radar]) -> None:
    http, _, _ = client
    body = http.get("/api/v1/search", params={"q": "matcha latte", "topics": 2, "items": 2}).json()
    assert body["topics"][0]["id"] == "t-matcha"
    assert body["topics"][0]["similarity"] > body["topics"][1]["similarity"]
    assert [item["topic_id"] for item in body["items"]] == ["t-matcha", "t-matcha"]
    assert "latte" in body["items"][0]["title"]
    assert http.get("/api/v1/search", params={"q": "   "}).status_code == 422


def test_triage_mutes_a_dismissed_topic_until_its_state_changes(
    client: tuple[TestClient, Keys, Radar],
) -> None:
    http, _, radar = client
    answer = http.post("/api/v1/topics/t-vinyl/triage", json={"action": "watch", "note": "keep an eye"})
    assert answer.status_code == 200 and answer.json()["status"] == "watched"
    dismissed = http.post(
        "/api/v1/topics/t-vinyl/triage", json={"action": "dismiss", "note": "old news"}
    ).json()
    assert dismissed["dismissed_state"] == "mainstream" and dismissed["muted"] is True
    assert dismissed["updated_by"] == "reader"
    record = http.get("/api/v1/topics/t-vinyl/triage").json()
    assert [event["status"] for event in record["history"]] == ["watched", "dismissed"]
    assert record["history"][0]["note"] == "keep an eye"
    assert http.get("/api/v1/triage?status=dismissed").json()["count"] == 1
    # The pure rule the alerts use: muted while in the same state, alerting again once it changes.
    current = radar.store.triage("t-vinyl")
    assert isinstance(current, Triage)
    assert is_muted(current, "mainstream") and not is_muted(current, "fading")
    assert not is_muted(None, "mainstream")
    assert http.get("/api/v1/topics/t-vinyl").json()["triage"]["muted"] is True
    assert http.post("/api/v1/topics/nope/triage", json={"action": "watch"}).status_code == 404
    bad = http.post("/api/v1/topics/t-vinyl/triage", json={"action": "delete"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:2] == ["body", "action"]


def test_sources_health_and_admin_edits(client: tuple[TestClient, Keys, Radar]) -> None:
    http, keys, radar = client
    listed = http.get("/api/v1/sources").json()
    assert {row["name"] for row in listed["sources"]} == {"alpha", "beta"}  # remembered by the store
    new = {"name": "gamma", "url": "https://g.example/feed.xml", "kind": "feed", "tags": ["x"]}
    assert http.post("/api/v1/sources", json=new).status_code == 403  # a read key
    admin = Keys.auth(keys.admin)
    assert http.post("/api/v1/sources", json=new, headers=admin).status_code == 201
    text = (radar.settings.config_dir / "sources.toml").read_text()
    assert 'name = "gamma"' in text
    again = http.post("/api/v1/sources", json=new, headers=admin)
    assert again.status_code == 422 and "already exists" in again.json()["detail"]
    assert str(radar.settings.home) not in again.json()["detail"]  # no server paths leak
    gamma = next(row for row in http.get("/api/v1/sources").json()["sources"] if row["name"] == "gamma")
    assert gamma["configured"] is True and gamma["kind"] == "feed"
    assert http.delete("/api/v1/sources/gamma", headers=admin).status_code == 204
    assert http.delete("/api/v1/sources/gamma", headers=admin).status_code == 404
    assert "gamma" not in (radar.settings.config_dir / "sources.toml").read_text()


def test_alerts_list_recorded_alerts_with_status(client: tuple[TestClient, Keys, Radar]) -> None:
    from datetime import UTC, datetime

    from radar.alerts.rules import AlertIntent

    http, _, radar = client
    assert http.get("/api/v1/alerts").json() == {"count": 0, "alerts": [], "note": None}
    facts = {"to": "emerging"}
    intent = AlertIntent("t-thrift:weak->emerging:2", "rising", "state", "Thrift", "t-thrift", facts)
    radar.store.enqueue_alerts([intent], [], datetime.now(UTC))
    body = http.get("/api/v1/alerts").json()
    assert body["count"] == 1
    assert body["alerts"][0]["status"] == "stored" and body["alerts"][0]["state"] == "emerging"
