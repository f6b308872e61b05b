"""Exports (CSV, JSON Lines, Parquet, streamed) and backtests over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from radar.api.app import create_app
from radar.api.export_formats import parquet_chunks
from radar.core import Radar
from radar.demo.corpus import generate, to_jsonl
from tests.api_seed import Keys, backend_env, seeded  # noqa: F401  (fixtures)


@pytest.fixture
def client(seeded: Radar) -> Iterator[tuple[TestClient, Keys]]:  # noqa: F811
    keys = Keys(seeded)
    with TestClient(create_app(radar=seeded)) as test_client:
        test_client.headers.update(Keys.auth(keys.read))
        yield test_client, keys


def test_topic_exports_in_three_formats(client: tuple[TestClient, Keys]) -> None:
    http, _ = client
    as_csv = http.get("/api/v1/exports/topics?format=csv")
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["content-disposition"].startswith('attachment; filename="vigie-topics-run')
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [row["id"] for row in rows] == ["t-thrift", "t-matcha", "t-vinyl", "t-fade"]
    assert rows[0]["keywords"] == "thrift; flip; resale"
    lines = [json.loads(line) for line in http.get("/api/v1/exports/topics?format=jsonl").text.splitlines()]
    assert [line["id"] for line in lines] == [row["id"] for row in rows] and lines[0]["size"] == 3
    table = pq.read_table(io.BytesIO(http.get("/api/v1/exports/topics?format=parquet").content))
    assert table.column("id").to_pylist() == [row["id"] for row in rows]
    assert str(table.schema.field("first_seen").type) == "date32[day]"


def test_item_exports_filter_and_stream(client: tuple[TestClient, Keys]) -> None:
    http, _ = client
    everything = list(csv.DictReader(io.StringIO(http.get("/api/v1/exports/items").text)))
    assert len(everything) == 11 and {row["topic_id"] for row in everything} >= {"t-thrift", "t-fade"}
    one = http.get("/api/v1/exports/items", params={"format": "jsonl", "topic_id": "t-matcha"}).text
    assert sorted(json.loads(line)["title"] for line in one.splitlines()) == [
        "iced matcha latte",
        "matcha croissant bakery",
        "matcha latte recipe",
    ]
    recent = http.get("/api/v1/exports/items", params={"format": "parquet", "since": "2026-11-05T00:00:00Z"})
    table = pq.read_table(io.BytesIO(recent.content))
    assert table.num_rows == 3 and str(table.schema.field("published_at").type) == "timestamp[us, tz=UTC]"
    assert min(table.column("published_at").to_pylist()).day == 5
    # No file name or path from the client: unknown formats and datasets are refused before any I/O.
    assert http.get("/api/v1/exports/items", params={"format": "../../etc/passwd"}).status_code == 422
    assert http.get("/api/v1/exports/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert http.get("/api/v1/exports/items", params={"since": "2026-11-05T00:00:00"}).status_code == 422


def test_parquet_is_written_one_row_group_per_batch_as_read() -> None:
    consumed: list[int] = []

    def batches() -> Iterator[list[dict[str, Any]]]:
        for n in range(3):
            consumed.append(n)
            yield [{"id": f"{n}-{k}", "size": k} for k in range(4)]

    chunks = parquet_chunks(batches(), [("id", "string"), ("size", "int")])
    next(chunks)
    assert consumed == [0]  # the first bytes leave before the second batch is read
    data = b"".join(chunks)
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.num_row_groups == 3 and parquet.metadata.num_rows == 12


def test_backtest_upload_poll_results(client: tuple[TestClient, Keys], tmp_path: Any) -> None:
    http, keys = client
    corpus = "\n".join(to_jsonl(generate())) + "\n{not json\n"
    files = {"items": ("corpus.jsonl", corpus.encode(), "application/x-ndjson")}
    form = {"start": "2026-10-01", "end": "2026-10-15", "every_days": "7"}
    assert http.post("/api/v1/backtests", files=files, data=form).status_code == 403  # read key
    started = http.post("/api/v1/backtests", files=files, data=form, headers=Keys.auth(keys.admin))
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == f"/api/v1/backtests/{job['id']}"
    assert job["status"] in {"queued", "running"} and job["results"] == {}
    deadline = time.monotonic() + 300
    while job["status"] in {"queued", "running"} and time.monotonic() < deadline:
        time.sleep(0.5)
        job = http.get(f"/api/v1/backtests/{job['id']}").json()
    assert job["status"] == "done", job
    assert job["summary"]["counts"]["malformed_lines"] == 1
    assert all(
        "items.jsonl" in error and "/" not in error.split(":")[0] for error in job["summary"]["errors"]
    )
    summary = http.get(job["results"]["summary"]).json()
    assert summary["counts"] == job["summary"]["counts"]
    signals = [json.loads(line) for line in http.get(job["results"]["signals"]).text.splitlines()]
    assert signals and {"as_of", "topic_id", "state"} <= set(signals[0])
    assert http.get(f"/api/v1/backtests/{job['id']}/results/passwd").status_code == 422
    assert http.get("/api/v1/backtests/../../etc").status_code == 404
    assert http.get(f"/api/v1/backtests/{'0' * 32}").status_code == 404
    assert http.get("/api/v1/backtests").json()["count"] == 1
