"""Score a backtest run against known targets (issue 3, section 7, "How such corpora are scored").

Inputs: the backtest's input JSONL and its output folder (``signals.jsonl``, ``assignments.jsonl``, optionally
``summary.json``). Every peer writes the same format, so every peer is scored by this one file.

Rules, applied as written in the issue:

- A *target* is a set of items: a regex over the lower-cased ``title + text`` (real corpora) or a set of
  planted item ids (``truth.json``). Items are counted once per URL, at their first appearance.
- The *window* is the run's as_of span (``summary.json`` ``parameters.start``, else the first item's day,
  to the last signal's as_of), unless given. A target's *half date* is
  the day on which half of its items in the window (rounded up) have appeared; its *peak week* is the ISO week
  holding most of them (the earliest on a tie).
- A topic is *about* a target when at least 30% of its items (by the final ``assignments.jsonl``, one per
  URL) and at least 3 of them are the target's.
- A target is *detected* at the first as_of when a topic about it is ``weak`` or ``emerging``, no earlier than
  the day of its third item. ``lead = half date - detection date`` in days; an *early* detection has
  ``lead > 0`` (strictly before half the volume was there).
- A burst is *handled* when a topic about it is called ``spike`` or ``fading`` at an as_of on or after the
  Monday of its peak week, and no topic about it is ``emerging`` or ``mainstream`` at the first as_of at least
  45 days after the end of its peak week (``None`` when the run ends before that day). A burst is *wrongly
  called emerging* when a topic about it is ever ``emerging`` or ``mainstream``.
- *Flags per month*: distinct topics first flagged ``weak`` or ``emerging``, counted by the calendar month
  of that first flag; the mean is over the calendar months the as_of dates span.
- *Precision*: the share of flagged topics (ever ``weak`` or ``emerging``) that are about some emergence
  target; meaningful on planted corpora, where every emergence is known.

    python bench/score.py --items ITEMS.jsonl.gz --run OUT_DIR [--truth truth.json] [--json report.json]

Without ``--truth`` or ``--target``, the GitHub Trending targets are used (COVID-19 as an emergence,
Log4Shell as a burst; see shared/data/corpus/README.md).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

try:
    from bench.items import Item, ItemSet, iter_jsonl, read_items
except ModuleNotFoundError:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.items import Item, ItemSet, iter_jsonl, read_items

STATES = ("noise", "weak", "emerging", "mainstream", "fading", "spike")
FLAG_STATES = frozenset({"weak", "emerging"})
LASTING_STATES = frozenset({"emerging", "mainstream"})
BURST_CALLS = frozenset({"spike", "fading"})
ABOUT_SHARE = 0.30
ABOUT_MIN_ITEMS = 3
DETECT_FROM_ITEM = 3  # detection counts no earlier than the day of the target's third item
BURST_SETTLE_DAYS = 45

TargetKind = Literal["emergence", "burst"]


@dataclass(frozen=True, slots=True)
class Target:
    """What a radar should find: items matching ``pattern`` (lower-cased title + text) or ``item_ids``."""

    name: str
    kind: TargetKind
    pattern: str | None = None
    item_ids: frozenset[str] | None = None

    def matches(self, item: Item) -> bool:
        if self.item_ids is not None:
            return item.id in self.item_ids
        if self.pattern is None:
            raise ValueError(f"target {self.name!r} has neither a pattern nor item ids")
        return re.search(self.pattern, item.content.lower()) is not None


GITHUB_TARGETS = (
    Target("covid-19", "emergence", pattern=r"covid|coronavirus|ncov|sars-cov-2|wuhan"),
    Target("log4shell", "burst", pattern=r"log4j|log4shell"),
)


@dataclass(frozen=True, slots=True)
class Signal:
    as_of: date
    topic_id: str
    state: str
    score: float = 0.0
    items: int = 0
    label: str = ""


@dataclass(frozen=True, slots=True)
class Run:
    """A backtest's output: its signals, its final assignments (input id -> topic or None), its summary."""

    signals: list[Signal]
    assignments: dict[str, str | None]
    summary: dict[str, Any]


# ------------------------------------------------------------------------------------------------------------
# Parsing (pure) and reading (I/O)
# ------------------------------------------------------------------------------------------------------------


