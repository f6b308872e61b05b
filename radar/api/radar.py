"""The brand radar: the snapshot of a profile and what changed since a run or a time (from the cache).

Both answer with an ETag; a client sending it back in If-None-Match gets 304 and no body until the
radar changes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from radar.api.catalog import Catalog, SnapshotView, snapshot_view
from radar.api.deps import RadarDep, ReadKey
from radar.api.params import IsoTime
from radar.api.problems import ApiProblem, responses, utc_param
from radar.errors import ConfigError

router = APIRouter(tags=["radar"], responses=responses(401, 404, 422, 429))

SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"
Profile = Annotated[str | None, Query(pattern=SLUG, description="Brand profile (default: the first).")]
JSON_OBJECT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"schema": {"type": "object"}}}, "description": "The document"},
    304: {"description": "Not modified: the ETag sent in If-None-Match is current"},
}


def etagged(request: Request, view: SnapshotView) -> Response:
    """The document with its strong ETag; 304 when the client already holds this version."""
    gzip = "gzip" in request.headers.get("accept-encoding", "")
    # Each encoding is its own representation, so its own strong ETag.
    etag = view.etag[:-1] + '-gz"' if gzip else view.etag
    headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
    sent = request.headers.get("if-none-match", "")
    tags = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    if etag in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    if gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(view.gzipped, media_type="application/json", headers=headers)
    return Response(view.data, media_type="application/json", headers=headers)


def _unknown_profile(profile: str | None, exc: ConfigError) -> ApiProblem:
    return ApiProblem(404, f"no radar for profile {profile!r}: {exc.message}")


@router.get(
    "/radar", summary="The radar snapshot of a brand profile", response_class=Response, responses=JSON_OBJECT
)
def radar_snapshot(radar: RadarDep, _caller: ReadKey, request: Request, profile: Profile = None) -> Response:
    catalog: Catalog = request.app.state.catalog
    try:
        view = catalog.snapshot(profile)
    except ConfigError as exc:
        raise _unknown_profile(profile, exc) from exc
    return etagged(request, view)


@router.get(
    "/deltas",
    summary="What changed on the radar since a run or a time",
    response_class=Response,
    responses=JSON_OBJECT,
)
def deltas(
    radar: RadarDep,
    _caller: ReadKey,
    request: Request,
    profile: Profile = None,
    since_run: Annotated[int | None, Query(ge=0, le=2**31 - 1, description="A run id.")] = None,
    since: Annotated[
        IsoTime | None, Query(description="A time (ISO 8601 with offset): since the run current then.")
    ] = None,
) -> Response:
    if since_run is not None and since is not None:
        raise ApiProblem(422, "give since_run or since, not both")
    if since is not None:
        then = radar.store.run_finished_by(utc_param("since", since) or since)
        # Before the first run, everything on the radar is new: compare with no run (id 0).
        since_run = then.id if then else 0
    try:
        body = radar.deltas(profile, since_run=since_run)
    except ConfigError as exc:
        raise _unknown_profile(profile, exc) from exc
    return etagged(request, snapshot_view(body))


@router.get("/profiles", summary="The brand profiles with a radar")
def profiles(radar: RadarDep, _caller: ReadKey) -> dict[str, list[str]]:
    return {"profiles": list(radar.profiles())}
