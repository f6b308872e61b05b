"""Structured logs: with RADAR_LOG_FORMAT=json every line each process writes is one JSON object."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from radar.logs import JsonFormatter, configure_logging
from tests.conftest import run_cli

JSON_ENV = {"RADAR_LOG_FORMAT": "json"}


def _record(**extra: Any) -> logging.LogRecord:
    record = logging.getLogger("radar.test").makeRecord(
        "radar.test", logging.WARNING, __file__, 1, "source %s failed", ("alpha",), None, extra=extra
    )
    return record


def _json_lines(stderr: str) -> list[dict[str, Any]]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines, "no log line at all"
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    return parsed


def test_json_line_has_the_fields_and_the_extras() -> None:
    entry = json.loads(JsonFormatter().format(_record(source="alpha", items=3, path=Path("/x"))))
    assert entry["level"] == "warning" and entry["logger"] == "radar.test"
    assert entry["message"] == "source alpha failed"
    assert entry["time"].endswith("+00:00")  # UTC, ISO 8601
    assert (entry["source"], entry["items"], entry["path"]) == ("alpha", 3, "/x")
    assert "args" not in entry and "msg" not in entry  # the record's own attributes stay out


def test_json_line_carries_the_traceback() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("radar.test").makeRecord(
            "radar.test", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exc"]


def test_server_loggers_go_through_the_configured_handler() -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    uvicorn = logging.getLogger("uvicorn.error")
    uvicorn.addHandler(logging.NullHandler())
    uvicorn.propagate = False
    try:
        configure_logging("INFO", "json")
        assert uvicorn.handlers == [] and uvicorn.propagate
        assert isinstance(root.handlers[0].formatter, JsonFormatter)
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])


def test_cli_logs_json(home: Path) -> None:
    # A loopback URL is refused by the SSRF guard: the collect logs a warning about it.
    result = run_cli("collect", "--json", "--url", "http://127.0.0.1:9/feed", home=home, env=JSON_ENV)
    assert result.returncode == 0, result.stderr
    entries = _json_lines(result.stderr)
    assert any(e["logger"] == "radar.collect" and e["level"] == "warning" for e in entries), entries


def test_cli_logs_text_by_default(home: Path) -> None:
    result = run_cli("collect", "--json", "--url", "http://127.0.0.1:9/feed", home=home)
    assert "WARNING radar.collect:" in result.stderr
    assert not result.stderr.lstrip().startswith("{")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_api_server_logs_json_even_from_uvicorn(home: Path) -> None:
    # A store that cannot be reached makes the app's start-up fail: uvicorn itself logs the error.
    env = {**JSON_ENV, "RADAR_DATABASE_URL": "postgresql://vigie@127.0.0.1:9/vigie"}
    result = run_cli("serve", "--port", str(_free_port()), home=home, env=env, timeout=60)
    assert result.returncode != 0
    entries = _json_lines(result.stderr)
    assert any(e["logger"].startswith("uvicorn") and e["level"] == "error" for e in entries), entries


def test_worker_logs_json(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update({"RADAR_HOME": str(home), **JSON_ENV})
    process = subprocess.Popen(
        [sys.executable, "-m", "radar.cli", "run"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        time.sleep(3)  # scheduled, idle: no source is configured
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    entries = _json_lines(stderr)
    messages = [e["message"] for e in entries if e["logger"] == "radar.worker"]
    assert any("scheduled" in m for m in messages), entries
    assert any("finishing the running jobs" in m for m in messages), entries
