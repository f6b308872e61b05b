"""Starting the API and dashboard servers (used by the CLI, the demo and end-to-end tests)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from radar.errors import RadarError

DASHBOARD_APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"

# uvicorn on h11, whose request line and headers are bounded (64 KiB; beyond, 400 and the connection closed).
# On httptools, uvicorn's default when it is installed, a header has no size limit: one 64 MiB header sent
# without a key took the API 6 s and 110 MiB of memory before its 401 (tests/reliability/test_auth.py).
# h11 costs no more here (4.3 ms of server CPU a request either way, on the load test's lists and 304s).
HTTP_OPTIONS: dict[str, Any] = {"http": "h11", "h11_max_incomplete_event_size": 64 * 1024}


def dashboard_command(host: str, port: int) -> list[str]:
    """The command line that runs the Streamlit dashboard (no telemetry, no browser opening)."""
    options = {
        "server.address": host,
        "server.port": str(port),
        "server.headless": "true",
        "browser.gatherUsageStats": "false",
        "global.developmentMode": "false",
        # Board members need no "Deploy" button or developer menu.
        "client.toolbarMode": "minimal",
    }
    flags = [part for key, value in options.items() for part in (f"--{key}", value)]
    # dashboard.serve imports what the pages need before Streamlit starts, so the first visit is not slower.
    return [sys.executable, "-m", "dashboard.serve", str(DASHBOARD_APP), *flags]


class ApiServer:
    """The FastAPI app under uvicorn in a background thread, stoppable (for the demo and tests)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        import uvicorn

        config = uvicorn.Config(app, host=host, port=port, log_level="warning", **HTTP_OPTIONS)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="radar-api", daemon=True)
        self.url = f"http://{host}:{port}"

    def start(self, timeout_s: float = 20.0) -> ApiServer:
        self._thread.start()
        wait_until_up(f"{self.url}/health", timeout_s)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def wait_until_up(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.2)
    raise RadarError(f"{url} did not answer within {timeout_s:.0f} s ({last})")
