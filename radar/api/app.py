"""The FastAPI application. The radar is wired at start-up (lifespan), never at import time.

Routes live in one module per resource; this module only assembles them. Everything under ``/api/v1``
needs an API key (see :mod:`radar.api.deps`); ``/health``, ``/metrics`` and ``/openapi.json`` are open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from radar import __version__
from radar.core import Radar
from radar.settings import RadarConfig

API_PREFIX = "/api/v1"

DESCRIPTION = """The topics API of Vigie, a weak-signal cultural trend radar.

Send an API key made by `radar keys create --scope read|admin` as `Authorization: Bearer <key>`.
Errors are RFC 9457 problem documents (`application/problem+json`). See docs/API.md.
"""


def create_app(config: RadarConfig | None = None, radar: Radar | None = None) -> FastAPI:
    """An app serving ``radar`` (or one wired from ``config`` at start-up)."""
    from radar.api import alerts, auth, backtests, exports, health, problems, search, sources, topics, triage
    from radar.api import radar as radar_routes
    from radar.api.backtest_jobs import BacktestJobs
    from radar.api.catalog import Catalog

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = radar is None
        if radar is None:
            from radar.bootstrap import make_radar

            app.state.radar = make_radar(config)
        else:
            app.state.radar = radar
        app.state.catalog = Catalog(app.state.radar)
        app.state.backtests = BacktestJobs(app.state.radar)
        try:
            yield
        finally:
            app.state.backtests.close()
            if owned:
                app.state.radar.close()

    # No /docs or /redoc: everything but the schema, health and metrics is behind a key, and the
    # interactive pages would load their scripts from a CDN that a self-hosted install may not reach.
    app = FastAPI(
        title="Vigie topics API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    app.include_router(health.router)
    from fastapi import Depends

    from radar.api.deps import reject_unknown_query

    api = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(reject_unknown_query)],
        responses=problems.responses(400, 401, 422, 429),
    )
    for module in (auth, topics, triage, radar_routes, search, sources, alerts, backtests, exports):
        api.include_router(module.router)
    app.include_router(api)
    return app
