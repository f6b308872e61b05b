"""The benchmark's scorer, keyword-burst peer and corpus builders (bench/), on tiny hand-made data."""

from __future__ import annotations

import gzip
import json
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench import score as sc
from bench.corpora import github_trending, planted
from bench.items import parse_items, read_items
from bench.peers import keyword_burst as kw

D0 = date(2024, 1, 1)  # a Monday


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def item(item_id: str, n: int, title: str, text: str = "", url: str | None = None) -> str:
    record = {"id": item_id, "published_at": f"{day(n).isoformat()}T12:00:00Z", "title": title, "text": text}
    if url:
        record["url"] = url
    return json.dumps(record)


def sig(n: int, topic: str, state: str) -> dict[str, Any]:
    return {"as_of": day(n).isoformat(), "topic_id": topic, "state": state, "score": 0.0, "items": 0}


def run_of(signals: list[dict[str, Any]], assignments: dict[str, str | None]) -> sc.Run:
    return sc.Run(
        signals=sc.parse_signals(signals),
        assignments=sc.parse_assignments({"item_id": k, "topic_id": v} for k, v in assignments.items()),
        summary={},
    )


QUUX = sc.Target("quux", "emergence", pattern="quux")
BANG = sc.Target("bang", "burst", pattern="bang")


def emergence_items() -> tuple[list[str], dict[str, str | None]]:
    """Six 'quux' items on days 10, 12, 20, 30, 31, 40 plus four others, all in topic T, and one elsewhere."""
    lines = [item(f"q{i}", n, f"quux story {i}") for i, n in enumerate((10, 12, 20, 30, 31, 40))]
    lines += [item(f"o{i}", 5 + i, f"other {i}") for i in range(4)]
    lines.append(item("far", 3, "unrelated"))
    assignments: dict[str, str | None] = {f"q{i}": "T" for i in range(6)}
    assignments.update({f"o{i}": "T" for i in range(4)})
    assignments["far"] = None
    return lines, assignments


# ------------------------------------------------------------------------------------------------------------
# Scorer
# ------------------------------------------------------------------------------------------------------------


def test_detection_date_and_lead() -> None:
    lines, assignments = emergence_items()
    signals = [sig(7, "T", "noise"), sig(14, "T", "noise"), sig(21, "T", "weak"), sig(28, "T", "emerging")]
    signals += [sig(n, "T", "emerging") for n in (35, 42)]
    report = sc.score(parse_items(lines), run_of(signals, assignments), [QUUX], (day(0), day(42)))
    target = report["targets"][0]
    assert target["items"] == 6
    assert target["half_date"] == day(20).isoformat()  # the 3rd of 6 items
    assert target["detected"] == day(21).isoformat()
    assert target["lead_days"] == -1 and not target["early"]
    assert report["detected"] == 1 and report["detected_early"] == 0 and report["median_lead_days"] == -1


def test_detection_no_earlier_than_third_item() -> None:
    lines, assignments = emergence_items()
    # weak on day 11 (only one quux item so far) and 19 (two): neither counts; day 21 is after the third (20)
    signals = [sig(11, "T", "weak"), sig(19, "T", "weak"), sig(21, "T", "weak")]
    target = sc.score(parse_items(lines), run_of(signals, assignments), [QUUX], (day(0), day(42)))["targets"][
        0
    ]
    assert target["detected"] == day(21).isoformat()
    signals = [sig(11, "T", "weak"), sig(19, "T", "weak"), sig(20, "T", "emerging")]
    target = sc.score(parse_items(lines), run_of(signals, assignments), [QUUX], (day(0), day(42)))["targets"][
        0
    ]
    assert target["detected"] == day(20).isoformat() and target["lead_days"] == 0
    assert not target["early"]  # on the half date itself is not before it


def test_early_detection_has_positive_lead() -> None:
    lines = [item(f"q{i}", n, "quux") for i, n in enumerate((1, 2, 3, 30, 31, 32, 33, 34))]
    assignments: dict[str, str | None] = {f"q{i}": "T" for i in range(8)}
    report = sc.score(
        parse_items(lines), run_of([sig(7, "T", "weak")], assignments), [QUUX], (day(0), day(40))
    )
    target = report["targets"][0]
    assert target["half_date"] == day(30).isoformat() and target["lead_days"] == 23 and target["early"]
    assert report["recall_early"] == 1.0


