"""Alerts recorded by the rules of ``alerts.toml``, with their delivery status (see docs/ALERTS.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from radar.api.deps import RadarDep, ReadKey
from radar.api.models import Alert, AlertList
from radar.api.problems import responses

router = APIRouter(tags=["alerts"], responses=responses(401, 422, 429))


@router.get("/alerts", summary="Alerts recorded, newest first, with their delivery status")
def alerts(
    radar: RadarDep,
    _caller: ReadKey,
    limit: Annotated[int, Query(ge=1, le=1000, description="Most alerts returned.")] = 100,
) -> AlertList:
    rows = [
        Alert(
            id=row["id"],
            topic_id=row["topic_id"],
            channel=row["destination"],
            state=row["facts"].get("to"),
            previous_state=row["facts"].get("from"),
            sent_at=row["sent_at"],
            message=row["title"],
            rule=row["rule"],
            kind=row["kind"],
            status=row["status"],
            attempts=row["attempts"],
            created_at=row["created_at"],
            last_error=row["last_error"],
        )
        for row in radar.alerts(limit)
    ]
    return AlertList(count=len(rows), alerts=rows)
