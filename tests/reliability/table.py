"""Render the suite's recorded lines as the Markdown table of docs/RELIABILITY.md.

    python tests/reliability/table.py [test-artifacts/reliability.jsonl]

The last line recorded for a (test, case) wins, so a file that collected several runs shows the newest.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

AREAS = {
    "faults": "Faults",
    "service_outages": "Faults",
    "crash_recovery": "Faults",
    "hostile_input": "Hostile input",
    "feed_fuzz": "Hostile input",
    "auth": "Auth",
    "load": "Load",
}


def _figures(figures: dict[str, object]) -> str:
    def show(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    return "; ".join(f"{name.replace('_', ' ')} {show(value)}" for name, value in figures.items())


def render(path: Path) -> str:
    latest: dict[tuple[str, str], dict[str, object]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            latest[(row["test"], row["case"])] = row
    order = list(AREAS)
    rows = sorted(latest.values(), key=lambda r: order.index(str(r["area"])) if r["area"] in AREAS else 99)
    out = ["| area | what was tried | what happened | figures |", "|---|---|---|---|"]
    for row in rows:
        cells = [
            AREAS.get(str(row["area"]), str(row["area"])),
            str(row["case"]),
            str(row["outcome"]),
            _figures(row["figures"]),  # type: ignore[arg-type]
        ]
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    report = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("test-artifacts/reliability.jsonl")
    sys.stdout.write(render(report))
