"""Open endpoints: liveness (``/health``) and Prometheus metrics (``/metrics``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from radar import __version__
from radar.api.deps import RadarDep, reject_unknown_query
from radar.api.models import Health
from radar.api.problems import responses
from radar.errors import RadarError

router = APIRouter(tags=["service"], dependencies=[Depends(reject_unknown_query)], responses=responses(422))


@router.get("/health", summary="Liveness and dependencies (no auth)")
def health(radar: RadarDep) -> Health:
    store_ok = True
    try:
        radar.store.stats()
    except RadarError:
        store_ok = False
    return Health(
        status="ok" if store_ok else "degraded",
        version=__version__,
        store="ok" if store_ok else "unavailable",
        cache="ok" if radar.cache.ping() else "unavailable",
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics (no auth)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Metrics"}},
)
def metrics() -> Response:
    from radar.metrics import render

    body, content_type = render()
    return Response(body, media_type=content_type)
