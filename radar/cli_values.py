"""``radar snapshot`` and ``radar deltas``: the brand-values radar of a profile, as a table or JSON.

Thin: both read through the Radar facade (cache first, then the store). ``radar.cli`` hands in its helpers
(config loading with exit 2, opening the radar with exit 1), as for ``radar sources``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from radar.cli_sources import CliHelpers

out = Console(soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Folder with config/ and the embedded store (default: $RADAR_HOME or .radar)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", "-p", help="Brand profile of brand.toml (default: the first).")
]


def _write_json(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _because(topic: dict[str, Any]) -> str:
    because = topic.get("because")
    return f"{because['name']} {because['score']:.2f}" if because else "-"


def print_snapshot(payload: dict[str, Any], limit: int) -> None:
    if payload["run_id"] is None:
        out.print("no analysis run yet: run `radar collect` then `radar analyze`")
        return
    counts = payload["counts"]
    table = Table(
        title=f"Radar of {payload['profile']} as of {str(payload['as_of'])[:10]} (run {payload['run_id']}): "
        f"{counts['opportunity']} opportunities, {counts['risk']} risks"
    )
    for column in ("stance", "because", "state", "momentum", "size", "topic"):
        table.add_column(column, justify="right" if column in {"momentum", "size"} else "left")
    for topic in payload["topics"][:limit]:
        table.add_row(
            topic["stance"],
            _because(topic),
            topic["state"],
            f"{topic['momentum']:+.2f}",
            str(topic["size"]),
            topic["label"],
        )
    out.print(table)
    gap = payload["say_do"]
    if not gap["values"]:
        return
    table = Table(
        title=f"Say-do gap ({gap['own_items']} own items from {', '.join(gap['own_sources']) or '-'})"
    )
    for column in ("value", "weight", "claims", "output", "momentum", "verdict"):
        table.add_column(column, justify="left" if column in {"value", "verdict"} else "right")
    for row in gap["values"]:
        table.add_row(
            row["value"],
            f"{row['weight']:g}",
            f"{row['declared_share']:.0%}",
            "-" if row["output_share"] is None else f"{row['output_share']:.0%}",
            "-" if row["momentum"] is None else f"{row['momentum']:+.2f}",
            row["verdict"],
        )
    out.print(table)
    for row in gap["values"]:
        # The sentences are for a board member: printed whole, not squeezed into a column.
        out.print(f"[bold]{row['value']}[/]: {row['text']}", highlight=False)


def print_deltas(payload: dict[str, Any]) -> None:
    if payload["run_id"] is None:
        out.print("no analysis run yet: run `radar collect` then `radar analyze`")
        return
    since = f"run {payload['previous_run_id']}" if payload["previous_run_id"] else "nothing (first run)"
    out.print(f"[bold]{payload['profile']}[/]: run {payload['run_id']} against {since}", highlight=False)
    sections: list[tuple[str, list[str]]] = [
        (
            "new topics",
            [
                f"{t['label']} ({t['state']}, {t['stance']}, {t['sector'] or '-'})"
                for t in payload["new_topics"]
            ],
        ),
        ("gone", [f"{t['label']} (was {t['state']})" for t in payload["gone_topics"]]),
        ("state changes", [f"{t['label']}: {t['from']} -> {t['to']}" for t in payload["state_changes"]]),
        (
            "placement changes",
            [
                f"{t['label']}: {t['stance_from']} in {t['sector_from'] or '-'} -> "
                f"{t['stance_to']} in {t['sector_to'] or '-'}"
                for t in payload["placement_changes"]
            ],
        ),
        ("biggest movers", [f"{t['label']}: momentum {t['change']:+.2f}" for t in payload["movers"]]),
    ]
    for title, lines in sections:
        out.print(f"{title} ({len(lines)})", highlight=False)
        for line in lines:
            out.print(f"  {line}", highlight=False)


def register(app: typer.Typer, helpers: CliHelpers) -> None:
    """Add ``snapshot`` and ``deltas`` to the main ``radar`` app."""

    @app.command()
    def snapshot(
        home: HomeOption = None,
        profile: ProfileOption = None,
        json_out: JsonOption = False,
        limit: Annotated[int, typer.Option(min=1, help="Show at most this many topics in the table.")] = 40,
    ) -> None:
        """Print the brand-values radar: each topic's sector, stance, alignment and the say-do gap."""
        with helpers.opened(home) as radar:
            payload = radar.snapshot(profile)
        if json_out:
            _write_json(payload)
        else:
            print_snapshot(payload, limit)

    @app.command()
    def deltas(
        home: HomeOption = None,
        profile: ProfileOption = None,
        since_run: Annotated[
            int | None,
            typer.Option("--since-run", min=1, help="Compare with this run instead of the previous."),
        ] = None,
        json_out: JsonOption = False,
    ) -> None:
        """Print what changed at the latest analysis run: new topics, state and placement changes, movers."""
        with helpers.opened(home) as radar:
            payload = radar.deltas(profile, since_run)
        if json_out:
            _write_json(payload)
        else:
            print_deltas(payload)
