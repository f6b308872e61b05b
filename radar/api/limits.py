"""Request body limits: a body larger than its route allows is refused with 413 before it is read whole.

Without this, a JSON route (triage, sources) read whatever it was sent into memory before validating it, so
one request of a few GB could exhaust the API process. The bodies the API takes are small JSON documents,
except the backtest upload (spooled to disk by the form parser, then capped at ``MAX_UPLOAD_BYTES``).
A declared ``Content-Length`` over the limit is answered at once, without reading the body; a body sent
without one (chunked) is counted as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException

from radar.api.backtest_jobs import MAX_UPLOAD_BYTES
from radar.api.problems import problem

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_BODY_LIMIT = 1024 * 1024
# The upload itself may be MAX_UPLOAD_BYTES; the multipart framing and the other form fields come on top.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 1024 * 1024
UPLOAD_PATHS = frozenset({"/api/v1/backtests"})


def body_limit(path: str) -> int:
    return UPLOAD_BODY_LIMIT if path.rstrip("/") in UPLOAD_PATHS else JSON_BODY_LIMIT


def _too_large(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return f"the request body is larger than {size}, the most this route accepts"


class BodyLimit:
    """ASGI middleware enforcing :func:`body_limit` on every HTTP request."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(str(scope.get("path", "")))
        declared = next(
            (value for name, value in scope.get("headers", ()) if name.lower() == b"content-length"), None
        )
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await problem(413, _too_large(limit), {"Connection": "close"})(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised where the route reads its body; FastAPI passes an HTTPException on unchanged
                    # and the problem handler answers it.
                    raise HTTPException(413, _too_large(limit), {"Connection": "close"})
            return message

        await self.app(scope, counted, send)
