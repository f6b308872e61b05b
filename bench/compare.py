"""Side by side on one corpus: ``radar backtest``, the keyword-burst peer and BERTrend, scored alike.

Each peer runs as a whole command (start-up, embedding and writing included), one after the other, as a
child of this process: wall time is measured around it and peak memory is the ``ru_maxrss`` that
``os.wait4`` reports for it (its largest process). Then ``bench/score.py`` scores every output folder on the
same window (the backtest's as_of span) and one table is printed, with the ratios against BERTrend (the
issue's goal: wall time at most 0.2x BERTrend's).

    python bench/compare.py --items /tmp/gh.jsonl.gz --out /tmp/cmp --language English
    python bench/compare.py --items /tmp/planted.jsonl.gz --truth /tmp/planted-truth.json \
        --out /tmp/cmp-planted

BERTrend runs when its virtualenv exists (``--bertrend-python``, default ``/work/bertrend-venv/bin/python``;
see bench/peers/bertrend/README.md). ``--only radar,keyword`` picks peers; a peer that fails is reported with
its exit status and log, and the others still run. Each measurement is saved as ``OUT/<peer>-measure.json``;
``--reuse`` scores a peer's existing output with its saved figures instead of running it again (to add one
peer to an earlier comparison).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

try:
    from bench import score as scoring
    from bench.items import read_items
except ModuleNotFoundError:  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench import score as scoring
    from bench.items import read_items

REPO = Path(__file__).resolve().parents[1]
PEERS = ("radar", "keyword", "bertrend")
DEFAULT_BERTREND_PYTHON = Path("/work/bertrend-venv/bin/python")


@dataclass(slots=True)
class Measured:
    """One whole command: its exit status, wall time and peak resident memory."""

    peer: str
    command: list[str]
    returncode: int | None = None
    wall_s: float | None = None
    peak_mb: float | None = None
    log: str = ""
    skipped: str = ""
    report: dict[str, Any] = field(default_factory=dict)


def measure(
    peer: str,
    command: Sequence[str],
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: float | None = None,
) -> Measured:
    """Run ``command`` to completion; wall time around it, peak RSS from ``os.wait4``'s rusage."""
    result = Measured(peer, list(command), log=str(log))
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), stdout=sink, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, **(env or {})}
        )
        deadline = None if timeout_s is None else started + timeout_s
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
    result.wall_s = round(time.perf_counter() - started, 2)
    result.returncode = process.returncode
    result.peak_mb = round(usage.ru_maxrss / 1024, 1)  # kilobytes on Linux
    return result


def commands(args: argparse.Namespace) -> dict[str, list[str]]:
    window = []
    for flag, value in (("--start", args.start), ("--end", args.end)):
        if value:
            window += [flag, value.isoformat()]
    window += ["--every", args.every]
    items = str(args.items)
    return {
        "radar": [str(args.radar), "backtest", "--items", items, "--out", str(args.out / "radar"), *window],
        "keyword": [
            sys.executable,
            str(REPO / "bench/peers/keyword_burst.py"),
            "--items",
            items,
            "--out",
            str(args.out / "keyword"),
            *window,
        ],
        "bertrend": [
            str(args.bertrend_python),
            str(REPO / "bench/peers/bertrend/run_bertrend.py"),
            "--items",
            items,
            "--out",
            str(args.out / "bertrend"),
            "--language",
            args.language,
            *window,
        ],
    }


def scoring_window(
    items_days: Sequence[date], start: date | None, end: date | None, every: int
) -> tuple[date, date]:
    """The as_of span every peer uses: start .. the last ``start + k * every`` not after end."""
    first = start or min(items_days)
    last = end or max(items_days)
    steps = (last - first).days // every
    return first, first + timedelta(days=steps * every)


def _every_days(text: str) -> int:
    return int(text.rstrip("d"))


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or not reference:
        return None
    return round(value / reference, 3)