@pytest.mark.parametrize(
    ("target_items", "other_items", "about"),
    [(3, 7, True), (3, 8, False), (2, 0, False), (4, 9, True)],  # 30% and at least 3 items
)
def test_topic_about_rule(target_items: int, other_items: int, about: bool) -> None:
    lines = [item(f"q{i}", i, "quux") for i in range(target_items)]
    lines += [item(f"o{i}", i, "other") for i in range(other_items)]
    assignments: dict[str, str | None] = {f"q{i}": "T" for i in range(target_items)}
    assignments.update({f"o{i}": "T" for i in range(other_items)})
    report = sc.score(
        parse_items(lines), run_of([sig(20, "T", "weak")], assignments), [QUUX], (day(0), day(20))
    )
    assert (report["targets"][0]["detected"] is not None) is about
    assert report["targets"][0]["topics_about"] == (["T"] if about else [])


def test_target_counted_once_per_url_at_first_appearance() -> None:
    lines = [
        item("a1", 1, "quux", url="https://x.example/a"),
        item("a2", 9, "quux again", url="https://x.example/a"),  # same URL: not a new item
        item("b", 2, "quux", url="https://x.example/b"),
        item("c", 3, "nothing", url="https://x.example/c"),
    ]
    items = parse_items(lines)
    assert [i.id for i in items.items] == ["a1", "b", "c"]
    assert items.canonical == {"a1": "a1", "a2": "a1", "b": "b", "c": "c"}
    assignments: dict[str, str | None] = {"a1": "T", "a2": "T", "b": "T", "c": "T"}
    report = sc.score(items, run_of([sig(5, "T", "weak")], assignments), [QUUX], (day(0), day(9)))
    assert report["targets"][0]["items"] == 2
    assert report["targets"][0]["detected"] is None  # two distinct items only: never "about"


def burst_items() -> tuple[list[str], dict[str, str | None]]:
    """Ten 'bang' items in the week of day 28 (a Monday), two the week after; all in topic B."""
    lines = [item(f"b{i}", 28 + i % 5, f"bang {i}") for i in range(10)]
    lines += [item(f"b{10 + i}", 36 + i, "bang late") for i in range(2)]
    return lines, {f"b{i}": "B" for i in range(12)}


def test_burst_handled_when_spike_after_peak_and_calm_45_days_later() -> None:
    lines, assignments = burst_items()
    signals = [sig(28, "B", "emerging"), sig(35, "B", "spike"), sig(42, "B", "fading")]
    signals += [sig(n, "B", "noise") for n in range(49, 100, 7)]
    target = sc.score(parse_items(lines), run_of(signals, assignments), [BANG], (day(0), day(98)))["targets"][
        0
    ]
    assert target["peak_week"].startswith("2024-W05")
    assert target["handled"] is True
    assert target["called_emerging"] is True  # it was called emerging on day 28 all the same


def test_burst_not_handled_when_still_emerging_45_days_after_peak_week() -> None:
    lines, assignments = burst_items()
    signals = [sig(35, "B", "spike")] + [sig(n, "B", "emerging") for n in range(42, 100, 7)]
    report = sc.score(parse_items(lines), run_of(signals, assignments), [BANG], (day(0), day(98)))
    assert report["targets"][0]["handled"] is False
    assert report["bursts_handled"] == 0 and report["spikes_called_emerging"] == 1


def test_burst_not_handled_without_spike_or_fading_call() -> None:
    lines, assignments = burst_items()
    signals = [sig(n, "B", "weak") for n in range(28, 100, 7)]
    target = sc.score(parse_items(lines), run_of(signals, assignments), [BANG], (day(0), day(98)))["targets"][
        0
    ]
    assert target["handled"] is False and target["called_emerging"] is False


def test_burst_handling_undecided_when_run_ends_too_soon() -> None:
    lines, assignments = burst_items()
    signals = [sig(35, "B", "spike"), sig(42, "B", "fading")]
    target = sc.score(parse_items(lines), run_of(signals, assignments), [BANG], (day(0), day(42)))["targets"][
        0
    ]
    assert target["handled"] is None


