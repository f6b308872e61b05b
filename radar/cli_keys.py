"""``radar keys``: API keys for the topics API (create, list, revoke).

A key is printed once, when made; the store keeps only its SHA-256 and its first characters (the
prefix), which name it in ``radar keys list`` and ``radar keys revoke``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from radar.cli_sources import CliHelpers
from radar.errors import NotFoundError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Folder with config/ and the embedded store (default: $RADAR_HOME or .radar)."
    ),
]


def build_keys_app(helpers: CliHelpers) -> typer.Typer:
    """The ``radar keys`` command group, wired to the main CLI's helpers."""
    app = typer.Typer(help="API keys for the topics API: create, list, revoke.", no_args_is_help=True)

    @app.command()
    def create(
        scope: Annotated[
            str, typer.Option(help="read (every GET, triage) or admin (also sources, backtests).")
        ],
        name: Annotated[str, typer.Option(help="Who or what uses the key (shown in listings).")] = "",
        json_out: Annotated[bool, typer.Option("--json", help='Print {"key": ...} only.')] = False,
        home: HomeOption = None,
    ) -> None:
        """Make an API key; it is printed once and cannot be shown again."""
        from radar.api.keys import SCOPES, create_key

        if scope not in SCOPES:
            err.print(f"[bold red]error[/] --scope must be one of {', '.join(SCOPES)}", highlight=False)
            raise typer.Exit(2)
        if len(name) > 64:
            err.print("[bold red]error[/] --name is at most 64 characters", highlight=False)
            raise typer.Exit(2)
        with helpers.opened(home) as radar:
            key, record = create_key(radar.store, scope, name or f"{scope}-key")
        if json_out:
            sys.stdout.write(json.dumps({"key": key, "id": record.id, "scope": scope}) + "\n")
            return
        out.print(key, highlight=False)
        err.print(
            f"API key {record.id} ({record.name}, scope {scope}) created; "
            "store it now, it is not shown again",
            highlight=False,
        )

    @app.command("list")
    def list_keys(
        json_out: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
        home: HomeOption = None,
    ) -> None:
        """Every key ever made: id, name, prefix, scope, when made and revoked (never the key)."""
        with helpers.opened(home) as radar:
            keys = radar.store.api_keys()
        if json_out:
            sys.stdout.write(json.dumps([key.as_dict() for key in keys]) + "\n")
            return
        table = Table(title="API keys")
        for column in ("id", "name", "prefix", "scope", "created", "revoked"):
            table.add_column(column)
        for key in keys:
            table.add_row(
                str(key.id),
                key.name,
                key.prefix + "…",
                key.scope,
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "-",
            )
        out.print(table)

    @app.command()
    def revoke(
        key: Annotated[str, typer.Argument(help="The key's id or prefix (from `radar keys list`).")],
        home: HomeOption = None,
    ) -> None:
        """Revoke a key: requests with it are refused from now on."""
        with helpers.opened(home) as radar:
            try:
                revoked = radar.store.revoke_api_key(key)
            except NotFoundError as exc:
                raise helpers.fail(exc) from exc
        out.print(f"revoked API key {revoked.id} ({revoked.name}, {revoked.prefix}…)", highlight=False)

    return app
