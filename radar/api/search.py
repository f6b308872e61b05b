"""Semantic search: free text to the nearest topics and items, by embedding similarity."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from radar.api.catalog import Catalog
from radar.api.deps import ReadKey
from radar.api.models import SearchResult
from radar.api.problems import responses

router = APIRouter(tags=["search"], responses=responses(401, 422, 429, 503))


@router.get("/search", summary="Topics and items nearest in meaning to a text")
def search(
    request: Request,
    _caller: ReadKey,
    q: Annotated[str, Query(min_length=1, max_length=500, pattern=r"\S", description="Free text.")],
    topics: Annotated[int, Query(ge=1, le=50, description="Most topics returned.")] = 10,
    items: Annotated[int, Query(ge=0, le=100, description="Most items returned.")] = 20,
) -> SearchResult:
    catalog: Catalog = request.app.state.catalog
    return SearchResult.model_validate(catalog.search(q, topics, items))
