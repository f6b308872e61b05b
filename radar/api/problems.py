"""RFC 9457 problem details: every error the API answers is ``application/problem+json``.

Route code raises :class:`ApiProblem` (a :class:`radar.errors.RadarError`, so the one hierarchy holds) or
lets a core error through; the handlers below turn each into a problem document with a clear ``detail``.
Validation errors become 422 with the offending fields listed, never a 500.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from radar.errors import (
    CacheError,
    ConfigError,
    ModelError,
    NotFoundError,
    RadarError,
    StoreError,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where the value is: body, query, path or header, then names.")
    msg: str
    type: str


class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong here, for a person.")
    errors: list[FieldError] | None = Field(default=None, description="The invalid fields (422 only).")


class ApiProblem(RadarError):
    """An error with its HTTP status, raised by the API layer (auth, rate limit, bad state)."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        super().__init__(detail)


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these error statuses (a problem document each)."""
    return {
        status: {"model": Problem, "description": TITLES[status], "content": {PROBLEM_JSON: {}}}
        for status in statuses
    }


def _status_of(exc: RadarError) -> int:
    if isinstance(exc, ApiProblem):
        return exc.status
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConfigError):
        return 422
    if isinstance(exc, StoreError | CacheError | ModelError):
        return 503
    return 500


def _detail(exc: RadarError) -> str:
    # A config error names the key, not the server's file path.
    if isinstance(exc, ConfigError):
        return f"{exc.key}: {exc.message}" if exc.key else exc.message
    return str(exc)


def install(app: FastAPI) -> None:
    """Register the handlers that answer every error as a problem document."""

    @app.exception_handler(RadarError)
    async def radar_error(_request: Request, exc: RadarError) -> JSONResponse:
        status = _status_of(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
        headers = exc.headers if isinstance(exc, ApiProblem) else None
        return problem(status, _detail(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": list(error.get("loc", ())),
                "msg": str(error.get("msg", "")),
                "type": error.get("type", ""),
            }
            for error in exc.errors()
        ]
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem(422, f"invalid request: {where}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        return problem(exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: logged with its traceback; the client gets no internals.
        log.exception("unhandled error in the API")
        return problem(500, "an unexpected error occurred; it has been logged")


def utc_param(name: str, value: datetime | None) -> datetime | None:
    """A query datetime as aware UTC; 422 when it has no offset or leaves the representable range."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ApiProblem(422, f"{name} must carry a UTC offset, e.g. 2026-11-01T00:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ApiProblem(422, f"{name} is out of range") from exc
