"""Operations commands: ``radar doctor``, ``purge``, ``forget``, ``backup`` and ``restore``.

Thin over :mod:`radar.doctor`, :mod:`radar.retention` and :mod:`radar.backup`. ``radar.cli`` hands in its
helpers (config with exit 2, the opened radar with exit 1), as for ``radar sources``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from radar.cli_sources import CliHelpers, HomeOption
from radar.errors import ConfigError, RadarError

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")]
_COLOURS = {"ok": "green", "warn": "yellow", "fail": "bold red", "skip": "dim"}


def register(app: typer.Typer, helpers: CliHelpers) -> None:
    """Add the operations commands to the main ``radar`` app."""

    @app.command()
    def doctor(
        home: HomeOption = None,
        json_out: JsonOption = False,
        quiet: Annotated[
            bool, typer.Option("--quiet", "-q", help="Print only what is wrong (for health checks).")
        ] = False,
        skip: Annotated[
            list[str] | None,
            typer.Option("--skip", help="Leave out a check: store, cache, models or sources (repeatable)."),
        ] = None,
    ) -> None:
        """Check config, store, cache, embedding model and sources; exit 1 if one of the first four fails.

        Unreachable sources are warnings (exit 0).
        """
        from radar.doctor import CHECKS, exit_code, run_checks

        unknown = sorted(set(skip or ()) - set(CHECKS[1:]))
        if unknown:
            raise typer.BadParameter(f"unknown check {unknown[0]!r}", param_hint="--skip")
        checks = run_checks(home, skip=skip or ())
        code = exit_code(checks)
        if json_out:
            payload = {"ok": code == 0, "checks": [check.as_dict() for check in checks]}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            for check in checks:
                if quiet and check.status in ("ok", "skip"):
                    continue
                colour = _COLOURS[check.status]
                out.print(f"[{colour}]{check.status:<4}[/] {check.name:<28} {check.detail}", highlight=False)
        raise typer.Exit(code)

    @app.command()
    def purge(
        home: HomeOption = None,
        older_than: Annotated[
            int | None,
            typer.Option("--older-than", min=1, help="Days to keep (default: the retention_days setting)."),
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Count what would go; delete nothing.")
        ] = False,
        json_out: JsonOption = False,
    ) -> None:
        """Delete items published more than N days ago, with their vectors; topic statistics are kept."""
        from datetime import UTC, datetime

        from radar.retention import purge as purge_items
        from radar.retention import retention_cutoff

        config = helpers.config(home)
        days = older_than if older_than is not None else config.settings.retention_days
        cutoff = retention_cutoff(datetime.now(UTC), days)
        if cutoff is None:
            raise helpers.fail(
                ConfigError(
                    "retention is off (retention_days = 0); pass --older-than N", key="retention_days"
                )
            )
        with helpers.opened(home) as radar:
            report = purge_items(radar.store, cutoff, dry_run=dry_run)
        if json_out:
            sys.stdout.write(json.dumps(report.as_dict()) + "\n")
            return
        verb = "would delete" if dry_run else "deleted"
        out.print(
            f"{verb} {report.deleted.items} items published before {cutoff:%Y-%m-%d} "
            f"and {report.deleted.duplicates} near-duplicates of them",
            highlight=False,
        )

    @app.command()
    def forget(
        home: HomeOption = None,
        url: Annotated[
            list[str] | None, typer.Option("--url", help="Delete the item at this URL (repeatable).")
        ] = None,
        author: Annotated[
            list[str] | None,
            typer.Option("--author", help="Delete every item by this author, any case (repeatable)."),
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Count the matches; delete nothing.")
        ] = False,
        json_out: JsonOption = False,
    ) -> None:
        """Delete every item at a URL or by an author (a removal request), with its near-duplicates.

        A source that still publishes the item brings it back at its next fetch: remove the source too.
        """
        from radar.retention import forget as forget_items

        with helpers.opened(home) as radar:
            try:
                ids, deleted = forget_items(
                    radar.store, urls=url or (), authors=author or (), dry_run=dry_run
                )
            except ConfigError as exc:
                raise helpers.fail(exc) from exc
        if json_out:
            sys.stdout.write(
                json.dumps({"matched": len(ids), "dry_run": dry_run, **deleted.as_dict()}) + "\n"
            )
            return
        if dry_run:
            out.print(f"{len(ids)} items match", highlight=False)
            return
        out.print(f"deleted {deleted.items} items and {deleted.duplicates} near-duplicates", highlight=False)

    @app.command()
    def backup(
        out_file: Annotated[Path, typer.Argument(metavar="OUT", help="File to write the backup to.")],
        home: HomeOption = None,
        force: Annotated[bool, typer.Option(help="Overwrite OUT if it exists.")] = False,
    ) -> None:
        """Write a consistent copy of the store to OUT, even while it is in use (SQLite or pg_dump -Fc)."""
        from radar.backup import backup as backup_store

        config = helpers.config(home)
        try:
            info = backup_store(config.settings.store_url, out_file, force=force)
        except RadarError as exc:
            raise helpers.fail(exc) from exc
        out.print(f"backed up the {info.backend} store to {info.path} ({info.bytes} bytes)", highlight=False)

    @app.command()
    def restore(
        in_file: Annotated[Path, typer.Argument(metavar="IN", help="A file written by `radar backup`.")],
        home: HomeOption = None,
        force: Annotated[bool, typer.Option(help="Replace a store that already holds data.")] = False,
    ) -> None:
        """Replace the configured store with a backup, then migrate it; refuses a non-empty store without
        --force. Stop the worker, API and dashboard first."""
        from radar.backup import restore as restore_store
        from radar.bootstrap import make_cache
        from radar.core import TOPICS_KEY

        config = helpers.config(home)
        try:
            backend = restore_store(config.settings.store_url, in_file, force=force)
            cache = make_cache(config.settings)
            try:
                cache.delete(TOPICS_KEY)  # it describes the store that was replaced
            finally:
                cache.close()
        except RadarError as exc:
            raise helpers.fail(exc) from exc
        out.print(f"restored the {backend} store from {in_file}", highlight=False)
