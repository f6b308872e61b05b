"""The dashboard as a user sees it: a real Streamlit server in a subprocess, driven by headless Chromium.

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright; no browser is ever downloaded. Without
that binary the tests skip, except under CI where they fail. A full-page screenshot of the seeded page is
written to ``test-artifacts/dashboard.png`` for a person to look at.
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
from tests.test_dashboard_apptest import (
    AS_OF,
    BY_GROWTH,
    N_ITEMS,
    SOURCES,
    TOPICS,
    empty_home,
    radar_free_environ,
    seed_home,
)

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TITLE = "what is moving in culture"
TIMEOUT_MS = 60_000
CHART = '[data-testid="stVegaLiteChart"]'  # st.bar_chart / st.line_chart in Streamlit 1.67
RENDERED_CHART = f"{CHART} :is(svg.marks, canvas)"  # the Vega view, once drawn


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


def _open(page: Any, url: str) -> None:
    """Load the page and wait until the script's first run has been drawn."""
    page.goto(url)
    page.get_by_text(TITLE).wait_for()


def _assert_no_exception_box(page: Any) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.all_inner_texts()


def _show_whole_page(page: Any) -> None:
    """Grow the viewport to the page's full height. Streamlit scrolls inside its main pane, not the
    document, so ``full_page`` screenshots alone stop at the fold; and a scroll closes an open select box,
    so a click that has to scroll first (Playwright does) would shut the list it opens."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": int(height)})
    page.wait_for_timeout(500)  # let the charts re-layout to the new size


def _screenshot(page: Any, name: str) -> Path:
    """A screenshot of the whole page under test-artifacts/ (git-ignored)."""
    _show_whole_page(page)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.slow
def test_seeded_dashboard_in_a_browser(home: Path, start_dashboard: Callable[[Path], str], page: Any) -> None:
    from playwright.sync_api import expect

    seed_home(home)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _open(page, start_dashboard(home))

    # Both charts drawn (the growth bars, then the line of the fastest-growing theme).
    expect(page.locator(RENDERED_CHART)).to_have_count(2)
    expect(page.get_by_text(TITLE)).to_be_visible()
    expect(page.get_by_text(f"{N_ITEMS} articles and posts from {len(SOURCES)} sources")).to_be_visible()
    expect(page.get_by_text(f"as of {AS_OF.date().isoformat()}")).to_be_visible()
    metric = '[data-testid="stMetric{}"]'
    expect(page.locator(metric.format("Label"))).to_have_text(["Themes tracked", "Items read", "Sources"])
    expect(page.locator(metric.format("Value"))).to_have_text(["3", str(N_ITEMS), str(len(SOURCES))])

    # The table is drawn on a canvas; its text lives in the grid's accessible DOM, in growth order.
    table = page.locator('[data-testid="stDataFrame"]')
    for topic in TOPICS:
        expect(table).to_contain_text(topic["label"])
    text = table.text_content() or ""
    assert [text.index(label) for label in BY_GROWTH] == sorted(text.index(label) for label in BY_GROWTH)
    for words in ("rising fast", "rising", "cooling"):
        expect(table).to_contain_text(words)
    expect(page.get_by_role("combobox", name="Theme")).to_have_value(BY_GROWTH[0])

    _assert_no_exception_box(page)
    assert not errors, errors
    shot = _screenshot(page, "dashboard.png")
    assert shot.stat().st_size > 10_000


@pytest.mark.slow
def test_choosing_another_theme_redraws_its_line(
    home: Path, start_dashboard: Callable[[Path], str], page: Any
) -> None:
    from playwright.sync_api import expect

    seed_home(home)
    _open(page, start_dashboard(home))
    expect(page.locator(RENDERED_CHART)).to_have_count(2)
    _show_whole_page(page)

    page.get_by_role("combobox", name="Theme").click()
    expect(page.get_by_role("option")).to_have_text(BY_GROWTH)  # every theme offered, fastest first
    page.get_by_role("option", name=BY_GROWTH[-1]).click()

    expect(page.get_by_text(f"How many items a day mentioned “{BY_GROWTH[-1]}”")).to_be_visible()
    expect(page.get_by_role("combobox", name="Theme")).to_have_value(BY_GROWTH[-1])
    expect(page.locator(RENDERED_CHART)).to_have_count(2)
    _assert_no_exception_box(page)


@pytest.mark.slow
def test_empty_store_in_a_browser(home: Path, start_dashboard: Callable[[Path], str], page: Any) -> None:
    from playwright.sync_api import expect

    empty_home(home)
    _open(page, start_dashboard(home))

    expect(page.get_by_text("No topics yet")).to_be_visible()
    expect(page.locator('[data-testid="stAlert"]')).to_have_count(1)
    expect(page.locator(CHART)).to_have_count(0)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(0)
    _assert_no_exception_box(page)
