"""``radar doctor``: each check against the real thing (SQLite, PostgreSQL, Redis, a local HTTP server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from radar.doctor import Check, check_cache, check_models, check_store, exit_code, run_checks
from radar.settings import Settings
from tests.conftest import run_cli

FAST = ("--skip", "models")  # the model check loads torch (seconds); it has its own tests
CLOSED = "127.0.0.1:9"  # discard port: nothing listens there


def _settings(home: Path, **values: object) -> Settings:
    return Settings(home=home, **values)  # type: ignore[arg-type]


def _doctor(home: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Check]]:
    result = run_cli("doctor", "--json", *args, home=home, env=env)
    payload = json.loads(result.stdout)
    assert payload["ok"] == (result.returncode == 0)
    return result.returncode, {check["name"]: Check(**check) for check in payload["checks"]}


@pytest.fixture
def initialised(home: Path) -> Path:
    assert run_cli("init", home=home).returncode == 0
    (home / "config" / "sources.toml").write_text("", encoding="utf-8")
    return home


def test_exit_code_counts_only_blocking_failures() -> None:
    assert exit_code([Check("config", "ok", ""), Check("source:a", "warn", "down")]) == 0
    assert exit_code([Check("sources", "fail", "boom")]) == 0
    assert exit_code([Check("cache", "fail", "down")]) == 1


def test_store_ok_on_both_backends(store_url: str, tmp_path: Path) -> None:
    from radar.store import open_store

    settings = _settings(tmp_path, database_url=store_url)
    open_store(settings.store_url).close()  # migrated to head
    check = check_store(settings)
    assert check.status == "ok", check.detail
    assert "up to date" in check.detail


def test_store_without_tables_says_run_init(tmp_path: Path) -> None:
    check = check_store(_settings(tmp_path))
    assert check.status == "fail" and "radar init" in check.detail


def test_store_unreachable_names_the_server_and_hides_the_password(tmp_path: Path) -> None:
    check = check_store(_settings(tmp_path, database_url=f"postgresql://vigie:s3cret@{CLOSED}/vigie"))
    assert check.status == "fail"
    assert "cannot connect" in check.detail and CLOSED in check.detail
    assert "s3cret" not in check.detail


def test_store_behind_the_code_asks_for_a_migration(pg_url: str, tmp_path: Path) -> None:
    from radar.store.engine import make_engine

    settings = _settings(tmp_path, database_url=pg_url)
    engine = make_engine(settings.store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('0001')")
    engine.dispose()
    check = check_store(settings)
    assert check.status == "fail" and "schema 0001" in check.detail and "radar init" in check.detail


def test_cache_redis_ok_and_down(redis_url: str, tmp_path: Path) -> None:
    assert check_cache(_settings(tmp_path, redis_url=redis_url)).status == "ok"
    down = check_cache(_settings(tmp_path, redis_url=f"redis://:pw@{CLOSED}/0"))
    assert down.status == "fail" and "does not answer" in down.detail and "pw@" not in down.detail


def test_cache_embedded_ok(tmp_path: Path) -> None:
    check = check_cache(_settings(tmp_path))
    assert check.status == "ok" and "cache file" in check.detail


def test_models_fail_names_the_model(tmp_path: Path) -> None:
    check = check_models(_settings(tmp_path, embedding_model=str(tmp_path / "no-such-model")))
    assert check.status == "fail" and "no-such-model" in check.detail


def test_models_ok_with_the_bundled_model(tmp_path: Path) -> None:
    check = check_models(_settings(tmp_path))
    assert check.status == "ok", check.detail
    assert "384 dimensions" in check.detail


def test_sources_in_parallel_unreachable_is_a_warning(initialised: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data("<rss/>", content_type="application/rss+xml")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    (initialised / "config" / "sources.toml").write_text(
        f'[[source]]\nname = "good"\nurl = "{httpserver.url_for("/feed")}"\n\n'
        f'[[source]]\nname = "gone"\nurl = "{httpserver.url_for("/gone")}"\n\n'
        f'[[source]]\nname = "closed"\nurl = "http://{CLOSED}/feed"\n\n'
        f'[[source]]\nname = "off"\nurl = "http://{CLOSED}/off"\nenabled = false\n',
        encoding="utf-8",
    )
    code, checks = _doctor(initialised, *FAST, env={"RADAR_FETCH_ALLOW_PRIVATE": "true"})
    assert code == 0
    assert checks["source:good"].status == "ok" and "HTTP 200" in checks["source:good"].detail
    assert checks["source:gone"].status == "warn" and "404" in checks["source:gone"].detail
    assert checks["source:closed"].status == "warn"
    assert "source:off" not in checks  # disabled sources are not probed
    assert [checks[name].status for name in ("config", "store", "cache")] == ["ok"] * 3


def test_cli_all_ok_then_quiet_prints_nothing(initialised: Path) -> None:
    code, checks = _doctor(initialised, *FAST)
    assert code == 0
    assert checks["sources"].status == "warn"  # no sources: nothing would be collected
    quiet = run_cli("doctor", "--quiet", *FAST, "--skip", "sources", home=initialised)
    assert quiet.returncode == 0 and quiet.stdout.strip() == ""


def test_cli_exit_1_naming_a_redis_that_is_down(initialised: Path) -> None:
    code, checks = _doctor(initialised, *FAST, env={"RADAR_REDIS_URL": f"redis://{CLOSED}/0"})
    assert code == 1
    assert checks["cache"].status == "fail" and CLOSED in checks["cache"].detail
    text = run_cli(
        "doctor", "--quiet", *FAST, home=initialised, env={"RADAR_REDIS_URL": f"redis://{CLOSED}/0"}
    )
    assert text.returncode == 1 and "fail" in text.stdout and "cache" in text.stdout


def test_cli_bad_config_fails_and_skips_the_rest(initialised: Path) -> None:
    (initialised / "config" / "settings.toml").write_text("[radar]\nmin_topic_size = 1\n", encoding="utf-8")
    code, checks = _doctor(initialised, *FAST)
    assert code == 1
    assert checks["config"].status == "fail" and "min_topic_size" in checks["config"].detail
    assert {checks[name].status for name in ("store", "cache", "sources")} == {"skip"}


def test_cli_model_failure_is_exit_1(initialised: Path) -> None:
    env = {"RADAR_EMBEDDING_MODEL": str(initialised / "missing-model")}
    code, checks = _doctor(initialised, "--skip", "sources", env=env)
    assert code == 1 and checks["models"].status == "fail"


def test_cli_refuses_an_unknown_check_name(initialised: Path) -> None:
    result = run_cli("doctor", "--skip", "modles", home=initialised)
    assert result.returncode == 2 and "modles" in result.stderr


def test_run_checks_in_process_with_every_check(initialised: Path) -> None:
    checks = run_checks(initialised, environ={}, skip=("sources",))
    assert [check.name for check in checks] == ["config", "store", "cache", "models"]
    assert exit_code(checks) == 0, checks
