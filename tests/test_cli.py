"""The CLI, run as a user runs it: a real process, real config files, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli as radar

COMMANDS = (
    "init",
    "collect",
    "analyze",
    "topics",
    "serve",
    "dashboard",
    "demo",
    "backtest",
    "stats",
    "worker",
    "import",
    "reembed",
)


def test_help_lists_every_command_with_help_text() -> None:
    result = radar("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout
        sub = radar(command, "--help")
        assert sub.returncode == 0, sub.stderr
        assert "--home" in sub.stdout
        lines = [line for line in sub.stdout.splitlines() if line.strip() and "Usage" not in line]
        assert lines, f"{command} has no help text"


def test_init_then_stats_json(tmp_path: Path) -> None:
    home = tmp_path / "h"
    result = radar("init", "--home", str(home))
    assert result.returncode == 0, result.stderr
    assert (home / "config" / "sources.toml").exists()
    assert (home / "radar.sqlite3").exists()
    stats = radar("stats", "--json", home=home)
    assert stats.returncode == 0, stats.stderr
    counts = json.loads(stats.stdout)
    assert counts["items"] == 0 and counts["topics"] == 0 and counts["sources_configured"] == 4


@pytest.mark.parametrize(
    "command", ["stats", "topics", "collect", "analyze", "backtest --items i.jsonl --out o", "import i.jsonl"]
)
def test_bad_config_exits_2_naming_file_and_key(tmp_path: Path, command: str) -> None:
    home = tmp_path / "h"
    assert radar("init", "--home", str(home)).returncode == 0
    sources = home / "config" / "sources.toml"
    sources.write_text("[[source]]\nname = 'x'\nurl = 'not a url'\n", encoding="utf-8")
    result = radar(*command.split(), "--home", str(home))
    assert result.returncode == 2
    assert str(sources) in result.stderr and "source[0].url" in result.stderr


def test_unknown_source_kind_is_a_config_error(tmp_path: Path) -> None:
    home = tmp_path / "h"
    assert radar("init", "--home", str(home)).returncode == 0
    (home / "config" / "sources.toml").write_text(
        "[[source]]\nname = 'x'\nkind = 'carrier-pigeon'\nurl = 'https://x.example/'\n", encoding="utf-8"
    )
    result = radar("stats", home=home)
    assert result.returncode == 2
    assert "source[0].kind" in result.stderr and "carrier-pigeon" in result.stderr


def test_environment_home_and_database_url(tmp_path: Path, pg_url: str) -> None:
    home = tmp_path / "h"
    env = {"RADAR_DATABASE_URL": pg_url}
    assert radar("init", home=home, env=env).returncode == 0
    stats = radar("stats", "--json", home=home, env=env)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["backend"] == "postgresql"
    assert not (home / "radar.sqlite3").exists()


def test_bad_environment_exits_2(tmp_path: Path) -> None:
    result = radar("stats", home=tmp_path, env={"RADAR_REDIS_URL": "http://nope"})
    assert result.returncode == 2
    assert "RADAR_REDIS_URL" in result.stderr


def test_topics_when_empty(tmp_path: Path) -> None:
    assert radar("init", "--home", str(tmp_path)).returncode == 0
    result = radar("topics", "--json", home=tmp_path)
    assert result.returncode == 0
    assert json.loads(result.stdout)["topics"] == []


def test_backtest_refuses_bad_arguments(tmp_path: Path) -> None:
    assert radar("init", "--home", str(tmp_path)).returncode == 0
    missing = radar(
        "backtest", "--items", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "o"), home=tmp_path
    )
    assert missing.returncode == 2 and "none.jsonl" in missing.stderr
    (tmp_path / "i.jsonl").write_text("", encoding="utf-8")
    bad_every = radar(
        "backtest",
        "--items",
        str(tmp_path / "i.jsonl"),
        "--out",
        str(tmp_path / "o"),
        "--every",
        "36h",
        home=tmp_path,
    )
    assert bad_every.returncode == 2 and "whole number of days" in bad_every.stderr
    bad_day = radar(
        "backtest",
        "--items",
        str(tmp_path / "i.jsonl"),
        "--out",
        str(tmp_path / "o"),
        "--start",
        "March",
        home=tmp_path,
    )
    assert bad_day.returncode == 2 and "--start" in bad_day.stderr
