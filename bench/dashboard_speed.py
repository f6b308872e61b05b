"""How fast the dashboard's radar page renders in a browser, on the demo data, once the server is up.

Target (issue 7): the radar page renders in at most 2 s after the server is up.

Measured: headless Chromium (Debian's /usr/bin/chromium through Playwright) loads the page and the clock
stops when the radar's points are drawn (Vega-Lite's SVG symbol marks). Two kinds of visit: a first visit (a
fresh browser context: Streamlit's and Vega's JavaScript downloaded again) and a returning visitor (the same
context: the browser cache holds them, as for a team that opens the radar every morning). The first load
after the server started is reported on its own (the script's first run imports pandas and Altair).

Baseline, same run, same server: the Alerts page, which draws no chart (title, caption, one
message): the cost of Streamlit's own page shell and websocket round trip, which the radar page cannot beat.

Run: .venv/bin/python bench/dashboard_speed.py [--home DIR] [--loads 7]
(without --home, the demo is built in a temporary folder first: about a minute).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from radar.servers import dashboard_command, wait_until_up

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The radar's data points (not the legend's symbols), once drawn.
RADAR_DRAWN = '[data-testid="stVegaLiteChart"] g.mark-symbol.role-mark path'
ALERTS_DRAWN = '[data-testid="stAlert"]'
TARGET_S = 2.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _build_demo(home: Path) -> None:
    from rich.console import Console

    from radar.demo.run import run_demo
    from radar.progress import Silent

    run_demo(home, console=Console(quiet=True), progress_factory=Silent, serve=False)


def _load(browser: Any, url: str, selector: str, context: Any = None) -> float:
    """Seconds from navigation to ``selector`` drawn; in a fresh context unless one is given."""
    own = context is None
    context = context or browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.locator(selector).first.wait_for(timeout=60_000)
    elapsed = time.perf_counter() - started
    page.close()
    if own:
        context.close()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home", type=Path, help="A RADAR_HOME with analysed data (default: build the demo)."
    )
    parser.add_argument("--loads", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        home = args.home
        if home is None:
            home = Path(tmp) / "home"
            print("building the demo data…", flush=True)  # noqa: T201
            _build_demo(home)
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")} | {"RADAR_HOME": str(home)}
        server = subprocess.Popen(
            dashboard_command("127.0.0.1", port),
            env=env,
            cwd=tmp,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(f"{url}/_stcore/health", 60)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                cold = _load(browser, url, RADAR_DRAWN)
                fresh = [_load(browser, url, RADAR_DRAWN) for _ in range(args.loads)]
                fresh_base = [_load(browser, f"{url}/alerts", ALERTS_DRAWN) for _ in range(args.loads)]
                returning = browser.new_context(viewport={"width": 1280, "height": 900})
                _load(browser, url, RADAR_DRAWN, returning)  # fills the browser cache
                radar = [_load(browser, url, RADAR_DRAWN, returning) for _ in range(args.loads)]
                alerts = [_load(browser, f"{url}/alerts", ALERTS_DRAWN, returning) for _ in range(args.loads)]
                returning.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    median, baseline = statistics.median(radar), statistics.median(alerts)
    met = median <= TARGET_S
    lines = [
        f"radar page, first load after the server started (first visit): {cold:.2f} s",
        f"first visit, median of {args.loads}: radar page {statistics.median(fresh):.2f} s, "
        f"baseline alerts page {statistics.median(fresh_base):.2f} s",
        f"returning visitor, median of {args.loads}: radar page {median:.2f} s (max {max(radar):.2f} s), "
        f"baseline alerts page {baseline:.2f} s; radar costs {median - baseline:+.2f} s over the baseline",
        f"target: returning visitor's radar page <= {TARGET_S} s: {'met' if met else 'MISSED'}",
    ]
    print("\n".join(lines))  # noqa: T201
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
