"""The ``radar`` command line: thin commands over the Radar facade.

Exit codes: 0 success, 1 runtime failure (store, model, network), 2 invalid configuration or usage.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from radar.errors import ConfigError, RadarError
from radar.settings import RadarConfig, load_config

app = typer.Typer(
    name="radar",
    help="Vigie, a self-hosted weak-signal cultural trend radar.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Folder with config/ and the embedded store (default: $RADAR_HOME or .radar)."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _home(home: Path | None) -> Path:
    resolved = home or Path(os.environ.get("RADAR_HOME") or ".radar")
    # Child processes (the dashboard, the demo's servers) must see the same home.
    os.environ["RADAR_HOME"] = str(resolved.resolve())
    return resolved


def _config(home: Path | None) -> RadarConfig:
    """Validate every config file before anything else happens; exit 2 naming file and key."""
    try:
        config = load_config(_home(home))
        from radar.collect import check_kinds

        check_kinds(config.sources, file=str(config.settings.config_dir / "sources.toml"))
    except ConfigError as exc:
        err.print(f"[bold red]config error[/] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    _setup_logging(config)
    return config


def _setup_logging(config: RadarConfig) -> None:
    from radar.logs import configure_logging

    configure_logging(config.settings.log_level, config.settings.log_format)


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[bold red]error[/] {exc}", highlight=False)
    return typer.Exit(2 if isinstance(exc, ConfigError) else 1)


def _radar(config: RadarConfig) -> Any:
    from radar.bootstrap import make_radar

    try:
        return make_radar(config)
    except RadarError as exc:
        raise _fail(exc) from exc


@contextmanager
def _opened(home: Path | None) -> Iterator[Any]:
    """The radar wired from validated config, closed afterwards; a RadarError exits 1 with its message."""
    radar = _radar(_config(home))
    try:
        yield radar
    except RadarError as exc:
        raise _fail(exc) from exc
    finally:
        radar.close()


def _progress() -> Any:
    from radar.cli_progress import RichProgress

    return RichProgress(err)


@app.command()
def init(
    home: HomeOption = None,
    force: Annotated[bool, typer.Option(help="Overwrite existing config files with the defaults.")] = False,
) -> None:
    """Write default config to RADAR_HOME/config (keeping existing files) and create or migrate the store."""
    from radar.config_files import write_default_config

    config_dir = _home(home) / "config"
    written = write_default_config(config_dir, force=force)
    config = _config(home)
    radar = _radar(config)
    radar.close()
    for path in written:
        out.print(f"wrote {path}", highlight=False)
    out.print(
        f"config in {config_dir} is valid; store ready ({config.settings.store_url.split('://')[0]})",
        highlight=False,
    )


@app.command()
def collect(
    home: HomeOption = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print one JSON object per source per line instead of text.")
    ] = False,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Fetch only this configured source (repeatable; even if disabled)."),
    ] = None,
    url: Annotated[
        list[str] | None,
        typer.Option(
            "--url", help="Also fetch this feed URL, not in config (repeatable; name from the host)."
        ),
    ] = None,
) -> None:
    """Fetch sources now and store their new items; failures are listed with their reason (exit 0).

    Without --source or --url: every enabled source. --url items are stored, the URL is not added to
    sources.toml (use `radar sources add` for that).
    """
    from radar.collect import adhoc_sources, collect_sources, select_sources

    with _opened(home) as radar:
        chosen = list(radar.config.sources)
        if source or url:
            try:
                chosen = select_sources(radar.config.sources, source or [])
                states = {state.name: state for state in radar.store.source_states()}
                chosen += adhoc_sources(url or [], radar.config.sources, states)
            except ConfigError as exc:
                raise _fail(exc) from exc
        progress = None if json_out else _progress()
        report = collect_sources(radar.store, radar.settings, chosen, progress=progress)
    if json_out:
        for line in report.as_lines():
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        return
    for outcome in report.outcomes:
        status = f"[red]failed: {outcome.error}[/]" if outcome.error else f"{outcome.new_items} new"
        out.print(f"{outcome.name:<28} {status}", highlight=False)
    out.print(f"{report.new_items} new items, {len(report.failed)} sources failed", highlight=False)


@app.command()
def embed(home: HomeOption = None) -> None:
    """Embed every stored item that has no vector from the configured model yet."""
    with _opened(home) as radar:
        count = radar.embed_pending(progress=_progress())
    out.print(f"embedded {count} items with {radar.embedder.name}", highlight=False)


def _parse_day(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-11-15") from exc
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@app.command()
def analyze(
    home: HomeOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Analyse as of this day (YYYY-MM-DD); default: now.")
    ] = None,
) -> None:
    """Embed pending items, fit topics on the look-back window and store the run."""
    when = _parse_day(as_of)
    with _opened(home) as radar:
        radar.embed_pending(progress=_progress())
        run = radar.analyze(when or radar.default_as_of(), progress=_progress())
    out.print(
        f"run {run.id}: {run.n_items} items, {run.n_topics} topics (as of {run.as_of:%Y-%m-%d})",
        highlight=False,
    )


@app.command()
def topics(
    home: HomeOption = None,
    json_out: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many topics.")] = 50,
) -> None:
    """Print the topics of the latest analysis run."""
    with _opened(home) as radar:
        payload = radar.topics_payload()
    payload["topics"] = payload["topics"][:limit]
    if json_out:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    if not payload["topics"]:
        out.print("no topics yet: run `radar collect` then `radar analyze`")
        return
    table = Table(title=f"Topics as of {str(payload['as_of'])[:10]} (run {payload['run_id']})")
    for column in ("id", "state", "label", "size", "growth", "first seen", "keywords"):
        table.add_column(column, justify="right" if column in {"size", "growth"} else "left")
    for topic in payload["topics"]:
        table.add_row(
            topic["id"],
            topic["state"],
            topic["label"],
            str(topic["size"]),
            f"{topic['growth']:.2f}",
            topic["first_seen"],
            ", ".join(topic["keywords"][:5]),
        )
    out.print(table)


@app.command()
def stats(home: HomeOption = None, json_out: JsonOption = False) -> None:
    """Print counts of what is stored (items, topics, sources, runs, ...)."""
    with _opened(home) as radar:
        counts = radar.stats()
    if json_out:
        sys.stdout.write(json.dumps(counts) + "\n")
        return
    for key, value in counts.items():
        out.print(f"{key:<20} {value}", highlight=False)


@app.command()
def serve(
    home: HomeOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes, one per core to use (one served 130-180 requests/s of a mixed load "
            "on our 2-core machine); each loads the embedding model on its first search.",
        ),
    ] = 1,
) -> None:
    """Serve the topics HTTP API (FastAPI) on HOST:PORT."""
    config = _config(home)
    import uvicorn

    from radar.api.app import create_app
    from radar.servers import HTTP_OPTIONS

    # log_config=None: uvicorn keeps the handlers _config installed (text or JSON, as configured).
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "warning", "log_config": None}
    if workers == 1:
        uvicorn.run(create_app(config), **options, **HTTP_OPTIONS)
        return
    # Each worker is a fresh interpreter that imports the app by name and reads the config again, from
    # RADAR_HOME and the RADAR_* variables it inherits from here.
    os.environ["RADAR_HOME"] = str(config.settings.home.resolve())
    factory = "radar.api.app:app_from_environment"
    uvicorn.run(factory, factory=True, workers=workers, **options, **HTTP_OPTIONS)


@app.command()
def dashboard(
    home: HomeOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8501,
) -> None:
    """Start the Streamlit radar dashboard on HOST:PORT."""
    _config(home)
    from radar.servers import dashboard_command

    os.execvp(sys.executable, dashboard_command(host, port))


@app.command()
def run(home: HomeOption = None) -> None:
    """Run the worker: fetch each source on its interval or cron, analyse every `analysis_interval`.

    When each source is next due is kept in the store, so a restart resumes the schedule. SIGTERM or
    Ctrl-C lets the running jobs finish, then stops.
    """
    config = _config(home)
    from radar.worker import run_worker

    radar = _radar(config)
    try:
        run_worker(radar)
    finally:
        radar.close()


app.command("worker", help="Same as `radar run` (the worker: scheduled collection and analysis).")(run)


@app.command()
def demo(
    home: Annotated[
        Path | None,
        typer.Option("--home", help="Folder for the demo's config and store (default: .radar/demo)."),
    ] = None,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the API and dashboard after the analysis.")
    ] = True,
    api_port: Annotated[int, typer.Option(min=1, max=65535, help="API port.")] = 8000,
    dashboard_port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port.")] = 8501,
) -> None:
    """Run the whole pipeline on the bundled sample feeds, then serve the API and dashboard."""
    from radar.demo.run import run_demo

    demo_home = _home(home or Path(".radar/demo"))
    try:
        run_demo(
            demo_home,
            console=out,
            progress_factory=_progress,
            serve=serve_after,
            api_port=api_port,
            dashboard_port=dashboard_port,
        )
    except RadarError as exc:  # a ConfigError too: _fail gives it exit code 2
        raise _fail(exc) from exc


def _every(value: str) -> int:
    from radar.settings import parse_duration

    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if seconds % 86400:
        raise typer.BadParameter(f"{value!r} is not a whole number of days (7d, 1d)")
    return seconds // 86400


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{option} {value!r} is not a date like 2020-03-01") from exc


@app.command()
def backtest(
    items: Annotated[Path, typer.Option(help="Items as JSON Lines (.jsonl or .jsonl.gz).")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for signals.jsonl, assignments.jsonl, summary.json.")
    ],
    start: Annotated[
        str | None, typer.Option(help="First as_of day (default: the first item's day).")
    ] = None,
    end: Annotated[str | None, typer.Option(help="Last as_of day (default: the last item's day).")] = None,
    every: Annotated[str, typer.Option(help="Step between as_of days: 7d, 1d, ...")] = "7d",
    embeddings_cache: Annotated[
        Path | None,
        typer.Option(help="SQLite file caching embeddings between runs on the same corpus (off by default)."),
    ] = None,
    home: HomeOption = None,
) -> None:
    """Replay a dated corpus as if time passed, with the live engine; write its signals."""
    from radar.backtest.runner import BacktestParams, run_backtest
    from radar.embedding import make_embedder

    params = BacktestParams(
        start=_day(start, "--start"),
        end=_day(end, "--end"),
        every_days=_every(every),
        embeddings_cache=embeddings_cache,
    )
    config = _config(home)
    if not items.exists():
        raise _fail(ConfigError("no such file", file=str(items)))
    embedder = make_embedder(config.settings.embedding_model, config.settings.embedding_batch_size)
    try:
        summary = run_backtest(items, out_dir, params, config, embedder, progress=_progress())
    except RadarError as exc:
        raise _fail(exc) from exc
    counts = summary["counts"]
    for error in summary["errors"]:
        err.print(f"[yellow]skipped[/] {error}", highlight=False)
    out.print(
        f"{counts['as_of_steps']} steps over {counts['items_embedded']} items "
        f"({counts['malformed_lines']} malformed lines skipped, "
        f"{counts['duplicates_by_url'] + counts['duplicates_by_content']} duplicates): "
        f"{counts['topics']} topics, states {counts['states']}; {summary['seconds']['total']} s. "
        f"Results in {out_dir}",
        highlight=False,
    )


@app.command(name="import")
def import_items(
    items: Annotated[
        Path, typer.Argument(help="Items as JSON Lines (.jsonl or .jsonl.gz), the backtest format.")
    ],
    home: HomeOption = None,
) -> None:
    """Load a dated history into the store, so a new installation starts with a past."""
    from radar.importer import import_file

    with _opened(home) as radar:
        report = import_file(radar.store, items)
    for error in report["errors"]:
        err.print(f"[yellow]skipped[/] {error}", highlight=False)
    out.print(
        f"{report['new_items']} new items from {report['lines']} lines "
        f"({report['malformed']} malformed, {report['already_stored']} already stored); "
        "run `radar analyze` to embed and analyse them",
        highlight=False,
    )


@app.command()
def reembed(
    home: HomeOption = None,
    drop_others: Annotated[
        bool, typer.Option(help="Delete vectors made by other models once every item has a new one.")
    ] = False,
) -> None:
    """Embed every item with the configured model (after a model change); vectors are never mixed."""
    with _opened(home) as radar:
        count = radar.embed_pending(progress=_progress())
        others = radar.store.vectors_by_model()
        dropped = radar.store.drop_vectors_except(radar.embedder.name) if drop_others else 0
    out.print(
        f"embedded {count} items with {radar.embedder.name}; vectors by model: {others}; dropped {dropped}",
        highlight=False,
    )


def _register_sources() -> None:
    from radar.cli_sources import CliHelpers, build_sources_app

    app.add_typer(build_sources_app(CliHelpers(_config, _opened, _fail)), name="sources")


_register_sources()


def _register_keys() -> None:
    from radar.cli_keys import build_keys_app
    from radar.cli_sources import CliHelpers

    app.add_typer(build_keys_app(CliHelpers(_config, _opened, _fail)), name="keys")


_register_keys()


def _register_ops() -> None:
    from radar.cli_ops import register
    from radar.cli_sources import CliHelpers

    register(app, CliHelpers(_config, _opened, _fail))


_register_ops()


def _register_values() -> None:
    from radar.cli_sources import CliHelpers
    from radar.cli_values import register

    register(app, CliHelpers(_config, _opened, _fail))


_register_values()


def _register_alerts() -> None:
    from radar.cli_alerts import build_alerts_app
    from radar.cli_sources import CliHelpers

    app.add_typer(build_alerts_app(CliHelpers(_config, _opened, _fail)), name="alerts")


_register_alerts()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
