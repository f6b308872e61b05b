"""Streaming encoders for exports: rows arrive in batches and leave as byte chunks, never all at once.

CSV and JSON Lines encode batch by batch; Parquet writes one row group per batch into a sink that is
drained after each group, so memory holds one batch whatever the export's size.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}


def _scalar(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def csv_chunks(batches: Iterable[Sequence[dict[str, Any]]], columns: Sequence[str]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    yield buffer.getvalue().encode("utf-8")
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows({key: _scalar(row.get(key)) for key in columns} for row in batch)
        yield buffer.getvalue().encode("utf-8")


def jsonl_chunks(batches: Iterable[Sequence[dict[str, Any]]], columns: Sequence[str]) -> Iterator[bytes]:
    for batch in batches:
        lines = (
            json.dumps({key: _scalar(row.get(key)) for key in columns}, ensure_ascii=False) for row in batch
        )
        yield ("\n".join(lines) + "\n").encode("utf-8") if batch else b""


class _Drain:
    """A write-only file for pyarrow whose bytes are taken out after each row group."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0
        self.closed = False

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.parts.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def parquet_chunks(
    batches: Iterable[Sequence[dict[str, Any]]], columns: Sequence[tuple[str, str]]
) -> Iterator[bytes]:
    """``columns``: (name, type) with type one of string, int, float, date, timestamp."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {
        "string": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "date": pa.date32(),
        "timestamp": pa.timestamp("us", tz="UTC"),
    }
    schema = pa.schema([(name, types[kind]) for name, kind in columns])
    sink = _Drain()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)
    try:
        for batch in batches:
            if batch:
                table = pa.Table.from_pylist(
                    [{name: row.get(name) for name, _ in columns} for row in batch], schema
                )
                writer.write_table(table)
            yield sink.take()
    finally:
        writer.close()
    yield sink.take()
