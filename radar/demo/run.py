"""``radar demo``: the real pipeline on the bundled sample feeds, served from a local HTTP server."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from rich.console import Console

from radar.config_files import default_config_text

DEMO_WINDOW_DAYS = 45
DEMO_RUNS = 8  # weekly analysis runs ending on the corpus' last day: topics are tracked across runs


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature fixed by the base class
        pass


@contextlib.contextmanager
def serve_feeds(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="demo-feeds", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def write_demo_config(home: Path, base_url: str) -> None:
    """Config for the demo: the bundled feeds (loopback, so explicitly allowed) and the default brand."""
    from radar.demo.corpus import feed_specs

    config_dir = home / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "settings.toml").write_text(
        "# Written by `radar demo`.\n[radar]\n"
        f"analysis_window_days = {DEMO_WINDOW_DAYS}\nmin_topic_size = 5\n"
        # The demo gives the same topics on every machine: reproducible (single-core) reduction.
        "analysis_parallel = false\n",
        encoding="utf-8",
    )
    lines = ["# Written by `radar demo`: the bundled sample feeds, served on loopback.\n"]
    for spec in feed_specs(base_url):
        lines.append(
            "[[source]]\n"
            f'name = "{spec["name"]}"\nkind = "feed"\nurl = "{spec["url"]}"\ninterval = "1h"\n'
            f'lang = "{spec["lang"]}"\nowned = {str(spec["owned"]).lower()}\nallow_private = true\n'
        )
    (config_dir / "sources.toml").write_text("\n".join(lines), encoding="utf-8")
    (config_dir / "brand.toml").write_text(default_config_text("brand.toml"), encoding="utf-8")


def reset_demo_store(home: Path) -> None:
    """The demo starts from an empty embedded store and cache every time."""
    for pattern in ("radar.sqlite3*", "cache.sqlite3*"):
        for path in home.glob(pattern):
            path.unlink()


def run_demo(
    home: Path,
    *,
    console: Console,
    progress_factory: Callable[[], Any],
    serve: bool,
    api_port: int = 8000,
    dashboard_port: int = 8501,
) -> dict[str, Any]:
    from radar.bootstrap import make_radar
    from radar.demo.corpus import FEEDS_DIR
    from radar.settings import load_config

    home.mkdir(parents=True, exist_ok=True)
    uses_embedded = load_config(home).settings.database_url is None if (home / "config").exists() else True
    if uses_embedded:
        reset_demo_store(home)
    with serve_feeds(FEEDS_DIR) as base_url:
        write_demo_config(home, base_url)
        config = load_config(home)
        radar = make_radar(config)
        if not uses_embedded:
            radar.store.delete_everything()
        console.print(
            f"demo home {home} — store: {radar.store.backend}, cache: {type(radar.cache).__name__}",
            highlight=False,
        )
        report = radar.collect(progress=progress_factory())
    console.print(
        f"collected {report.new_items} items from {len(report.outcomes)} feeds ({len(report.failed)} failed)",
        highlight=False,
    )
    radar.embed_pending(progress=progress_factory())
    latest = radar.store.latest_published()
    assert latest is not None, "the bundled corpus produced no items"
    end = datetime.combine(latest.date(), dtime(23, 59, 59), tzinfo=UTC)
    runs = []
    for step in range(DEMO_RUNS - 1, -1, -1):
        runs.append(radar.analyze(end - timedelta(days=7 * step), progress=progress_factory()))
    payload = radar.topics_payload()
    console.print(
        f"{len(runs)} analysis runs; latest (as of {end:%Y-%m-%d}): {runs[-1].n_topics} topics "
        f"over {runs[-1].n_items} items",
        highlight=False,
    )
    for topic in payload["topics"][:8]:
        console.print(
            f"  {topic['label']:<48} size {topic['size']:>3}  growth {topic['growth']:.2f}", highlight=False
        )
    if serve:
        _serve(radar, console, api_port, dashboard_port)
    radar.close()
    return payload


def _serve(radar: Any, console: Console, api_port: int, dashboard_port: int) -> None:
    from radar.api.app import create_app
    from radar.api.keys import create_key
    from radar.servers import ApiServer, dashboard_command, wait_until_up

    api = ApiServer(create_app(radar.config), "127.0.0.1", api_port).start()
    # The demo's dashboard is open to this machine only: no login gate, whatever the shell has set.
    env = {**os.environ, "RADAR_DASHBOARD_AUTH": ""}
    dashboard = subprocess.Popen(dashboard_command("127.0.0.1", dashboard_port), env=env)
    try:
        wait_until_up(f"http://127.0.0.1:{dashboard_port}/_stcore/health", 60)
        # The API wants a key for everything but /health, /metrics and the schema: the demo makes a read key.
        key, _record = create_key(radar.store, "read", "demo")
        lines = [
            f"\nAPI:       {api.url}/api/v1/topics   (schema: {api.url}/openapi.json)",
            f'           curl -H "Authorization: Bearer {key}" {api.url}/api/v1/radar',
        ]
        for line in lines:
            console.print(line, highlight=False)
        console.print(f"Dashboard: http://127.0.0.1:{dashboard_port}", highlight=False)
        console.print("Press Ctrl-C to stop.")
        while dashboard.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        dashboard.terminate()
        dashboard.wait(timeout=10)
        api.stop()
