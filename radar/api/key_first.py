"""The API key of a request that carries a body is checked before anything reads that body.

FastAPI reads a request's whole body (JSON into memory, a multipart upload spooled to disk) before it
solves the route's dependencies, the key among them. Without this check anyone could make the server take
in any amount of data only to be answered 401 at the end: 200 MiB of JSON sent without a key to
``POST /api/v1/sources`` grew the server by 250 MiB before the 401 (tests/reliability/test_auth.py).

Only requests with a body pay for it (one indexed read in a worker thread); the GETs are left to the
route's dependency, which looks the key up again and applies its scope and rate limit.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from radar.api.deps import bearer, key_holder
from radar.api.problems import ApiProblem, problem
from radar.errors import RadarError

log = logging.getLogger(__name__)


class KeyBeforeBody:
    """ASGI middleware: a request under ``prefix`` with a body and no valid key is answered 401 unread."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix) or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)  # headers only: ``receive`` is not given, so nothing can read the body
        credentials = await bearer(request)
        try:
            await run_in_threadpool(
                key_holder, request.app.state.radar, credentials.credentials if credentials else None
            )
        except ApiProblem as exc:
            await problem(exc.status, exc.detail, exc.headers)(scope, receive, send)
            return
        except RadarError as exc:  # the store is down: the route would say 503 too, after the body
            log.error("%s: %s", type(exc).__name__, exc)
            await problem(503, str(exc))(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _has_body(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"", b"0")):
            return True
    return False
