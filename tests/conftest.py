"""Shared fixtures: real SQLite and PostgreSQL stores, real Redis and embedded caches."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
PG_ADMIN_URL = os.environ.get("RADAR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("RADAR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means "not here"; the reason is reported
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


def _redis_available() -> str | None:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return None
    except Exception as exc:
        return f"Redis not reachable at {REDIS_URL}: {exc}"


@pytest.fixture(scope="session")
def pg_reason() -> str | None:
    return _pg_available()


@pytest.fixture
def pg_url(pg_reason: str | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if pg_reason:
        if os.environ.get("CI"):
            pytest.fail(pg_reason)
        pytest.skip(pg_reason)
    import psycopg

    name = f"vigie_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    reason = _redis_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return REDIS_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'radar.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[object]:
    from radar.settings import Settings
    from radar.store import open_store

    # Normalise a plain postgresql:// URL exactly as the settings do.
    url = Settings(home=Path("."), database_url=store_url).store_url
    opened = open_store(url)
    yield opened
    opened.close()


# The store behind the `home` fixture: "sqlite" (the embedded default) or "postgres" (a fresh database per
# test), so that the CLI, API and worker tests can run again on PostgreSQL (`make test-pg`).
TEST_STORE = os.environ.get("VIGIE_TEST_STORE", "sqlite")


def pytest_configure(config: pytest.Config) -> None:
    if TEST_STORE not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"VIGIE_TEST_STORE must be sqlite or postgres, not {TEST_STORE!r}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # On PostgreSQL, run only the tests whose store comes from `home`: the store tests are parametrised
    # over both backends already and would only run twice.
    if TEST_STORE != "postgres":
        return
    uses_home = [item for item in items if "home" in getattr(item, "fixturenames", ())]
    others = [item for item in items if "home" not in getattr(item, "fixturenames", ())]
    config.hook.pytest_deselected(items=others)
    items[:] = uses_home


@pytest.fixture
def home(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A RADAR_HOME with valid, empty config (no sources); its store follows VIGIE_TEST_STORE."""
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    settings = "[radar]\n"
    if TEST_STORE == "postgres":
        settings += f'database_url = "{request.getfixturevalue("pg_url")}"\n'
    (config / "settings.toml").write_text(settings, encoding="utf-8")
    (config / "sources.toml").write_text("", encoding="utf-8")
    return tmp_path / "home"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def run_cli(
    *args: str, home: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``radar ARGS`` as a user runs it: a new process, none of the caller's RADAR_* variables."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    full_env.update(env or {})
    if home is not None:
        full_env["RADAR_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "radar.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
