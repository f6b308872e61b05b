"""Exports of topics and items as CSV, JSON Lines or Parquet, streamed as they are read.

Nothing is written to disk and no path comes from the client: the file name in Content-Disposition is
made here from the dataset, the run and the format.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from radar.api.catalog import Catalog, TopicFilter, flatten
from radar.api.deps import RadarDep, ReadKey
from radar.api.export_formats import FORMATS, csv_chunks, jsonl_chunks, parquet_chunks
from radar.api.params import IsoTime
from radar.api.problems import responses, utc_param

router = APIRouter(prefix="/exports", tags=["exports"], responses=responses(401, 422, 429))

TOPIC_COLUMNS = [
    ("id", "string"),
    ("label", "string"),
    ("keywords", "string"),
    ("state", "string"),
    ("previous_state", "string"),
    ("score", "float"),
    ("size", "int"),
    ("growth", "float"),
    ("novelty", "float"),
    ("first_seen", "date"),
    ("last_seen", "date"),
    ("source_kinds", "string"),
    ("langs", "string"),
    ("sector", "string"),
    ("stance", "string"),
    ("momentum", "float"),
]
ITEM_COLUMNS = [
    ("id", "string"),
    ("source", "string"),
    ("url", "string"),
    ("title", "string"),
    ("author", "string"),
    ("lang", "string"),
    ("published_at", "timestamp"),
    ("duplicate_of", "string"),
    ("topic_id", "string"),
]
Format = Annotated[Literal["csv", "jsonl", "parquet"], Query(description="csv, jsonl or parquet.")]
FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The export, streamed",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in FORMATS.values()},
    }
}


def _encode(
    batches: Iterator[list[dict[str, Any]]], columns: list[tuple[str, str]], fmt: str
) -> Iterator[bytes]:
    names = [name for name, _ in columns]
    if fmt == "csv":
        return csv_chunks(batches, names)
    if fmt == "jsonl":
        return jsonl_chunks(batches, names)
    return parquet_chunks(batches, columns)


def _stream(chunks: Iterator[bytes], fmt: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        chunks,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )


@router.get(
    "/topics", summary="The latest run's topics", response_class=StreamingResponse, responses=FILE_RESPONSE
)
def export_topics(request: Request, _caller: ReadKey, format: Format = "csv") -> StreamingResponse:
    catalog: Catalog = request.app.state.catalog
    page = catalog.page(TopicFilter(), sort="rank", descending=True, limit=10**9, cursor=None, profile=None)
    rows = flatten(page["topics"])
    batches = iter([rows[i : i + 5000] for i in range(0, len(rows), 5000)] or [[]])
    return _stream(_encode(batches, TOPIC_COLUMNS, format), format, f"vigie-topics-run{page['run_id'] or 0}")


@router.get(
    "/items",
    summary="Stored items with their topic in the latest run",
    response_class=StreamingResponse,
    responses=FILE_RESPONSE,
)
def export_items(
    radar: RadarDep,
    _caller: ReadKey,
    format: Format = "csv",
    since: Annotated[
        IsoTime | None, Query(description="Published at or after (ISO 8601 with offset).")
    ] = None,
    until: Annotated[IsoTime | None, Query(description="Published before (ISO 8601 with offset).")] = None,
    topic_id: Annotated[
        str | None, Query(pattern=r"^[A-Za-z0-9._:-]{1,32}$", description="Only this topic.")
    ] = None,
) -> StreamingResponse:
    since, until = utc_param("since", since), utc_param("until", until)
    run = radar.store.latest_run()
    run_id = run.id if run else None
    batches = radar.store.iter_items(run_id, since=since, until=until, topic_id=topic_id)
    return _stream(_encode(batches, ITEM_COLUMNS, format), format, f"vigie-items-run{run_id or 0}")
