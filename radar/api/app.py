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
    from radar.api.limits import BodyLimit

    app.add_middleware(BodyLimit)
    app.include_router(health.router)
    from fastapi import Depends

    from radar.api.deps import read_key, reject_unknown_query
    from radar.api.key_first import KeyBeforeBody

    # A key is checked before a body is read (see key_first), and by the router for every route below, first:
    # a route that forgot its ReadKey is not open, and a caller without a key learns nothing about the
    # parameters (401 before a 422). The routes' own ReadKey/AdminKey reuse this lookup (cached per request).
    app.add_middleware(KeyBeforeBody, prefix=API_PREFIX + "/")
    api = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(read_key), Depends(reject_unknown_query)],
        responses=problems.responses(400, 401, 422, 429),
    )
    for module in (auth, topics, triage, radar_routes, search, sources, alerts, backtests, exports):
        api.include_router(module.router)
    app.include_router(api)
    return app


def app_from_environment() -> FastAPI:
    """The app of one ``radar serve --workers N`` process. uvicorn starts each worker in a fresh
    interpreter, so the config is read again (``RADAR_HOME`` and ``RADAR_*``, inherited from the parent,
    which has validated them) and logging set up as the parent did."""
    from radar.logs import configure_logging
    from radar.settings import load_config

    config = load_config()
    configure_logging(config.settings.log_level, config.settings.log_format)
    return create_app(config)
