"""Alerts sent. No alert is recorded by the radar yet (alerting lands with its own issue), so the list is
empty, in the shape it will keep."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from radar.api.deps import ReadKey
from radar.api.models import AlertList
from radar.api.problems import responses

router = APIRouter(tags=["alerts"], responses=responses(401, 422, 429))


@router.get("/alerts", summary="Alerts sent, newest first")
def alerts(
    _caller: ReadKey, limit: Annotated[int, Query(ge=1, le=1000, description="Most alerts returned.")] = 100
) -> AlertList:
    return AlertList(
        count=0, alerts=[], note="no alerts are recorded yet: alerting is not part of this release"
    )
