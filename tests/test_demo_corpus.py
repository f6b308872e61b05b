"""The demo corpus: deterministic, committed as generated, valid feeds, and the planted shapes are there."""

from __future__ import annotations

import ast
import calendar
import json
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from radar.demo import corpus
from radar.demo.corpus import FEEDS_DIR, feed_specs, generate, to_jsonl, write_feeds

SPAN_START = datetime(2026, 8, 18, tzinfo=UTC)
SPAN_END = datetime(2026, 11, 16, tzinfo=UTC)  # exclusive: the whole of 2026-11-15 is inside


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def index() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FEEDS_DIR / "index.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FEEDS_DIR / "truth.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def parsed(index: dict[str, Any]) -> dict[str, Any]:
    return {f["slug"]: feedparser.parse((FEEDS_DIR / f["filename"]).read_bytes()) for f in index["feeds"]}


def _day(iso: str) -> int:
    """Day index in the span (0 = 2026-08-18, 89 = 2026-11-15)."""
    return (datetime.fromisoformat(iso).date() - date(2026, 8, 18)).days


def _items_of(truth: dict[str, Any], theme: str) -> list[dict[str, Any]]:
    return [item for item in truth["items"] if item["theme"] == theme]


# --- determinism --------------------------------------------------------------------------------------------