def table(rows: Sequence[Measured]) -> str:
    """One line per peer: detections, lead, flags, precision, bursts, cost, and ratios against BERTrend."""
    reference = next((r for r in rows if r.peer == "bertrend" and r.report), None)
    header = (
        f"{'peer':<9} {'detected':>8} {'early':>5} {'lead d':>6} {'flags/mo':>8} {'precision':>9} "
        f"{'bursts ok':>9} {'spike->emerg':>12} {'wall s':>8} {'peak MB':>8} {'wall/BT':>7} {'mem/BT':>6}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        if not row.report:
            why = row.skipped or f"failed (exit {row.returncode}, see {row.log})"
            lines.append(f"{row.peer:<9} {why}")
            continue
        rep = row.report

        def cell(value: Any, width: int) -> str:
            return f"{'-' if value is None else value:>{width}}"

        wall_ratio = ratio(row.wall_s, reference.wall_s if reference else None)
        mem_ratio = ratio(row.peak_mb, reference.peak_mb if reference else None)
        lines.append(
            f"{row.peer:<9} {rep['detected']:>4}/{rep['emergences']:<3} {rep['detected_early']:>5} "
            f"{cell(rep['median_lead_days'], 6)} {cell(rep['flags_per_month_mean'], 8)} "
            f"{cell(rep['precision'], 9)} {rep['bursts_handled']:>5}/{rep['bursts']:<3} "
            f"{rep['spikes_called_emerging']:>12} {cell(row.wall_s, 8)} {cell(row.peak_mb, 8)} "
            f"{cell(wall_ratio, 7)} {cell(mem_ratio, 6)}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=Path, required=True, help="backtest input (.jsonl or .jsonl.gz)")
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for every peer's output and the report"
    )
    parser.add_argument("--start", type=date.fromisoformat, help="first as_of (default: first item's day)")
    parser.add_argument("--end", type=date.fromisoformat, help="last as_of (default: last item's day)")
    parser.add_argument("--every", default="7d", help="step between as_of dates: 7d or 1d")
    parser.add_argument("--truth", type=Path, help="planted truth (default: the GitHub Trending targets)")
    parser.add_argument(
        "--target",
        type=scoring.parse_target,
        action="append",
        default=[],
        help="NAME=emergence|burst:REGEX (repeatable)",
    )
    parser.add_argument(
        "--language",
        choices=("English", "French"),
        default="French",
        help="BERTrend's stop-word language (its default: French)",
    )
    parser.add_argument(
        "--only", default=",".join(PEERS), help="comma-separated subset of radar,keyword,bertrend"
    )
    parser.add_argument("--radar", type=Path, default=REPO / ".venv" / "bin" / "radar")
    parser.add_argument("--bertrend-python", type=Path, default=DEFAULT_BERTREND_PYTHON)
    parser.add_argument("--timeout", type=float, default=None, help="seconds allowed to each peer")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse OUT/<peer>-measure.json and OUT/<peer>/ when they exist instead of running that peer",
    )
    args = parser.parse_args(argv)

    item_set = read_items(args.items)
    window = scoring_window([i.day for i in item_set.items], args.start, args.end, _every_days(args.every))
    targets = list(args.target)
    if args.truth:
        targets += scoring.targets_from_truth(json.loads(args.truth.read_text(encoding="utf-8")))
    targets = targets or list(scoring.GITHUB_TARGETS)

    wanted = [p for p in PEERS if p in args.only.split(",")]
    rows: list[Measured] = []
    for peer, command in commands(args).items():
        if peer not in wanted:
            continue
        if peer == "bertrend" and not args.bertrend_python.exists():
            rows.append(
                Measured(peer, command, skipped=f"skipped: no BERTrend venv at {args.bertrend_python}")
            )
            continue
        saved = args.out / f"{peer}-measure.json"
        if args.reuse and saved.exists():
            row = Measured(**json.loads(saved.read_text(encoding="utf-8")))
            print(f"reusing {peer}: measured {row.wall_s} s, {row.peak_mb} MB ({saved})", flush=True)
        else:
            env = {"RADAR_HOME": str(args.out / "radar-home")} if peer == "radar" else None
            print(f"running {peer}: {' '.join(command)}", flush=True)
            row = measure(peer, command, args.out / f"{peer}.log", env=env, timeout_s=args.timeout)
            fields = {k: v for k, v in asdict(row).items() if k != "report"}
            saved.write_text(json.dumps(fields, indent=2) + "\n", encoding="utf-8")
        if row.returncode == 0:
            run = scoring.read_run(args.out / peer)
            row.report = scoring.score(item_set, run, targets, window)
            (args.out / f"{peer}-score.json").write_text(
                json.dumps(row.report, indent=2) + "\n", encoding="utf-8"
            )
            print(scoring.format_table(row.report, title=f"== {peer}: {row.wall_s} s, {row.peak_mb} MB peak"))
        else:
            print(f"{peer} failed with exit status {row.returncode}; log: {row.log}")
        rows.append(row)

    print(
        f"\ncorpus {args.items} ({len(item_set.items)} items), window {window[0]} .. {window[1]}, every "
        f"{args.every}"
    )
    print(table(rows))
    summary = {
        "items": str(args.items),
        "window": [d.isoformat() for d in window],
        "every": args.every,
        "peers": [
            {k: v for k, v in asdict(r).items() if k != "report"}
            | {"score": {k: v for k, v in r.report.items() if k != "run_summary"}}
            for r in rows
        ],
    }
    (args.out / "compare.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r.returncode in (0, None) for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
