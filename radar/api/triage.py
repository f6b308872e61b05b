"""Triage: an analyst acknowledges, dismisses or watches a topic, with a note; the history is kept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from radar.api.deps import RadarDep, ReadKey
from radar.api.models import TriageIn, TriageList, TriageOut, TriageRecord
from radar.api.problems import responses
from radar.triage import ACTIONS, Triage, is_muted

router = APIRouter(tags=["triage"], responses=responses(401, 422, 429))

TopicId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._:-]{1,32}$", description="A topic id.")]


def _out(triage: Triage, state: str | None) -> TriageOut:
    return TriageOut.model_validate({**triage.as_dict(), "muted": is_muted(triage, state or "")})


@router.post(
    "/topics/{topic_id}/triage",
    summary="Acknowledge, dismiss, watch or clear a topic (a dismissed topic stops alerting until "
    "its state changes)",
    responses=responses(404),
)
def set_triage(radar: RadarDep, caller: ReadKey, topic_id: TopicId, body: TriageIn) -> TriageOut:
    triage = radar.store.set_triage(topic_id, ACTIONS[body.action], body.note, caller.name)
    return _out(triage, radar.store.topic_states_now([topic_id]).get(topic_id))


@router.get(
    "/topics/{topic_id}/triage", summary="A topic's current verdict and its history", responses=responses(404)
)
def get_triage(radar: RadarDep, _caller: ReadKey, topic_id: TopicId) -> TriageRecord:
    state = radar.store.topic_states_now([topic_id]).get(topic_id)
    if state is None:
        from radar.errors import NotFoundError

        raise NotFoundError(f"no topic {topic_id!r}")
    current = radar.store.triage(topic_id)
    return TriageRecord.model_validate(
        {
            "current": _out(current, state) if current else None,
            "history": radar.store.triage_history(topic_id),
        }
    )


@router.get("/triage", summary="Current verdicts on every triaged topic")
def list_triage(
    radar: RadarDep,
    _caller: ReadKey,
    status: Annotated[
        str | None, Query(pattern=r"^(acknowledged|dismissed|watched|cleared)$", description="Keep one.")
    ] = None,
) -> TriageList:
    found = radar.store.triage_all(status)
    states = radar.store.topic_states_now([triage.topic_id for triage in found]) if found else {}
    return TriageList(count=len(found), triage=[_out(item, states.get(item.topic_id)) for item in found])
