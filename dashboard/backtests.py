"""Finding and reading finished backtests' output folders (``summary.json`` + ``signals.jsonl``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_SIGNALS = 200_000  # enough for years of weekly steps; a bigger file is cut, not loaded whole


def find_outputs(home: Path) -> list[tuple[Path, str]]:
    """Output folders under ``home/backtests`` (API jobs keep theirs in ``<job>/out``), newest first,
    each with a label saying when it ran and over which span."""
    root = Path(home) / "backtests"
    found = sorted(root.glob("*/summary.json")) + sorted(root.glob("*/out/summary.json"))
    found.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    labelled = []
    for summary in found:
        try:
            params = json.loads(summary.read_text(encoding="utf-8")).get("parameters", {})
        except (OSError, ValueError):
            continue
        name = summary.parent.parent.name if summary.parent.name == "out" else summary.parent.name
        labelled.append((summary.parent, f"{params.get('start')} → {params.get('end')} ({name[:12]})"))
    return labelled


def read_output(folder: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    folder = Path(folder)
    summary: dict[str, Any] = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    signals: list[dict[str, Any]] = []
    path = folder / "signals.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as handle:
            for n, line in enumerate(handle):
                if n >= MAX_SIGNALS:
                    break
                if line.strip():
                    signals.append(json.loads(line))
    return summary, signals
