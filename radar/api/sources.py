"""Sources and their health; admins add and remove sources (sources.toml is edited atomically)."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import ValidationError

from radar.api.deps import AdminKey, RadarDep, ReadKey
from radar.api.models import SourceIn, SourceList, SourceOut
from radar.api.problems import responses
from radar.core import Radar
from radar.settings import SourceConfig, SourcesFile

router = APIRouter(prefix="/sources", tags=["sources"], responses=responses(401, 422, 429))

SourceName = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", description="A source name.")]


def _sources_path(radar: Radar) -> FilePath:
    return radar.settings.config_dir / "sources.toml"


def _configured(radar: Radar) -> tuple[SourceConfig, ...]:
    """The sources as the file says now (it may have been edited since the API started)."""
    path = _sources_path(radar)
    if not path.exists():
        return ()
    try:
        return tuple(SourcesFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8"))).source)
    except (tomllib.TOMLDecodeError, ValidationError, OSError):
        # A file broken by hand: show what the radar was started with rather than nothing.
        return radar.config.sources


@router.get("", summary="Every source and its health")
def list_sources(radar: RadarDep, _caller: ReadKey) -> SourceList:
    from radar.source_health import HEALTH_DAYS, source_health

    now = datetime.now(UTC)
    states = {state.name: state for state in radar.store.source_states()}
    recent = radar.store.items_per_source(now - timedelta(days=HEALTH_DAYS), now)
    rows = source_health(_configured(radar), states, recent, now)
    return SourceList(count=len(rows), sources=[SourceOut.model_validate(row.as_dict()) for row in rows])


@router.post("", status_code=201, summary="Add a source (admin)", responses=responses(403))
def add_source(radar: RadarDep, _caller: AdminKey, body: SourceIn) -> dict[str, Any]:
    from radar.sources_file import add_sources

    entry: dict[str, Any] = {"name": body.name, "kind": body.kind, "url": body.url}
    optional = {
        "interval": body.interval,
        "cron": body.cron,
        "tags": body.tags or None,
        "lang": body.lang,
        "owned": body.owned or None,
    }
    entry.update({key: value for key, value in optional.items() if value is not None})
    # A ConfigError (invalid entry, name or URL already used) is answered 422 naming the key, not the path.
    added = add_sources(_sources_path(radar), [entry])
    return {"added": added[0].name, "note": "a running worker picks new sources up when restarted"}


@router.delete(
    "/{name}",
    status_code=204,
    summary="Remove a source (admin); its items are kept",
    responses=responses(403, 404),
)
def remove_source(radar: RadarDep, _caller: AdminKey, name: SourceName) -> Response:
    from radar.errors import NotFoundError
    from radar.sources_file import remove_source as remove

    path = _sources_path(radar)
    if name not in {source.name for source in _configured(radar)}:
        raise NotFoundError(f"no source named {name!r}")
    remove(path, name)
    return Response(status_code=204)
