"""The store: where items, embeddings, topics and runs live.

``Store`` is the contract; :class:`radar.store.sql.SqlStore` implements it on SQLite (the embedded default)
and PostgreSQL. Contract:

- datetimes in and out are timezone-aware UTC;
- every method either completes or raises :class:`radar.errors.StoreError` and leaves stored data as it was
  (each write is one transaction);
- an item re-delivered (same id, same canonical URL, or same guid from the same source) is not stored twice;
- methods are safe to call from several threads and processes.
"""

from __future__ import annotations

from radar.store.records import AnalysisResult, RunInfo, TopicRecord, Window
from radar.store.sql import SqlStore, open_store

__all__ = ["AnalysisResult", "RunInfo", "SqlStore", "TopicRecord", "Window", "open_store"]
