"""An optional on-disk cache of backtest embeddings, keyed by model and text.

Analysts re-run backtests with other thresholds on the same corpus; the cache spares them the embedding,
which is most of a run's time. Timed comparisons must start from an empty cache.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np

from radar.errors import StoreError
from radar.store.records import Vector


class EmbeddingCache:
    def __init__(self, path: Path, model: str) -> None:
        self.model = model
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path)
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"embedding cache at {path} cannot be opened: {exc}") from exc

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model}\x1f{text}".encode()).hexdigest()

    def get_many(self, texts: list[str]) -> list[Vector | None]:
        keys = [self._key(text) for text in texts]
        found: dict[str, bytes] = {}
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(self._conn.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", chunk))
        return [np.frombuffer(found[key], dtype=np.float32) if key in found else None for key in keys]

    def put_many(self, texts: list[str], vectors: Vector) -> None:
        rows = [
            (self._key(text), np.asarray(vector, np.float32).tobytes())
            for text, vector in zip(texts, vectors, strict=True)
        ]
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors (key, vector) VALUES (?, ?)", rows)

    def close(self) -> None:
        self._conn.close()
