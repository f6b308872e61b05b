"""FastAPI dependencies: the radar, the caller's API key (bearer token) and its rate limit.

Dependencies that do no I/O are ``async`` so that FastAPI runs them on the event loop instead of a
thread hop each. Use the ``Annotated`` aliases in route signatures: ``RadarDep``, ``ReadKey`` (any valid
key) and ``AdminKey`` (an admin key). Resolving a key also counts the request against the key's rate limit.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from radar.api.keys import allows, hash_key
from radar.api.problems import ApiProblem
from radar.core import Radar
from radar.errors import CacheError

log = logging.getLogger(__name__)

WINDOW_S = 60

bearer = HTTPBearer(
    auto_error=False,
    description="An API key made by `radar keys create --scope read|admin`, sent as a bearer token.",
)


@dataclass(frozen=True, slots=True)
class Caller:
    key_id: int
    name: str
    scope: str
    prefix: str


async def get_radar(request: Request) -> Radar:
    radar: Radar = request.app.state.radar
    return radar


RadarDep = Annotated[Radar, Depends(get_radar)]


def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(401, detail, {"WWW-Authenticate": 'Bearer realm="vigie"'})


def rate_limit(radar: Radar, caller: Caller, response: Response) -> None:
    """A fixed one-minute window per key, counted in the cache (Redis, or the embedded file cache
    shared by every API process). A cache failure lets the request through: the limit protects the
    service, and refusing everyone because the counter is down would be worse."""
    limit = radar.settings.api_rate_limit
    if limit <= 0:
        return
    now = time.time()
    window = int(now // WINDOW_S)
    try:
        # By prefix, not id: ids restart in a fresh store while a shared Redis keeps old counters.
        count = radar.cache.incr(f"ratelimit:{caller.prefix}:{window}", ttl_s=WINDOW_S)
    except CacheError as exc:
        log.warning("rate limit not enforced, cache unavailable: %s", exc)
        return
    reset = max(1, math.ceil((window + 1) * WINDOW_S - now))
    response.headers["RateLimit-Limit"] = str(limit)
    response.headers["RateLimit-Remaining"] = str(max(0, limit - count))
    response.headers["RateLimit-Reset"] = str(reset)
    if count > limit:
        raise ApiProblem(
            429,
            f"rate limit of {limit} requests per minute exceeded for key {caller.name!r}; retry in {reset} s",
            {"Retry-After": str(reset), "RateLimit-Limit": str(limit), "RateLimit-Remaining": "0"},
        )


def key_holder(radar: Radar, token: str | None) -> Caller:
    """The caller whose key is ``token`` (the bearer token, None when there is none); raises 401 for a
    missing, unknown or revoked key. No rate limit: see :func:`rate_limit`."""
    if not token:
        raise _unauthorized("an API key is required: send `Authorization: Bearer <key>`")
    key = radar.store.api_key_by_hash(hash_key(token))
    if key is None:
        raise _unauthorized("this API key is unknown or revoked")
    return Caller(key.id, key.name, key.scope, key.prefix)


def _caller(
    radar: RadarDep,
    response: Response,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    bearer_ok = credentials is not None and credentials.scheme.lower() == "bearer"
    caller = key_holder(radar, credentials.credentials if credentials and bearer_ok else None)
    rate_limit(radar, caller, response)
    return caller


async def read_key(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
    return caller


async def admin_key(caller: Annotated[Caller, Depends(_caller)]) -> Caller:
    if not allows(caller.scope, "admin"):
        raise ApiProblem(403, f"this needs an admin key; key {caller.name!r} has scope {caller.scope!r}")
    return caller


ReadKey = Annotated[Caller, Depends(read_key)]
AdminKey = Annotated[Caller, Depends(admin_key)]


def app_state(request: Request, name: str) -> Any:
    return getattr(request.app.state, name)


async def reject_unknown_query(request: Request) -> None:
    """A misspelt filter (``?stat=weak``) silently ignored returns the wrong list; refuse it instead."""
    from fastapi.routing import APIRoute

    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known: set[str] = set()
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        known.update(param.alias for param in dependant.query_params)
        pending.extend(dependant.dependencies)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise ApiProblem(422, f"unknown query parameter {unknown[0]!r} (allowed: {allowed})")
