"""The dashboard as a user sees it: the demo data, a real Streamlit server in a subprocess, every page
opened in headless Chromium.

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright; no browser is ever downloaded. Without
that binary the tests skip, except under CI where they fail. A full-page screenshot of every page is written
to ``test-artifacts/`` (or ``$VIGIE_ARTIFACTS``, git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from radar.errors import RadarError
from radar.servers import dashboard_command, wait_until_up
from tests.test_dashboard_apptest import HOSTILE, empty_home, radar_free_environ, seed_home

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("VIGIE_ARTIFACTS") or REPO / "test-artifacts")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000
RADAR_CHART = '[data-testid="stVegaLiteChart"]'
# The radar's points, once Vega has drawn them (SVG): symbol marks of the data, not the legend's symbols.
RADAR_POINTS = f"{RADAR_CHART} g.mark-symbol.role-mark path"
TOOLTIP = "#vg-tooltip-element"  # Vega's tooltip, shown while the pointer is on a point
# Each page's URL path and the title it shows once its script has run.
PAGES = {
    "": "Vigie — what is moving in culture",
    "rising": "Rising now",
    "topic": "Topic",
    "values": "Our values",
    "triage": "Triage",
    "brief": "Weekly brief",
    "sources": "Sources",
    "alerts": "Alerts",
    "backtest": "Backtest",
}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed (pip install -e '.[dev]'): {exc}")
    expect.set_options(timeout=TIMEOUT_MS)  # a cold Streamlit server on a small CI runner can take a while
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled demo corpus collected, embedded and analysed (eight weekly runs), as `radar demo` does."""
    from rich.console import Console

    from radar.demo.run import run_demo
    from radar.progress import Silent

    home = tmp_path_factory.mktemp("demo") / "home"
    run_demo(home, console=Console(quiet=True), progress_factory=Silent, serve=False)
    return home


@pytest.fixture
def start_dashboard(tmp_path: Path) -> Iterator[Callable[[Path], str]]:
    """Start ``streamlit run dashboard/app.py`` on a free loopback port for a RADAR_HOME; return its URL.

    Every server started is terminated (then killed if it lingers) when the test ends, pass or fail.
    """
    started: list[tuple[subprocess.Popen[bytes], Any]] = []

    def start(home: Path) -> str:
        port = _free_port()
        log = (tmp_path / f"streamlit-{port}.log").open("wb")
        proc = subprocess.Popen(
            dashboard_command("127.0.0.1", port),
            env={**radar_free_environ(), "RADAR_HOME": str(home)},
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
        )
        started.append((proc, log))
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/_stcore/health", 60)
        except RadarError as exc:
            log.flush()
            output = (tmp_path / f"streamlit-{port}.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"the dashboard did not start ({exc}); exit code {proc.poll()}; output:\n{output}")
        return url

    yield start
    for proc, log in started:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    yield opened
    context.close()


def _open(page: Any, url: str, title: str) -> None:
    """Load a page and wait until its script has run as far as its title."""
    page.goto(url)
    page.get_by_role("heading", name=title).first.wait_for()
    # Streamlit shows a running indicator while the script runs; wait for it to go (the page is complete).
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def _assert_no_exception_box(page: Any) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.all_inner_texts()


def _show_whole_page(page: Any) -> None:
    """Grow the viewport to the page's full height. Streamlit scrolls inside its main pane, not the
    document, so ``full_page`` screenshots alone stop at the fold."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": max(900, int(height))})
    page.wait_for_timeout(500)  # let the charts re-layout to the new size


def _screenshot(page: Any, name: str) -> Path:
    _show_whole_page(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.slow
def test_every_page_on_the_demo_data(
    demo_home: Path, start_dashboard: Callable[[Path], str], page: Any
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    url = start_dashboard(demo_home)
    for path, title in PAGES.items():
        page.set_viewport_size({"width": 1280, "height": 900})
        _open(page, f"{url}/{path}", title)
        if path == "":
            expect(page.locator(RADAR_CHART)).to_have_count(1)
            expect(page.locator(RADAR_POINTS).first).to_be_visible()
            # One point per theme on the radar (the metric above the chart counts them).
            themes = page.locator('[data-testid="stMetricValue"]').first.inner_text()
            assert page.locator(RADAR_POINTS).count() == int(themes) > 0
            expect(page.locator('[data-testid="stMetricLabel"]').first).to_have_text("Themes on the radar")
        _assert_no_exception_box(page)
        shot = _screenshot(page, f"dashboard-{path or 'radar'}.png")
        assert shot.stat().st_size > 10_000
    assert not errors, errors


@pytest.mark.slow
def test_radar_opens_a_topic(demo_home: Path, start_dashboard: Callable[[Path], str], page: Any) -> None:
    from playwright.sync_api import expect

    _open(page, start_dashboard(demo_home), PAGES[""])
    _show_whole_page(page)
    chosen = page.get_by_role("combobox", name="Open a theme").input_value()
    page.get_by_role("button", name="Open theme").click()
    expect(page.get_by_role("heading", name=chosen)).to_be_visible()
    expect(page.get_by_role("heading", name="Representative items")).to_be_visible()
    _assert_no_exception_box(page)


@pytest.mark.slow
def test_empty_store_in_a_browser(home: Path, start_dashboard: Callable[[Path], str], page: Any) -> None:
    from playwright.sync_api import expect

    empty_home(home)
    _open(page, start_dashboard(home), PAGES[""])
    expect(page.get_by_text("No topics yet")).to_be_visible()
    expect(page.locator(RADAR_CHART)).to_have_count(0)
    _assert_no_exception_box(page)


@pytest.mark.slow
def test_radar_hover_click_and_alert_link(
    home: Path, start_dashboard: Callable[[Path], str], page: Any
) -> None:
    """On the seeded store, whose evidence titles are hostile: hovering a point shows its evidence as text
    (Vega's tooltip escapes it), clicking the point opens its theme, and an alert's `/?topic=` link opens
    that theme directly."""
    from playwright.sync_api import expect

    seed_home(home)
    url = start_dashboard(home)
    _open(page, url, PAGES[""])
    _show_whole_page(page)
    point = page.locator(f"{RADAR_POINTS}[aria-label*='Theme: Repair cafés']")
    expect(point).to_have_count(1)
    point.hover()
    tooltip = page.locator(TOOLTIP)
    expect(tooltip).to_contain_text("Repair cafés · phones")
    expect(tooltip).to_contain_text(HOSTILE)  # shown as text: the markup is not interpreted
    assert tooltip.locator("img, a").count() == 0
    point.click()
    expect(page.get_by_role("heading", name="Repair cafés · phones")).to_be_visible()
    assert page.url.rstrip("/").endswith("/topic")
    _assert_no_exception_box(page)

    _open(page, f"{url}/?topic=tb", "Topic")
    expect(page.get_by_role("heading", name="Vinyl listening bars")).to_be_visible()
    assert "topic=" not in page.url  # consumed: reloading does not pull the visitor back
    _assert_no_exception_box(page)
