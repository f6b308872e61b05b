"""The FastAPI application. The radar is wired at start-up (lifespan), never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from radar import __version__
from radar.core import Radar
from radar.errors import RadarError
from radar.settings import RadarConfig


def create_app(config: RadarConfig | None = None, radar: Radar | None = None) -> FastAPI:
    """An app serving ``radar`` (or one wired from ``config`` at start-up)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = radar is None
        if radar is None:
            from radar.bootstrap import make_radar

            app.state.radar = make_radar(config)
        else:
            app.state.radar = radar
        try:
            yield
        finally:
            if owned:
                app.state.radar.close()

    app = FastAPI(title="Vigie topics API", version=__version__, lifespan=lifespan)

    @app.exception_handler(RadarError)
    async def radar_error(_request: Request, exc: RadarError) -> JSONResponse:
        return JSONResponse(
            status_code=503,
            media_type="application/problem+json",
            content={
                "type": "about:blank",
                "title": "Service unavailable",
                "status": 503,
                "detail": str(exc),
            },
        )

    app.include_router(_routes())
    return app


def get_radar(request: Request) -> Radar:
    radar: Radar = request.app.state.radar
    return radar


RadarDep = Annotated[Radar, Depends(get_radar)]


def _routes() -> Any:
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/health", summary="Liveness and dependencies")
    def health(radar: RadarDep) -> dict[str, Any]:
        store_ok = True
        try:
            radar.store.stats()
        except RadarError:
            store_ok = False
        return {
            "status": "ok" if store_ok else "degraded",
            "version": __version__,
            "store": "ok" if store_ok else "unavailable",
            "cache": "ok" if radar.cache.ping() else "unavailable",
        }

    @router.get("/api/v1/topics", summary="Topics of the latest analysis run")
    def list_topics(
        radar: RadarDep,
        limit: Annotated[int, Query(ge=1, le=1000, description="Most topics returned.")] = 100,
        min_size: Annotated[int, Query(ge=0, description="Smallest topic size returned.")] = 0,
    ) -> dict[str, Any]:
        payload = radar.topics_payload()
        chosen = [topic for topic in payload["topics"] if topic["size"] >= min_size][:limit]
        return {
            "run_id": payload["run_id"],
            "as_of": payload["as_of"],
            "count": len(chosen),
            "topics": chosen,
        }

    return router