def test_flags_per_month_and_precision() -> None:
    lines, assignments = emergence_items()
    signals = [
        sig(21, "T", "weak"),  # January, about quux
        sig(28, "T", "emerging"),  # same topic again: not a new flag
        sig(28, "U", "emerging"),  # January
        sig(35, "V", "spike"),  # spike is not a flag
        sig(42, "W", "weak"),  # February
        sig(49, "X", "noise"),
    ]
    report = sc.score(parse_items(lines), run_of(signals, assignments), [QUUX], (day(0), day(70)))
    assert report["flags_per_month"] == {"2024-01": 2, "2024-02": 1, "2024-03": 0}
    assert report["flagged_topics"] == 3 and report["flags_per_month_mean"] == 1.0
    assert report["precision"] == pytest.approx(1 / 3, abs=1e-3)


def test_window_from_summary_start_and_format_table() -> None:
    lines, assignments = emergence_items()
    run = run_of([sig(21, "T", "weak"), sig(42, "T", "weak")], assignments)
    assert sc.run_window(run) == (day(21), day(42))
    assert sc.run_window(run, first_item_day=day(2)) == (day(2), day(42))  # the backtest's default start
    run.summary["parameters"] = {"start": day(0).isoformat()}
    assert sc.run_window(run) == (day(0), day(42))
    report = sc.score(parse_items(lines), run, [QUUX, BANG], sc.run_window(run))
    text = sc.format_table(report, "title")
    assert "quux" in text and "bang" in text and "flags/month" in text
    assert report["targets"][1]["items"] == 0 and report["bursts"] == 0


def test_parse_rejects_unknown_state_and_reads_truth() -> None:
    with pytest.raises(ValueError, match="line 1"):
        sc.parse_signals([{"as_of": "2024-01-01", "topic_id": "T", "state": "viral"}])
    targets = sc.targets_from_truth({"a": {"kind": "emergence", "item_ids": ["x", "y"]}})
    assert targets[0].item_ids == frozenset({"x", "y"})
    with pytest.raises(ValueError, match="kind"):
        sc.targets_from_truth({"a": {"kind": "background", "item_ids": []}})


