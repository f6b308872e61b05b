"""Auth, scopes, the per-key rate limit (embedded cache and real Redis) and `radar keys`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from radar.api.app import create_app
from radar.core import Radar
from tests.api_seed import Keys, make_test_radar, seed
from tests.conftest import run_cli


@pytest.fixture
def app_env(home: Path) -> Iterator[tuple[TestClient, Keys, Radar]]:
    radar = make_test_radar(home, {"RADAR_API_RATE_LIMIT": "0"})
    seed(radar)
    keys = Keys(radar)
    with TestClient(create_app(radar=radar)) as client:
        yield client, keys, radar
    radar.close()


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "0" * 32, path)


def test_everything_under_api_v1_needs_a_key(app_env: tuple[TestClient, Keys, Radar]) -> None:
    client, _, _ = app_env
    schema = client.get("/openapi.json").json()
    checked = 0
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method in operations:
            response = client.request(method.upper(), _fill(path))
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"].startswith("Bearer")
            checked += 1
    assert checked >= 20
    wrong = client.get("/api/v1/topics", headers={"Authorization": "Bearer vg_not-a-key"})
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.json()["detail"]


def test_open_endpoints(app_env: tuple[TestClient, Keys, Radar]) -> None:
    client, _, _ = app_env
    assert client.get("/health").json()["status"] == "ok"
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert "vigie_items_collected" in metrics.text or "python_info" in metrics.text
    assert client.get("/openapi.json").json()["info"]["title"] == "Vigie topics API"
    assert client.get("/docs").status_code == 404  # not served: see radar.api.app
    unknown = client.get("/nowhere")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"


def test_scopes(app_env: tuple[TestClient, Keys, Radar]) -> None:
    client, keys, radar = app_env
    me = client.get("/api/v1/me", headers=Keys.auth(keys.read)).json()
    assert me["scope"] == "read" and me["name"] == "reader"
    assert client.get("/api/v1/me", headers=Keys.auth(keys.admin)).json()["scope"] == "admin"
    forbidden = client.delete("/api/v1/sources/alpha", headers=Keys.auth(keys.read))
    assert forbidden.status_code == 403 and "admin" in forbidden.json()["detail"]
    radar.store.revoke_api_key(radar.store.api_keys()[0].prefix)
    assert client.get("/api/v1/me", headers=Keys.auth(keys.read)).status_code == 401


@pytest.mark.parametrize("backend", ["embedded", "redis"])
def test_rate_limit_per_key(home: Path, backend: str, request: pytest.FixtureRequest) -> None:
    env = {"RADAR_API_RATE_LIMIT": "3"}
    if backend == "redis":
        env["RADAR_REDIS_URL"] = request.getfixturevalue("redis_url")
    radar = make_test_radar(home, env)
    keys = Keys(radar)
    try:
        with TestClient(create_app(radar=radar)) as client:
            answers = [client.get("/api/v1/me", headers=Keys.auth(keys.read)) for _ in range(4)]
            assert [a.status_code for a in answers[:3]] == [200, 200, 200]
            assert [a.headers["ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
            limited = answers[3]
            if limited.status_code == 200:  # the minute turned between requests: one more window
                limited = [client.get("/api/v1/me", headers=Keys.auth(keys.read)) for _ in range(4)][-1]
            assert limited.status_code == 429
            assert limited.headers["content-type"] == "application/problem+json"
            assert 1 <= int(limited.headers["retry-after"]) <= 60
            assert "3 requests per minute" in limited.json()["detail"]
            # Another key has its own budget; open endpoints have none.
            assert client.get("/api/v1/me", headers=Keys.auth(keys.admin)).status_code == 200
            assert all(client.get("/health").status_code == 200 for _ in range(5))
    finally:
        radar.close()


def test_keys_cli_create_list_revoke(home: Path) -> None:
    made = run_cli("keys", "create", "--scope", "admin", "--name", "ci", "--json", home=home)
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)["key"]
    radar = make_test_radar(home, {"RADAR_API_RATE_LIMIT": "0"})
    try:
        with TestClient(create_app(radar=radar)) as client:
            assert client.get("/api/v1/me", headers=Keys.auth(key)).json()["name"] == "ci"
            listed = json.loads(run_cli("keys", "list", "--json", home=home).stdout)
            assert [(k["name"], k["scope"], k["revoked_at"]) for k in listed] == [("ci", "admin", None)]
            assert key not in json.dumps(listed) and listed[0]["prefix"] == key[:11]
            revoked = run_cli("keys", "revoke", listed[0]["prefix"], home=home)
            assert revoked.returncode == 0, revoked.stderr
            assert client.get("/api/v1/me", headers=Keys.auth(key)).status_code == 401
    finally:
        radar.close()
    assert run_cli("keys", "revoke", "nope", home=home).returncode == 1
    assert run_cli("keys", "create", "--scope", "root", home=home).returncode == 2
