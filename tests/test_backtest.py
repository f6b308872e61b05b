"""``radar backtest``: output format, bad lines, duplicates, causality (hash embedder: pure logic);
the real model runs in the slow end-to-end test at the bottom."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from radar.backtest.corpus import load_corpus
from radar.backtest.runner import BacktestParams, run_backtest
from radar.demo.corpus import generate, to_jsonl
from radar.errors import ConfigError
from radar.settings import load_config
from tests.conftest import run_cli
from tests.fakes import HashEmbedder


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bt") / "items.jsonl"
    lines = list(to_jsonl(generate()))
    # Two malformed lines and a repeat of an item under another id with a tracking parameter.
    first = json.loads(lines[0])
    repeat = dict(first, id="again-1", url=f"{first['url']}?utm_source=x")
    lines[5:5] = ["{not json", json.dumps({"id": "x", "title": "no date"}), json.dumps(repeat)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(corpus_file: Path, out: Path, home: Path, **kw: object) -> dict[str, object]:
    params = BacktestParams(start=kw.get("start"), end=kw.get("end"), every_days=7)  # type: ignore[arg-type]
    return run_backtest(corpus_file, out, params, load_config(home, {}), HashEmbedder())


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_outputs_follow_the_format(corpus_file: Path, tmp_path: Path, home: Path) -> None:
    summary = _run(corpus_file, tmp_path / "out", home)
    counts = summary["counts"]
    assert isinstance(counts, dict)
    assert counts["malformed_lines"] == 2 and counts["duplicates_by_url"] >= 1
    errors = summary["errors"]
    assert isinstance(errors, list) and len(errors) == 2
    # Each skipped line is named by its number and says what is wrong with it.
    assert errors[0].startswith(f"{corpus_file}:6: ") and "double quotes" in errors[0]
    assert errors[1].startswith(f"{corpus_file}:7: ") and "published_at" in errors[1]
    signals = _lines(tmp_path / "out" / "signals.jsonl")
    assert signals
    for line in signals:
        assert set(line) == {"as_of", "topic_id", "state", "score", "items", "label", "keywords", "evidence"}
        assert line["state"] in {"noise", "weak", "emerging", "mainstream", "fading", "spike"}
        assert "rule" in line["evidence"]  # type: ignore[operator]
    dates = sorted({line["as_of"] for line in signals})
    assert dates[0] >= "2026-08-18" and all(
        (date.fromisoformat(b) - date.fromisoformat(a)).days % 7 == 0
        for a, b in zip(dates, dates[1:], strict=False)  # type: ignore[arg-type]
    )
    assignments = _lines(tmp_path / "out" / "assignments.jsonl")
    ids = [a["item_id"] for a in assignments]
    valid_inputs = counts["input_lines"] - counts["malformed_lines"]  # type: ignore[operator]
    assert len(ids) == len(set(ids)) == valid_inputs
    by_id = {a["item_id"]: a["topic_id"] for a in assignments}
    first_id = json.loads(corpus_file.read_text(encoding="utf-8").splitlines()[0])["id"]
    assert by_id["again-1"] == by_id[first_id]  # a duplicate gets the topic of its original
    summary_file = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert {"read", "embed", "cluster", "analyse", "total"} <= set(summary_file["seconds"])
    assert summary_file["peak_memory_mb"] > 0


def test_an_earlier_end_gives_the_same_states(corpus_file: Path, tmp_path: Path, home: Path) -> None:
    _run(corpus_file, tmp_path / "long", home)
    _run(corpus_file, tmp_path / "short", home, end=date(2026, 10, 13))
    long = [s for s in _lines(tmp_path / "long" / "signals.jsonl") if str(s["as_of"]) <= "2026-10-13"]
    short = _lines(tmp_path / "short" / "signals.jsonl")
    assert short and max(str(s["as_of"]) for s in short) <= "2026-10-13"
    assert [(s["as_of"], s["topic_id"], s["state"]) for s in short] == [
        (s["as_of"], s["topic_id"], s["state"]) for s in long
    ]


def test_an_empty_window_yields_no_topics(corpus_file: Path, tmp_path: Path, home: Path) -> None:
    summary = _run(corpus_file, tmp_path / "early", home, start=date(2025, 1, 1), end=date(2025, 2, 1))
    assert summary["counts"]["signals"] == 0  # type: ignore[index]
    assert (tmp_path / "early" / "signals.jsonl").read_text(encoding="utf-8") == ""


def test_end_before_start_is_refused(corpus_file: Path, tmp_path: Path, home: Path) -> None:
    with pytest.raises(ConfigError, match="before"):
        _run(corpus_file, tmp_path / "x", home, start=date(2026, 10, 1), end=date(2026, 9, 1))


@pytest.mark.slow
def test_backtest_command_with_the_real_model(corpus_file: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run_cli("init", home=home).returncode == 0
    result = run_cli(
        "backtest", "--items", str(corpus_file), "--out", str(tmp_path / "o"), home=home, timeout=900
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "replaying" in result.stderr and "skipped" in result.stderr
    signals = _lines(tmp_path / "o" / "signals.jsonl")
    burst = [s for s in signals if "norvane" in " ".join(s["keywords"]).lower()]  # type: ignore[arg-type]
    assert burst and {s["state"] for s in burst} & {"spike", "fading"}
    assert "emerging" not in {s["state"] for s in burst}


class _CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return super().embed(texts)


def test_embeddings_cache_spares_the_second_run(corpus_file: Path, tmp_path: Path, home: Path) -> None:
    cache = tmp_path / "cache.sqlite3"
    config = load_config(home, {})
    first, second = _CountingEmbedder(), _CountingEmbedder()
    params = BacktestParams(start=None, end=date(2026, 9, 15), every_days=7, embeddings_cache=cache)
    run_backtest(corpus_file, tmp_path / "a", params, config, first)
    run_backtest(corpus_file, tmp_path / "b", params, config, second)
    assert first.texts > 100 and second.texts == 0
    assert (tmp_path / "a" / "signals.jsonl").read_text() == (tmp_path / "b" / "signals.jsonl").read_text()


def test_history_older_than_the_first_window_is_not_embedded(
    corpus_file: Path, tmp_path: Path, home: Path
) -> None:
    config = load_config(home, {})
    start = date(2026, 10, 1)
    counting = _CountingEmbedder()
    summary = run_backtest(
        corpus_file, tmp_path / "late", BacktestParams(start=start, end=None, every_days=7), config, counting
    )
    reach = datetime.combine(start, time(23, 59, 59), tzinfo=UTC) - timedelta(
        days=config.settings.analysis_window_days
    )
    last = datetime.combine(date.fromisoformat(summary["parameters"]["end"]), time(23, 59, 59), tzinfo=UTC)  # type: ignore[index]
    records = load_corpus(corpus_file).records
    in_reach = [r for r in records if reach < r.published_at <= last]
    assert 0 < len(in_reach) < len(records)
    assert counting.texts == len(in_reach) == summary["counts"]["items_embedded"]  # type: ignore[index]
    full = _CountingEmbedder()
    whole = run_backtest(
        corpus_file, tmp_path / "full", BacktestParams(start=None, end=None, every_days=7), config, full
    )
    assert full.texts == whole["counts"]["items_embedded"] > counting.texts  # type: ignore[index]