def test_score_cli_reads_a_run_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines, assignments = emergence_items()
    (tmp_path / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    signals = [sig(21, "T", "weak")]
    (run_dir / "signals.jsonl").write_text("".join(json.dumps(s) + "\n" for s in signals), encoding="utf-8")
    rows = [{"item_id": k, "topic_id": v} for k, v in assignments.items()]
    (run_dir / "assignments.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "report.json"
    argv = ["--items", str(tmp_path / "items.jsonl"), "--run", str(run_dir), "--json", str(out)]
    assert sc.main([*argv, "--target", "quux=emergence:quux", "--window-start", day(0).isoformat()]) == 0
    assert json.loads(out.read_text())["targets"][0]["detected"] == day(21).isoformat()
    assert "quux" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------------------
# Keyword-burst peer
# ------------------------------------------------------------------------------------------------------------


def test_terms_are_words_and_adjacent_pairs_within_a_phrase() -> None:
    found = kw.terms("Log4j exploit: patch the Log4j server now. owner/repo 2021")
    assert {"log4j", "exploit", "patch", "server", "log4j exploit", "log4j server", "owner", "repo"} <= found
    assert "exploit patch" not in found  # the colon ends the phrase
    assert "owner repo" not in found and "2021" not in found and "the" not in found


def tiny_corpus() -> list[str]:
    """150 days of 'garden' news (one a day); 'zorblax' 5 times in the last 28 days, 'fizz' 3 times."""
    lines = [
        item(f"g{n}", n, f"garden news {n % 7}", "weather soil", url=f"https://g.example/{n}")
        for n in range(150)
    ]
    lines += [
        item(f"z{n}", n, "zorblax launch", "a zorblax story", url=f"https://z.example/{n}")
        for n in range(130, 150, 4)
    ]
    lines += [item(f"f{n}", n, "fizz", "", url=f"https://f.example/{n}") for n in (135, 140, 145)]
    lines.append(item("z-copy", 149, "zorblax launch", "copy", url="https://z.example/146"))  # duplicate URL
    return lines


def test_keyword_peer_flags_a_tripling_term_with_enough_items() -> None:
    items = parse_items(tiny_corpus())
    states, item_terms = kw.evaluate(items.items, kw.as_of_dates(day(0), day(149), 7))
    flagged = {s.term for s in states if s.flagged}
    assert "zorblax" in flagged and "zorblax launch" in flagged
    assert "fizz" not in flagged  # 3 items: under the minimum count of 4
    assert "garden" not in flagged and "soil" not in flagged  # steady
    first = min(s.as_of for s in states if s.term == "zorblax" and s.flagged)
    assert first == day(147)  # items on days 130..146: 3 in the 28 days to day 140, 5 in those to day 147
    topic_of = kw.assign(item_terms, states)
    assert topic_of["z130"] in {"zorblax", "zorblax launch"} and topic_of["g3"] is None


def test_keyword_peer_warm_up_flags_nothing_before_112_days() -> None:
    lines = [item(f"n{n}", n, f"novel{n // 10} thing") for n in range(60)]
    items = parse_items(lines)
    states, _ = kw.evaluate(items.items, kw.as_of_dates(day(0), day(59), 1))
    assert states == []


def test_keyword_peer_writes_the_backtest_format_and_scores(tmp_path: Path) -> None:
    source = tmp_path / "items.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as stream:
        stream.write("\n".join(tiny_corpus()) + "\n{not json\n")
    out = tmp_path / "kw"
    assert kw.main(["--items", str(source), "--out", str(out), "--every", "7d"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["counts"]["malformed"] == 1 and summary["counts"]["duplicates"] == 1
    assignments = [json.loads(line) for line in (out / "assignments.jsonl").read_text().splitlines()]
    assert len(assignments) == len(tiny_corpus())
    by_id = {row["item_id"]: row["topic_id"] for row in assignments}
    assert by_id["z-copy"] == by_id["z146"] is not None  # a duplicate gets its original's topic
    signals = [json.loads(line) for line in (out / "signals.jsonl").read_text().splitlines()]
    assert {s["state"] for s in signals} == {"noise", "emerging"}
    run = sc.read_run(out)
    report = sc.score(
        read_items(source), run, [sc.Target("z", "emergence", pattern="zorblax")], sc.run_window(run)
    )
    assert report["detected"] == 1


# ------------------------------------------------------------------------------------------------------------
# Corpora
# ------------------------------------------------------------------------------------------------------------


def test_github_row_becomes_one_item_per_row_one_url_per_repo() -> None:
    rows = [
        {
            "date": "2020-01-24",
            "language": "python",
            "owner": "o",
            "repo": "r",
            "description": "Wuhan tracker",
        },
        {
            "date": "2020-01-25",
            "language": "python",
            "owner": "o",
            "repo": "r",
            "description": "Wuhan tracker",
        },
        {"date": "2020-01-25", "language": "go", "owner": "o", "repo": "r", "description": ""},
        {"date": "2021-01-01", "language": "go", "owner": "x", "repo": "y", "description": "late"},
    ]
    records = list(github_trending.convert(rows, end=date(2020, 12, 31)))
    assert [r["id"] for r in records] == [
        "2020-01-24:python:o/r",
        "2020-01-25:python:o/r",
        "2020-01-25:go:o/r",
    ]
    assert records[0] == {
        "id": "2020-01-24:python:o/r",
        "published_at": "2020-01-24T00:00:00+00:00",
        "title": "o/r",
        "text": "Wuhan tracker",
        "url": "https://github.com/o/r",
        "source": "github-trending-python",
        "lang": None,
    }
    items = parse_items(json.dumps(r) for r in records)
    assert len(items.items) == 1  # same URL: one item, its first appearance


def test_github_converter_refuses_a_missing_corpus_and_output_inside_the_repo(tmp_path: Path) -> None:
    with pytest.raises(github_trending.CorpusMissingError, match="shared/data/corpus"):
        github_trending.corpus_path(tmp_path)
    assert github_trending.main(["--out", str(tmp_path / "x.jsonl"), "--corpus-dir", str(tmp_path)]) == 2
    inside = github_trending.REPO / "bench" / "gh.jsonl"
    assert github_trending.main(["--out", str(inside)]) == 2 and not inside.exists()


@pytest.mark.skipif(
    not (github_trending.CORPUS_DIR / github_trending.CSV_NAME).is_file(),
    reason="the GitHub Trending corpus is not in ../shared/data/corpus beside the repository",
)
def test_github_converter_on_the_shared_corpus(tmp_path: Path) -> None:
    out = tmp_path / "gh.jsonl.gz"
    assert github_trending.main(["--out", str(out), "--start", "2020-01-20", "--end", "2020-01-31"]) == 0
    items = read_items(out)
    covid = [i for i in items.items if sc.GITHUB_TARGETS[0].matches(i)]
    assert items.lines > 1000 and not items.malformed
    assert min(i.day for i in covid) == date(2020, 1, 24)  # the README's first COVID row


def test_planted_corpus_is_deterministic_bilingual_and_planted() -> None:
    records, truth = planted.generate(seed=3, days=200)
    again, truth_again = planted.generate(seed=3, days=200)
    assert records == again and truth == truth_again
    assert records != planted.generate(seed=4, days=200)[0]
    assert {r["lang"] for r in records} == {"en", "fr"}
    kinds = {name: spec["kind"] for name, spec in truth.items()}
    assert sorted(kinds.values()).count("emergence") == 4 and sorted(kinds.values()).count("burst") == 2
    ids = {r["id"] for r in records}
    assert all(set(spec["item_ids"]) <= ids for spec in truth.values())
    per_day = len(records) / 200
    assert 5 < per_day < 20  # small daily counts


def test_planted_emergences_start_tiny_and_grow() -> None:
    records, truth = planted.generate()
    when = {r["id"]: date.fromisoformat(r["published_at"][:10]) for r in records}
    start = min(when.values())
    for name, spec in truth.items():
        if spec["kind"] != "emergence":
            continue
        offsets = sorted((when[i] - start).days for i in spec["item_ids"])
        first_month = sum(1 for o in offsets if o < offsets[0] + 30)
        last_month = sum(1 for o in offsets if o >= planted.DEFAULT_DAYS - 30)
        assert first_month <= 6 and last_month > 3 * first_month, name


def test_the_recombination_brings_no_new_word_while_the_others_do() -> None:
    records, truth = planted.generate()
    recombination = set(truth["bike-farm-deliveries"]["item_ids"])
    assert truth["bike-farm-deliveries"]["no_new_word"] is True
    assert planted.new_words(records, recombination) == set()
    # every word pair the keyword peer would count already occurs in the background
    background = set().union(
        *(kw.terms(f"{r['title']}\n{r['text']}") for r in records if r["id"] not in recombination)
    )
    theirs = set().union(
        *(kw.terms(f"{r['title']}\n{r['text']}") for r in records if r["id"] in recombination)
    )
    # a pair the background has not written yet is one rare combination: never enough items to be flagged
    unseen = theirs - background
    for term in unseen:
        holders = [
            r for r in records if r["id"] in recombination and term in kw.terms(f"{r['title']}\n{r['text']}")
        ]
        assert len(holders) < kw.MIN_RECENT, term
    assert len(unseen) < len(theirs) / 20
    for name in ("repair-culture", "dumbphones", "four-day-week"):
        assert len(planted.new_words(records, set(truth[name]["item_ids"]))) > 20, name


def test_planted_cli_writes_items_and_truth(tmp_path: Path) -> None:
    out, truth = tmp_path / "p.jsonl.gz", tmp_path / "truth.json"
    assert planted.main(["--out", str(out), "--truth", str(truth), "--days", "120", "--seed", "5"]) == 0
    first = out.read_bytes()
    assert planted.main(["--out", str(out), "--truth", str(truth), "--days", "120", "--seed", "5"]) == 0
    assert out.read_bytes() == first  # byte-identical
    items = read_items(out)
    targets = sc.targets_from_truth(json.loads(truth.read_text()))
    assert len(items.items) == items.lines and {t.kind for t in targets} == {"emergence", "burst"}


# ------------------------------------------------------------------------------------------------------------
# Side-by-side driver
# ------------------------------------------------------------------------------------------------------------


def test_compare_measures_a_whole_command_and_its_window(tmp_path: Path) -> None:
    from bench import compare

    code = "import sys; b = bytearray(60 * 1024 * 1024); sys.exit(3)"
    row = compare.measure("child", [sys.executable, "-c", code], tmp_path / "child.log")
    assert row.returncode == 3 and row.wall_s is not None and row.peak_mb is not None
    assert row.peak_mb >= 60  # the child's own peak, not this process's
    assert compare.scoring_window([day(3), day(40)], None, None, 7) == (day(3), day(38))
    assert compare.scoring_window([day(3)], day(10), day(30), 7) == (day(10), day(24))
    assert compare.ratio(2.0, 10.0) == 0.2 and compare.ratio(1.0, None) is None
