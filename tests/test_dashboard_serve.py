"""The dashboard's launcher imports what the pages need, then hands its arguments to ``streamlit run``."""

from __future__ import annotations

import sys

import pytest

from dashboard import serve
from radar.servers import DASHBOARD_APP, dashboard_command


def test_the_command_goes_through_the_launcher() -> None:
    command = dashboard_command("127.0.0.1", 8501)
    assert command[1:4] == ["-m", "dashboard.serve", str(DASHBOARD_APP)]
    assert "--server.port" in command and "8501" in command


def test_the_launcher_preloads_then_runs_streamlit(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.web import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    serve.main(["app.py", "--server.port", "1"])
    assert seen == [["streamlit", "run", "app.py", "--server.port", "1"]]
    assert all(name in sys.modules for name in serve.PRELOAD)
