"""Topics: the filtered, sorted, paged list; one topic's detail; its timeline."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request

from radar.api.catalog import Catalog, TopicFilter
from radar.api.deps import RadarDep, ReadKey
from radar.api.models import Stance, State, Timeline, TopicDetail, TopicPage
from radar.api.params import IsoDate
from radar.api.problems import responses
from radar.triage import is_muted

router = APIRouter(prefix="/topics", tags=["topics"], responses=responses(401, 422, 429))

SLUG = r"^[a-z0-9][a-z0-9._-]{0,63}$"
TopicId = Annotated[str, Path(pattern=r"^[A-Za-z0-9._:-]{1,32}$", description="A topic id.")]
Profile = Annotated[str | None, Query(pattern=SLUG, description="Brand profile (default: the first).")]


def catalog(request: Request) -> Catalog:
    found: Catalog = request.app.state.catalog
    return found


@router.get(
    "",
    summary="Topics of the latest run, filtered, sorted and paged",
    response_model=TopicPage,
    responses=responses(404),
)
def list_topics(
    request: Request,
    _caller: ReadKey,
    state: Annotated[list[State] | None, Query(description="Keep these states (repeat).")] = None,
    value: Annotated[
        str | None, Query(max_length=200, description="Keep topics placed in this brand value (sector).")
    ] = None,
    stance: Annotated[Stance | None, Query(description="Keep this stance (from the radar).")] = None,
    source_kind: Annotated[
        str | None, Query(pattern=r"^[a-z0-9_-]{1,32}$", description="Keep topics with items from it.")
    ] = None,
    lang: Annotated[
        str | None, Query(pattern=r"^([a-z]{2,3}|\?)$", description="Keep topics with items in it.")
    ] = None,
    since: Annotated[IsoDate | None, Query(description="Keep topics active on or after this day.")] = None,
    until: Annotated[IsoDate | None, Query(description="Keep topics active on or before this day.")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words that must all appear in label or keywords.")
    ] = None,
    sort: Annotated[
        Literal["rank", "momentum", "size", "novelty", "first_seen"],
        Query(description="rank: by state then growth (the radar's order)."),
    ] = "rank",
    order: Annotated[Literal["desc", "asc"], Query(description="Ignored for rank.")] = "desc",
    limit: Annotated[int, Query(ge=1, le=1000, description="Most topics returned.")] = 100,
    cursor: Annotated[str | None, Query(max_length=500, description="next_cursor of a page.")] = None,
    profile: Profile = None,
) -> dict[str, Any]:
    where = TopicFilter(
        states=tuple(state or ()),
        value=value,
        stance=stance,
        source_kind=source_kind,
        lang=lang,
        since=since,
        until=until,
        q=q,
    )
    return catalog(request).page(
        where, sort=sort, descending=order == "desc", limit=limit, cursor=cursor, profile=profile
    )


@router.get(
    "/{topic_id}",
    summary="One topic: evidence, representative items, placement, lineage",
    responses=responses(404),
)
def topic_detail(
    request: Request, radar: RadarDep, _caller: ReadKey, topic_id: TopicId, profile: Profile = None
) -> TopicDetail:
    run_id = catalog(request).latest_run_id() or 0
    detail = radar.store.topic_detail(topic_id, run_id)
    place = catalog(request).placed(profile, required=False).get(topic_id)
    if place is not None:
        # The snapshot carries no evidence (it is read on every radar request); this topic's is read apart.
        found = radar.placement_evidence(place["profile"], topic_id) or {}
        place = {**place, **found}
    triage = radar.store.triage(topic_id)
    return TopicDetail.model_validate(
        {
            **detail,
            "placement": place,
            "triage": {**triage.as_dict(), "muted": is_muted(triage, detail["state"])} if triage else None,
        }
    )


@router.get(
    "/{topic_id}/timeline",
    summary="Daily counts and sources, and the state at every run",
    responses=responses(404),
)
def topic_timeline(request: Request, radar: RadarDep, _caller: ReadKey, topic_id: TopicId) -> Timeline:
    run_id = catalog(request).latest_run_id() or 0
    return Timeline.model_validate(radar.store.topic_timeline(topic_id, run_id))
