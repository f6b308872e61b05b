"""``radar sources``: each source's health, and editing ``sources.toml`` (add, remove, OPML in and out).

The commands are thin: the file editing lives in :mod:`radar.sources_file`, OPML in :mod:`radar.opml`,
health in :mod:`radar.source_health`. ``radar.cli`` hands in its helpers (config loading with exit 2,
opening the radar with exit 1), so both modules share one way of failing without importing each other.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from radar.errors import ConfigError
from radar.settings import RadarConfig

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Folder with config/ and the embedded store (default: $RADAR_HOME or .radar)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON array instead of a table.")]


@dataclass(frozen=True, slots=True)
class CliHelpers:
    config: Callable[[Path | None], RadarConfig]
    opened: Callable[[Path | None], AbstractContextManager[Any]]
    fail: Callable[[Exception], typer.Exit]


def _sources_path(config: RadarConfig) -> Path:
    return config.settings.config_dir / "sources.toml"


def _fmt_time(value: datetime | None, now: datetime | None = None) -> str:
    """A UTC time for a table cell; with ``now``, a time already past reads "now" (a due time)."""
    if value is None:
        return "-"
    if now is not None and value <= now:
        return "now"
    return f"{value:%Y-%m-%d %H:%M}"


def build_sources_app(helpers: CliHelpers) -> typer.Typer:
    """The ``radar sources`` command group, wired to the main CLI's helpers."""
    app = typer.Typer(
        help="Show each source's health (the default), or edit sources.toml: add, remove, OPML.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    def show(home: Path | None, json_out: bool) -> None:
        from radar.source_health import HEALTH_DAYS, source_health

        now = datetime.now(UTC)
        with helpers.opened(home) as radar:
            states = {state.name: state for state in radar.store.source_states()}
            recent = radar.store.items_per_source(now - timedelta(days=HEALTH_DAYS), now)
            rows = source_health(radar.config.sources, states, recent, now)
        if json_out:
            sys.stdout.write(json.dumps([row.as_dict() for row in rows]) + "\n")
            return
        if not rows:
            out.print("no sources: add one with `radar sources add NAME URL`")
            return
        table = Table(title=f"Sources (items per day over the last {HEALTH_DAYS} days)")
        for column in (
            "name",
            "kind",
            "enabled",
            "last success",
            "last error",
            "streak",
            "items/day",
            "next due",
        ):
            table.add_column(column, justify="right" if column in {"streak", "items/day"} else "left")
        for row in rows:
            table.add_row(
                row.name,
                row.kind,
                ("yes" if row.enabled else "no") if row.configured else "not in config",
                _fmt_time(row.last_success_at),
                row.last_error or "-",
                str(row.error_streak),
                f"{row.items_per_day:.1f}",
                _fmt_time(row.next_due_at, now),
            )
        out.print(table)

    @app.callback()
    def sources(ctx: typer.Context, home: HomeOption = None, json_out: JsonOption = False) -> None:
        """Show each source's health (same as `radar sources list`), or edit sources.toml."""
        if ctx.invoked_subcommand is None:
            show(home, json_out)

    @app.command("list")
    def list_sources(home: HomeOption = None, json_out: JsonOption = False) -> None:
        """Each source's health: last success, last error, error streak, items per day, next due time."""
        show(home, json_out)

    @app.command()
    def add(
        name: Annotated[str, typer.Argument(help="Unique name: lower-case letters, digits, '.', '_', '-'.")],
        url: Annotated[str, typer.Argument(help="The source's http(s) URL.")],
        kind: Annotated[str, typer.Option(help="Collector kind (feed = RSS, Atom, JSON Feed).")] = "feed",
        interval: Annotated[
            str | None, typer.Option(help="Fetch every: 30m, 1h, 1d (default 1h); not with --cron.")
        ] = None,
        cron: Annotated[
            str | None, typer.Option(help='Fetch on a 5-field crontab in UTC, e.g. "0 */6 * * *".')
        ] = None,
        tag: Annotated[list[str] | None, typer.Option("--tag", help="A label; repeat for more.")] = None,
        lang: Annotated[str | None, typer.Option(help="Language hint, e.g. en or fr.")] = None,
        owned: Annotated[bool, typer.Option(help="The source is one of the brand's own channels.")] = False,
        home: HomeOption = None,
    ) -> None:
        """Append a source to sources.toml, validated first; the rest of the file is kept as it is."""
        from radar.sources_file import add_sources

        config = helpers.config(home)
        entry: dict[str, Any] = {"name": name, "kind": kind, "url": url}
        optional = {
            "interval": interval,
            "cron": cron,
            "tags": tag or None,
            "lang": lang,
            "owned": owned or None,
        }
        entry.update({key: value for key, value in optional.items() if value is not None})
        path = _sources_path(config)
        try:
            add_sources(path, [entry])
        except ConfigError as exc:
            raise helpers.fail(exc) from exc
        out.print(
            f"added source {name} to {path}; a running worker picks it up when restarted", highlight=False
        )

    @app.command()
    def remove(
        name: Annotated[str, typer.Argument(help="Name of the source to remove.")],
        home: HomeOption = None,
    ) -> None:
        """Remove a source from sources.toml; its stored items are kept."""
        from radar.sources_file import remove_source

        path = _sources_path(helpers.config(home))
        try:
            remove_source(path, name)
        except ConfigError as exc:
            raise helpers.fail(exc) from exc
        out.print(f"removed source {name} from {path}; its stored items are kept", highlight=False)

    @app.command("import-opml")
    def import_opml(
        file: Annotated[Path, typer.Argument(help="OPML 2.0 file exported by a feed reader.")],
        home: HomeOption = None,
    ) -> None:
        """Add the feeds of an OPML file as sources (folders become tags; feeds already watched skipped)."""
        from radar.opml import parse_opml, plan_import
        from radar.sources_file import add_sources

        config = helpers.config(home)
        try:
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise ConfigError(f"cannot be read: {exc.strerror}", file=str(file)) from exc
            entries, skipped = plan_import(parse_opml(data, str(file)), config.sources)
            add_sources(_sources_path(config), entries)
        except ConfigError as exc:
            raise helpers.fail(exc) from exc
        for entry in entries:
            out.print(f"added {entry['name']:<28} {entry['url']}", highlight=False)
        out.print(f"{len(entries)} sources added, {len(skipped)} already watched", highlight=False)

    @app.command("export-opml")
    def export_opml(
        out_file: Annotated[
            Path | None, typer.Option("--out", help="Write to this file instead of standard output.")
        ] = None,
        home: HomeOption = None,
    ) -> None:
        """Write the feed sources as OPML 2.0 (folders from each source's first tag) for a feed reader."""
        from radar.opml import write_opml
        from radar.sources_file import write_atomically

        config = helpers.config(home)
        document = write_opml(config.sources).decode("utf-8")
        if out_file is None:
            sys.stdout.write(document)
            return
        try:
            write_atomically(out_file, document)
        except OSError as exc:  # a runtime failure (exit 1), not a config error
            raise helpers.fail(exc) from exc
        others = sum(1 for source in config.sources if source.kind != "feed")
        skipped = f" ({others} sources of other kinds left out)" if others else ""
        err.print(f"wrote {out_file}{skipped}", highlight=False)

    return app
