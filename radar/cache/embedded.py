"""The embedded cache: one SQLite file shared by the worker, API and dashboard processes."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from radar.errors import CacheError


class EmbeddedCache:
    """A key-value cache with TTLs in a SQLite file (WAL, so readers never wait for the writer)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS cache "
                    "(key TEXT PRIMARY KEY, value BLOB NOT NULL, expires REAL)"
                )
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"embedded cache at {path} cannot be opened: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # One connection per thread: sqlite3 connections must not cross threads.
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, key: str) -> bytes | None:
        try:
            row = self._connect().execute("SELECT value, expires FROM cache WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise CacheError(f"embedded cache read failed: {exc}") from exc
        if row is None:
            return None
        value, expires = row
        if expires is not None and expires <= time.time():
            self.delete(key)
            return None
        return bytes(value)

    def set(self, key: str, value: bytes, ttl_s: int | None = None) -> None:
        expires = time.time() + ttl_s if ttl_s else None
        try:
            self._connect().execute(
                "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires",
                (key, value, expires),
            )
        except sqlite3.Error as exc:
            raise CacheError(f"embedded cache write failed: {exc}") from exc

    def delete(self, key: str) -> None:
        try:
            self._connect().execute("DELETE FROM cache WHERE key = ?", (key,))
        except sqlite3.Error as exc:
            raise CacheError(f"embedded cache delete failed: {exc}") from exc

    def incr(self, key: str, ttl_s: int) -> int:
        now = time.time()
        try:
            # One statement, so one short write: the write lock is held inside SQLite only. It used to be
            # BEGIN IMMEDIATE, a read and a write from Python, the lock held across GIL switches; with the
            # rate limit counting every API request, the other threads and processes then queued in
            # SQLite's busy handler (sleeps of up to 100 ms): at 200 requests/s on two API processes, p99
            # 0.2-2.6 s against 80 ms without the limit (tests/reliability/test_load.py). The count is kept
            # as ASCII digits, as Redis does, so that ``get`` returns the same bytes on both backends;
            # fetchall() steps the statement to its end, which commits it.
            rows = (
                self._connect()
                .execute(
                    "INSERT INTO cache (key, value, expires) VALUES (?, CAST('1' AS BLOB), ?) "
                    "ON CONFLICT(key) DO UPDATE SET "
                    "value = CASE WHEN cache.expires IS NOT NULL AND cache.expires <= ? "
                    "THEN CAST('1' AS BLOB) "
                    "ELSE CAST(CAST(CAST(cache.value AS INTEGER) + 1 AS TEXT) AS BLOB) END, "
                    "expires = CASE WHEN cache.expires IS NOT NULL AND cache.expires <= ? "
                    "THEN excluded.expires ELSE cache.expires END "
                    "RETURNING value",
                    (key, now + ttl_s, now, now),
                )
                .fetchall()
            )
            return int(bytes(rows[0][0]))
        except (sqlite3.Error, ValueError, IndexError) as exc:
            raise CacheError(f"embedded cache incr failed: {exc}") from exc

    def ping(self) -> bool:
        try:
            self._connect().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def close(self) -> None:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
