"""``radar alerts``: recorded alerts with their delivery status, and ``radar alerts test --webhook URL``.

Thin: the rules, the outbox and delivery live in :mod:`radar.alerts`; this module only prints.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from radar.cli_sources import CliHelpers, HomeOption, JsonOption, err, out
from radar.errors import RadarError


def build_alerts_app(helpers: CliHelpers) -> typer.Typer:
    app = typer.Typer(
        help="Alerts recorded by the rules in alerts.toml, and their delivery.", no_args_is_help=False
    )

    @app.callback(invoke_without_command=True)
    def list_alerts(
        ctx: typer.Context,
        home: HomeOption = None,
        limit: Annotated[int, typer.Option(help="Most alerts shown, newest first.", min=1)] = 50,
        json_out: JsonOption = False,
    ) -> None:
        """List recorded alerts, newest first: status (stored, pending, sending, sent, failed), attempts,
        and the last error of those not sent."""
        if ctx.invoked_subcommand is not None:
            return
        helpers.config(home)
        with helpers.opened(home) as radar:
            rows = radar.alerts(limit)
        if json_out:
            out.print(json.dumps(rows, indent=2), highlight=False, soft_wrap=True)
            return
        table = Table("id", "created", "status", "tries", "to", "rule", "title", "last error")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["created_at"][:16].replace("T", " "),
                row["status"],
                str(row["attempts"]),
                row["destination"] or "-",
                row["rule"],
                row["title"],
                (row["last_error"] or "")[:60],
            )
        out.print(table)

    @app.command("test")
    def test(
        webhook: Annotated[str, typer.Option("--webhook", help="Incoming webhook URL to send a sample to.")],
        kind: Annotated[
            str, typer.Option(help="slack (Block Kit message) or webhook (the alert as JSON).")
        ] = "slack",
        home: HomeOption = None,
    ) -> None:
        """Send a sample alert through the outbox's delivery path (a 429 is waited out and retried)."""
        if kind not in ("slack", "webhook"):
            err.print("--kind must be slack or webhook")
            raise typer.Exit(2)
        helpers.config(home)
        with helpers.opened(home) as radar:
            try:
                row = radar.test_alert(webhook, kind)
            except RadarError as exc:
                raise helpers.fail(exc) from exc
        if row["status"] == "sent":
            out.print(f"sent after {row['attempts']} attempt(s)", highlight=False)
            return
        err.print(f"not sent ({row['status']}, {row['attempts']} attempts): {row['last_error']}")
        raise typer.Exit(1)

    return app