def parse_signals(records: Iterable[Mapping[str, Any]]) -> list[Signal]:
    signals = []
    for number, record in enumerate(records, start=1):
        try:
            state = str(record["state"])
            if state not in STATES:
                raise ValueError(f"unknown state {state!r}")
            signals.append(
                Signal(
                    as_of=date.fromisoformat(str(record["as_of"])[:10]),
                    topic_id=str(record["topic_id"]),
                    state=state,
                    score=float(record.get("score") or 0.0),
                    items=int(record.get("items") or 0),
                    label=str(record.get("label") or ""),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"signals line {number}: {exc!r}") from exc
    return signals


def parse_assignments(records: Iterable[Mapping[str, Any]]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for number, record in enumerate(records, start=1):
        try:
            topic = record["topic_id"]
            out[str(record["item_id"])] = None if topic is None else str(topic)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"assignments line {number}: {exc!r}") from exc
    return out


def read_run(run_dir: Path) -> Run:
    summary_path = run_dir / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    return Run(
        signals=parse_signals(iter_jsonl(run_dir / "signals.jsonl")),
        assignments=parse_assignments(iter_jsonl(run_dir / "assignments.jsonl")),
        summary=summary,
    )


def targets_from_truth(truth: Mapping[str, Any]) -> list[Target]:
    """``{name: {"kind": "emergence"|"burst", "item_ids": [...]}}`` (planted corpora)."""
    targets = []
    for name, spec in truth.items():
        kind = spec["kind"]
        if kind not in ("emergence", "burst"):
            raise ValueError(f"truth target {name!r}: kind must be emergence or burst, not {kind!r}")
        targets.append(Target(name, kind, item_ids=frozenset(map(str, spec["item_ids"]))))
    return targets


def parse_target(text: str) -> Target:
    """``NAME=KIND:REGEX`` from the command line."""
    name, _, rest = text.partition("=")
    kind, _, pattern = rest.partition(":")
    if not name or kind not in ("emergence", "burst") or not pattern:
        raise argparse.ArgumentTypeError(f"expected NAME=emergence|burst:REGEX, got {text!r}")
    re.compile(pattern)
    return Target(name, kind, pattern=pattern)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------------------
# Scoring (pure)
# ------------------------------------------------------------------------------------------------------------


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def half_date(days: Sequence[date]) -> date:
    """The day on which half of the (sorted) items, rounded up, have appeared."""
    return sorted(days)[math.ceil(len(days) / 2) - 1]


def peak_week(days: Iterable[date]) -> date:
    """Monday of the week with most items (the earliest on a tie)."""
    weeks = Counter(monday(d) for d in days)
    return min(weeks, key=lambda week: (-weeks[week], week))


def topics_about(
    item_topic: Mapping[str, str | None], target_ids: set[str]
) -> tuple[set[str], dict[str, tuple[int, int]]]:
    """Topics about a target (>= 30% and >= 3 of their items), and ``topic -> (target items, items)``."""
    sizes: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    for item_id, topic in item_topic.items():
        if topic is None:
            continue
        sizes[topic] += 1
        if item_id in target_ids:
            hits[topic] += 1
    composition = {topic: (hits[topic], sizes[topic]) for topic in hits}
    about = {t for t, (n, size) in composition.items() if n >= ABOUT_MIN_ITEMS and n / size >= ABOUT_SHARE}
    return about, composition


def _months(first: date, last: date) -> list[str]:
    months, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def first_flags(signals: Iterable[Signal]) -> dict[str, date]:
    """Each topic's first as_of as ``weak`` or ``emerging``."""
    first: dict[str, date] = {}
    for signal in signals:
        if signal.state in FLAG_STATES and (
            signal.topic_id not in first or signal.as_of < first[signal.topic_id]
        ):
            first[signal.topic_id] = signal.as_of
    return first


def score_target(
    target: Target,
    days_all: Sequence[date],
    window: tuple[date, date],
    about: set[str],
    by_as_of: Mapping[date, list[Signal]],
) -> dict[str, Any]:
    """Detection, lead and (for bursts) handling of one target, from its items' days and the run's signals."""
    as_ofs = sorted(by_as_of)
    in_window = sorted(d for d in days_all if window[0] <= d <= window[1])
    result: dict[str, Any] = {
        "name": target.name,
        "kind": target.kind,
        "items": len(in_window),
        "items_before_window": sum(1 for d in days_all if d < window[0]),
        "topics_about": sorted(about),
        "first_item": None,
        "half_date": None,
        "peak_week": None,
        "detected": None,
        "lead_days": None,
        "early": False,
        "before_peak": False,
        "states": {},
        "called_emerging": False,
        "handled": None,
    }
    if not in_window:
        return result
    all_sorted = sorted(days_all)
    half, peak = half_date(in_window), peak_week(in_window)
    result.update(first_item=all_sorted[0].isoformat(), half_date=half.isoformat(), peak_week=_iso_week(peak))
    states_seen: dict[str, date] = {}
    for as_of in as_ofs:
        for signal in by_as_of[as_of]:
            if signal.topic_id in about:
                states_seen.setdefault(signal.state, as_of)
    result["states"] = {
        state: day.isoformat() for state, day in sorted(states_seen.items(), key=lambda x: x[1])
    }
    result["called_emerging"] = any(state in LASTING_STATES for state in states_seen)
    if len(all_sorted) >= DETECT_FROM_ITEM:
        earliest = all_sorted[DETECT_FROM_ITEM - 1]
        detected = next(
            (
                as_of
                for as_of in as_ofs
                if as_of >= earliest
                and any(s.topic_id in about and s.state in FLAG_STATES for s in by_as_of[as_of])
            ),
            None,
        )
        if detected is not None:
            lead = (half - detected).days
            result.update(
                detected=detected.isoformat(), lead_days=lead, early=lead > 0, before_peak=detected < peak
            )
    if target.kind == "burst":
        result["handled"] = _burst_handled(peak, about, as_ofs, by_as_of)
    return result


def _burst_handled(
    peak: date, about: set[str], as_ofs: Sequence[date], by_as_of: Mapping[date, list[Signal]]
) -> bool | None:
    called = any(
        s.topic_id in about and s.state in BURST_CALLS
        for as_of in as_ofs
        if as_of >= peak
        for s in by_as_of[as_of]
    )
    settle = peak + timedelta(days=6 + BURST_SETTLE_DAYS)
    check = next((as_of for as_of in as_ofs if as_of >= settle), None)
    if check is None:
        return None if called else False
    still_lasting = any(s.topic_id in about and s.state in LASTING_STATES for s in by_as_of[check])
    return called and not still_lasting


def _iso_week(week_monday: date) -> str:
    year, week, _ = week_monday.isocalendar()
    return f"{year}-W{week:02d} ({week_monday.isoformat()})"


def run_window(run: Run, first_item_day: date | None = None) -> tuple[date, date]:
    """The as_of span of a run: from its ``summary.json`` ``parameters.start`` when it records one (a peer
    may emit nothing during a warm-up), else the first item's day (the backtest's default start) when given,
    else the first signal's as_of; to the last signal's as_of."""
    as_ofs = sorted({s.as_of for s in run.signals})
    params = run.summary.get("parameters") if isinstance(run.summary.get("parameters"), dict) else {}
    start = (params.get("start") if params else None) or first_item_day
    if not as_ofs:
        end = params.get("end") if params else None
        if not (start and end):
            raise ValueError("the run has no signals and its summary.json gives no start and end")
        return date.fromisoformat(str(start)[:10]), date.fromisoformat(str(end)[:10])
    return (date.fromisoformat(str(start)[:10]) if start else as_ofs[0]), as_ofs[-1]


def score(
    items: ItemSet, run: Run, targets: Sequence[Target], window: tuple[date, date] | None = None
) -> dict[str, Any]:
    """The whole report (a JSON-able dict) for one run."""
    as_ofs = sorted({s.as_of for s in run.signals})
    if window is None:
        if not as_ofs:
            raise ValueError("the run has no signals and no window was given")
        window = (as_ofs[0], as_ofs[-1])
    by_as_of: dict[date, list[Signal]] = defaultdict(list)
    for signal in run.signals:
        by_as_of[signal.as_of].append(signal)
    item_topic = {item.id: run.assignments.get(item.id) for item in items.items}
    targets_out, emergence_topics = [], set()
    for target in targets:
        members = [item for item in items.items if target.matches(item)]
        about, _ = topics_about(item_topic, {item.id for item in members})
        if target.kind == "emergence":
            emergence_topics |= about
        targets_out.append(score_target(target, [item.day for item in members], window, about, by_as_of))
    return {
        "window": [window[0].isoformat(), window[1].isoformat()],
        "as_of_dates": len(as_ofs),
        "items": len(items.items),
        "assigned_items": sum(1 for topic in item_topic.values() if topic is not None),
        "targets": targets_out,
        **_flag_figures(run.signals, window, emergence_topics),
        **_totals(targets_out),
        "run_summary": run.summary,
    }


def _flag_figures(
    signals: Sequence[Signal], window: tuple[date, date], emergence_topics: set[str]
) -> dict[str, Any]:
    first = first_flags(s for s in signals if window[0] <= s.as_of <= window[1])
    months = _months(*window)
    per_month = Counter(day.strftime("%Y-%m") for day in first.values())
    flagged = set(first)
    return {
        "flagged_topics": len(flagged),
        "flags_per_month": {month: per_month.get(month, 0) for month in months},
        "flags_per_month_mean": round(len(flagged) / len(months), 2) if months else 0.0,
        "precision": round(len(flagged & emergence_topics) / len(flagged), 3) if flagged else None,
    }


def _totals(targets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    emergences = [t for t in targets if t["kind"] == "emergence" and t["items"]]
    bursts = [t for t in targets if t["kind"] == "burst" and t["items"]]
    leads = [t["lead_days"] for t in emergences if t["lead_days"] is not None]
    return {
        "emergences": len(emergences),
        "detected": sum(1 for t in emergences if t["detected"]),
        "detected_early": sum(1 for t in emergences if t["early"]),
        "recall_early": round(sum(1 for t in emergences if t["early"]) / len(emergences), 3)
        if emergences
        else None,
        "median_lead_days": statistics.median(leads) if leads else None,
        "bursts": len(bursts),
        "bursts_handled": sum(1 for t in bursts if t["handled"]),
        "spikes_called_emerging": sum(1 for t in bursts if t["called_emerging"]),
    }


# ------------------------------------------------------------------------------------------------------------
# Presentation and CLI
# ------------------------------------------------------------------------------------------------------------


def format_table(report: Mapping[str, Any], title: str = "") -> str:
    """A short human-readable table: one line per target, then the totals."""
    lines = [title] if title else []
    lines.append(
        f"window {report['window'][0]} .. {report['window'][1]}, {report['as_of_dates']} as_of dates, "
        f"{report['items']} items ({report['assigned_items']} assigned)"
    )
    header = (
        f"{'target':<22} {'kind':<9} {'items':>5} {'half date':<10} {'peak week':<9} {'detected':<10} "
        f"{'lead':>5} {'handled':<7} states"
    )
    lines += [header, "-" * len(header)]
    for t in report["targets"]:
        handled = "-" if t["kind"] != "burst" else {True: "yes", False: "no", None: "n/a"}[t["handled"]]
        lead = "-" if t["lead_days"] is None else str(t["lead_days"])
        states = ", ".join(f"{s} {d}" for s, d in t["states"].items()) or "-"
        peak = (t["peak_week"] or "-").split(" ")[0]
        lines.append(
            f"{t['name'][:22]:<22} {t['kind']:<9} {t['items']:>5} {t['half_date'] or '-':<10} {peak:<9} "
            f"{t['detected'] or '-':<10} {lead:>5} {handled:<7} {states}"
        )
    precision = "-" if report["precision"] is None else f"{report['precision']:.2f}"
    lines.append(
        f"emergences detected {report['detected']}/{report['emergences']} "
        f"(early {report['detected_early']}), median lead {report['median_lead_days']} d, "
        f"bursts handled {report['bursts_handled']}/{report['bursts']}, "
        f"spikes called emerging {report['spikes_called_emerging']}, "
        f"flagged topics {report['flagged_topics']}, "
        f"flags/month {report['flags_per_month_mean']}, precision {precision}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, required=True, help="the backtest's input JSONL (.jsonl[.gz])")
    parser.add_argument("--run", type=Path, required=True, help="the backtest's output folder")
    parser.add_argument("--truth", type=Path, help="planted truth: {name: {kind, item_ids}}")
    parser.add_argument("--target", type=parse_target, action="append", default=[], help="NAME=KIND:REGEX")
    parser.add_argument("--window-start", type=date.fromisoformat, help="default: the first as_of")
    parser.add_argument("--window-end", type=date.fromisoformat, help="default: the last as_of")
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--title", default="", help="a title line for the table")
    args = parser.parse_args(argv)
    targets: list[Target] = list(args.target)
    if args.truth:
        targets += targets_from_truth(json.loads(args.truth.read_text(encoding="utf-8")))
    if not targets:
        targets = list(GITHUB_TARGETS)
    run = read_run(args.run)
    items = read_items(args.items)
    default = run_window(run, min((i.day for i in items.items), default=None))
    window = (args.window_start or default[0], args.window_end or default[1])
    report = score(items, run, targets, window)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(format_table(report, args.title))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