def test_generating_twice_gives_identical_bytes(tmp_path: Path) -> None:
    first = write_feeds(generate(), tmp_path / "a")
    second = write_feeds(generate(), tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_another_seed_gives_another_corpus() -> None:
    assert [e.title for e in generate(8).entries()] != [e.title for e in generate(7).entries()]


def test_committed_feeds_equal_a_fresh_generation(tmp_path: Path) -> None:
    write_feeds(generate(), tmp_path)
    committed, fresh = _files(FEEDS_DIR), _files(tmp_path)
    assert sorted(committed) == sorted(fresh), "regenerate with: python -m radar.demo.corpus"
    changed = [name for name in fresh if committed[name] != fresh[name]]
    assert not changed, f"hand-edited or stale: {changed}; regenerate with: python -m radar.demo.corpus"


def test_generator_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(corpus.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    top_level = {name.split(".")[0] for name in imported}
    assert top_level <= set(sys.stdlib_module_names) | {"__future__"}


# --- the committed feeds ------------------------------------------------------------------------------------


def test_every_feed_parses_without_bozo(index: dict[str, Any], parsed: dict[str, Any]) -> None:
    assert len(index["feeds"]) == 12
    for spec in index["feeds"]:
        result = parsed[spec["slug"]]
        assert not result.bozo, (spec["filename"], result.get("bozo_exception"))
        assert result.version == ("rss20" if spec["format"] == "rss" else "atom10")
        assert len(result.entries) == spec["items"]
        assert 15 <= spec["items"] <= 100


def test_formats_and_languages_are_mixed(index: dict[str, Any], parsed: dict[str, Any]) -> None:
    formats = Counter(f["format"] for f in index["feeds"])
    langs = Counter(f["lang"] for f in index["feeds"])
    assert formats["rss"] >= 4 and formats["atom"] >= 4
    assert langs["en"] >= 5 and langs["fr"] >= 5
    for spec in index["feeds"]:
        assert parsed[spec["slug"]].feed.get("language") == spec["lang"]  # <language> or xml:lang
    assert [f["slug"] for f in index["feeds"] if f["owned"]] == ["maison-verte-blog"]


def test_item_counts_and_dates_are_within_range(parsed: dict[str, Any]) -> None:
    entries = [entry for result in parsed.values() for entry in result.entries]
    assert 400 <= len(entries) <= 700
    for entry in entries:
        published = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
        assert SPAN_START <= published < SPAN_END
        assert entry.title and entry.link.startswith("https://") and ".example/" in entry.link
        assert entry.id and entry.summary
    assert sum(1 for entry in entries if entry.get("author")) > len(entries) // 3
    assert any("é" in entry.title or "à" in entry.title for entry in entries)


def test_truth_describes_every_item(truth: dict[str, Any], parsed: dict[str, Any]) -> None:
    assert (truth["seed"], truth["start"], truth["end"]) == (7, "2026-08-18", "2026-11-15")
    in_feeds = {(slug, entry.id, entry.link) for slug, result in parsed.items() for entry in result.entries}
    in_truth = {(item["feed"], item["guid"], item["url"]) for item in truth["items"]}
    assert in_feeds == in_truth
    assert all(item["theme"] in truth["themes"] for item in truth["items"])
    kinds = Counter(theme["kind"] for theme in truth["themes"].values())
    assert kinds["emergence"] == 3 and kinds["burst"] == 1 and kinds["background"] >= 6
    for name, theme in truth["themes"].items():
        assert theme["lang"] == ["en", "fr"], name


def test_reposts_exercise_url_dedupe(truth: dict[str, Any]) -> None:
    by_guid = {(item["feed"], item["guid"]): item for item in truth["items"]}
    copies = [item for item in truth["items"] if item["duplicate_of"]]
    exact = [c for c in copies if "utm_source=" not in c["url"]]
    tracked = [c for c in copies if "utm_source=" in c["url"]]
    assert 3 <= len(exact) <= 6 and 2 <= len(tracked) <= 3
    originals = {item["guid"]: item for item in truth["items"] if not item["duplicate_of"]}
    for copy in copies:
        original = originals[copy["duplicate_of"]]
        assert original["feed"] != copy["feed"]
        assert copy["url"].split("?")[0] == original["url"]
        assert (copy["feed"], copy["guid"]) in by_guid
    # Apart from the planted copies, every link is unique.
    assert len({item["url"] for item in originals.values()}) == len(originals)


# --- the planted shapes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("theme", ["repair-culture", "dumbphones", "four-day-week"])
def test_emergences_grow_late_and_spread(truth: dict[str, Any], theme: str) -> None:
    items = _items_of(truth, theme)
    days = [_day(item["published_at"]) for item in items]
    first_30 = sum(1 for d in days if d < 30)
    last_21 = sum(1 for d in days if d >= 69)
    assert 1 <= first_30 <= 8
    assert last_21 >= 3 * first_30
    assert len({item["feed"] for item in items}) >= 3
    assert truth["themes"][theme]["kind"] == "emergence"


def test_burst_spikes_within_a_week_then_fades(truth: dict[str, Any]) -> None:
    days = [_day(item["published_at"]) for item in _items_of(truth, "greenwashing-scandal")]
    busiest_week = max(sum(1 for d in days if start <= d < start + 7) for start in range(90))
    assert busiest_week >= 0.6 * len(days)
    assert sum(1 for d in days if d >= 60) <= 0.1 * len(days)
    peak = Counter(days).most_common(1)[0][0]
    assert 35 <= 89 - peak <= 45


def test_background_themes_are_steady(truth: dict[str, Any]) -> None:
    for name, theme in truth["themes"].items():
        if theme["kind"] != "background":
            continue
        days = [_day(item["published_at"]) for item in _items_of(truth, name)]
        thirds = [sum(1 for d in days if lo <= d < lo + 30) for lo in (0, 30, 60)]
        assert max(thirds) <= 2 * min(thirds), (name, thirds)


def test_brand_blog_writes_mostly_about_its_values(truth: dict[str, Any]) -> None:
    themes = Counter(item["theme"] for item in truth["items"] if item["feed"] == "maison-verte-blog")
    values = themes["local-sourcing"] + themes["eco-packaging"]
    assert values >= 0.7 * sum(themes.values())


# --- public helpers -----------------------------------------------------------------------------------------


def test_feed_specs_point_at_the_bundled_files(index: dict[str, Any]) -> None:
    specs = feed_specs("http://127.0.0.1:8765/")
    assert len(specs) == len(index["feeds"])
    for spec, listed in zip(specs, index["feeds"], strict=True):
        assert spec == {
            "name": listed["slug"],
            "url": f"http://127.0.0.1:8765/{listed['filename']}",
            "lang": listed["lang"],
            "owned": listed["owned"],
            "kind": "feed",
        }
        assert (FEEDS_DIR / listed["filename"]).is_file()


def test_jsonl_has_one_backtest_record_per_item() -> None:
    demo = generate()
    lines = list(to_jsonl(demo))
    assert len(lines) == len(demo.entries())
    records = [json.loads(line) for line in lines]
    keys = ["id", "published_at", "title", "text", "url", "source", "lang", "author"]
    assert all(list(record) == keys for record in records)
    assert len({r["id"] for r in records}) == len(records)
    assert [r["published_at"] for r in records] == sorted(r["published_at"] for r in records)
    assert {r["lang"] for r in records} == {"en", "fr"}


def test_cli_writes_feeds_and_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, jsonl = tmp_path / "feeds", tmp_path / "items.jsonl"
    assert corpus.main(["--out", str(out), "--seed", "3", "--jsonl", str(jsonl)]) == 0
    assert (out / "index.json").is_file() and (out / "truth.json").is_file()
    assert json.loads((out / "truth.json").read_text(encoding="utf-8"))["seed"] == 3
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == len(generate(3).entries())
    assert "wrote" in capsys.readouterr().out
