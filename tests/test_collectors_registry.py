"""The collector registry, entry-point discovery, and the package's public surface."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

import collectors
from collectors import registry
from collectors.base import Collector, CollectResult
from collectors.feed import FeedCollector
from radar.domain import SourceState
from radar.errors import ConfigError
from radar.settings import SourceConfig

REPO = Path(__file__).resolve().parents[1]


class EchoCollector:
    kind = "echo"

    def collect(
        self, source: SourceConfig, state: SourceState, fetcher: object, now: datetime
    ) -> CollectResult:
        return CollectResult(items=[], not_modified=False, etag=None, last_modified=None, status=None)


@pytest.fixture(autouse=True)
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registered", {})


def test_feed_is_built_in() -> None:
    collector = registry.get_collector("feed")
    assert isinstance(collector, FeedCollector)
    assert isinstance(collector, Collector)
    assert registry.get_collector("feed") is collector  # loaded once
    assert "feed" in registry.known_kinds()


def test_unknown_kind_is_a_config_error_naming_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown source kind 'nope'; known: .*feed"):
        registry.get_collector("nope")


def test_register_and_get() -> None:
    echo = EchoCollector()
    registry.register(echo)
    assert registry.get_collector("echo") is echo
    assert registry.known_kinds() == sorted({"echo", *registry._BUILTINS, *registry._installed()})
    assert {
        "feed",
        "mastodon",
        "reddit",
        "hackernews",
        "lemmy",
        "youtube",
        "bluesky",
        "jetstream",
        "googlenews",
    } <= set(registry.known_kinds())


def test_registering_a_kind_twice_needs_replace() -> None:
    registry.register(EchoCollector())
    with pytest.raises(ValueError, match="already registered"):
        registry.register(EchoCollector())
    other = EchoCollector()
    registry.register(other, replace=True)
    assert registry.get_collector("echo") is other


def test_registered_collectors_override_built_ins() -> None:
    custom = EchoCollector()
    custom.kind = "feed"
    registry.register(custom)
    assert registry.get_collector("feed") is custom


def test_register_rejects_objects_that_are_not_collectors() -> None:
    with pytest.raises(ValueError, match="kind"):
        registry.register(object())  # type: ignore[arg-type]


PLUGIN = """
from collectors.base import CollectResult

class FakeCollector:
    kind = "fake"

    def collect(self, source, state, fetcher, now):
        return CollectResult(items=[], not_modified=False, etag=None, last_modified=None, status=None)

class Mislabelled(FakeCollector):
    kind = "something-else"
"""

ENTRY_POINTS = """
[vigie.collectors]
fake = vigie_fake_plugin:FakeCollector
mislabelled = vigie_fake_plugin:Mislabelled
missing = vigie_fake_plugin:DoesNotExist
feed = vigie_fake_plugin:FakeCollector
"""


@pytest.fixture
def fake_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    (tmp_path / "vigie_fake_plugin.py").write_text(textwrap.dedent(PLUGIN))
    info = tmp_path / "vigie_fake_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vigie-fake-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "vigie_fake_plugin", raising=False)
    yield
    sys.modules.pop("vigie_fake_plugin", None)


@pytest.mark.usefixtures("fake_distribution")
def test_entry_point_collectors_are_found_and_loaded_lazily() -> None:
    assert {"fake", "mislabelled", "missing"} <= set(registry.known_kinds())
    assert "vigie_fake_plugin" not in sys.modules  # listing kinds imports nothing
    collector = registry.get_collector("fake")
    assert type(collector).__name__ == "FakeCollector"
    assert registry.get_collector("fake") is collector


@pytest.mark.usefixtures("fake_distribution")
def test_entry_points_cannot_shadow_built_ins() -> None:
    assert isinstance(registry.get_collector("feed"), FeedCollector)


@pytest.mark.usefixtures("fake_distribution")
def test_broken_entry_points_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="'missing' .*could not be loaded"):
        registry.get_collector("missing")
    with pytest.raises(ConfigError, match="gives a collector of kind 'something-else'"):
        registry.get_collector("mislabelled")


def test_public_surface() -> None:
    assert sorted(collectors.__all__) == collectors.__all__
    for name in collectors.__all__:
        assert getattr(collectors, name) is not None
    with pytest.raises(AttributeError):
        _ = collectors.not_a_name  # type: ignore[attr-defined]


def test_importing_collectors_pulls_in_nothing_heavy() -> None:
    code = (
        "import sys, collectors, collectors.registry as r; r.known_kinds(); "
        "print(','.join(m for m in ('httpx', 'feedparser', 'collectors.feed') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
