"""Who am I: the calling key's name, scope and rate limit (keys are made with `radar keys create`)."""

from __future__ import annotations

from fastapi import APIRouter

from radar.api.deps import RadarDep, ReadKey
from radar.api.models import Me
from radar.api.problems import responses

router = APIRouter(tags=["auth"], responses=responses(401, 429))


@router.get("/me", summary="The calling API key")
def me(radar: RadarDep, caller: ReadKey) -> Me:
    return Me(
        key_id=caller.key_id,
        name=caller.name,
        scope="admin" if caller.scope == "admin" else "read",
        rate_limit_per_minute=radar.settings.api_rate_limit,
    )
