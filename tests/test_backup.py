"""``radar backup`` / ``radar restore`` on real SQLite and real PostgreSQL (pg_dump / pg_restore)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from radar.backup import backup, restore, store_is_empty
from radar.domain import Item
from radar.errors import StoreError
from radar.settings import Settings
from radar.store import SqlStore, open_store
from tests.conftest import run_cli, utc

T0 = utc(2026, 10, 1, 8)


def _items(start: int, count: int) -> list[Item]:
    return [
        Item(
            id=f"id{n}",
            source="alpha",
            url=f"https://example.org/{n}",
            title=f"title {n}",
            text=f"text number {n} about something else entirely {n * 7919}",
            published_at=T0 + timedelta(minutes=n),
            fetched_at=T0,
        )
        for n in range(start, start + count)
    ]


def _seed(store: SqlStore, count: int = 50) -> None:
    store.sync_sources([("alpha", "feed", "https://example.org/feed")])
    items = _items(0, count)
    store.add_items(items)
    vectors = np.random.default_rng(0).random((count, 8), dtype=np.float32)
    store.save_embeddings("m", [(item.id, vectors[i]) for i, item in enumerate(items)])


def _counts(url: str) -> dict[str, Any]:
    store = open_store(url, migrate=False)
    try:
        stats = store.stats()
    finally:
        store.close()
    return {key: stats[key] for key in ("items", "sources", "embeddings", "runs")}


def _normal(url: str) -> str:
    return Settings(home=Path("."), database_url=url).store_url


def _wipe(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def _home_on(tmp_path: Path, url: str) -> Path:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.toml").write_text(f'[radar]\ndatabase_url = "{url}"\n', encoding="utf-8")
    (home / "config" / "sources.toml").write_text("", encoding="utf-8")
    return home


def test_backup_wipe_restore_keeps_every_row(store_url: str, tmp_path: Path) -> None:
    url = _normal(store_url)
    store = open_store(url)
    _seed(store)
    store.close()
    before = _counts(url)
    assert before["items"] == 50 and before["embeddings"] == 50

    out = tmp_path / "store.backup"
    info = backup(url, out)
    assert info.path == out and info.bytes == out.stat().st_size > 0
    with pytest.raises(StoreError, match="already exists"):
        backup(url, out)

    with pytest.raises(StoreError, match="not empty"):
        restore(url, out)  # the store still holds its data
    _wipe(url)
    assert store_is_empty(url)
    assert restore(url, out) == ("sqlite" if url.startswith("sqlite") else "postgresql")
    assert _counts(url) == before


def test_restore_force_replaces_data_written_after_the_backup(store_url: str, tmp_path: Path) -> None:
    url = _normal(store_url)
    store = open_store(url)
    _seed(store, 10)
    backup(url, tmp_path / "b")
    store.add_items(_items(100, 5))
    store.close()
    assert _counts(url)["items"] == 15
    restore(url, tmp_path / "b", force=True)
    assert _counts(url)["items"] == 10


def test_restore_refuses_a_backup_of_the_other_backend(store_url: str, tmp_path: Path) -> None:
    url = _normal(store_url)
    bogus = tmp_path / "bogus"
    # A SQLite store gets a pg_dump header, a PostgreSQL store a SQLite header: both refused.
    bogus.write_bytes(b"PGDMP..." if url.startswith("sqlite") else b"SQLite format 3\x00....")
    with pytest.raises(StoreError, match="is not a"):
        restore(url, bogus)
    with pytest.raises(StoreError, match="no backup file"):
        restore(url, tmp_path / "missing")


def test_sqlite_backup_is_consistent_while_a_writer_is_busy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    store = open_store(url)
    _seed(store, 20)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        n = 1000
        while not stop.is_set():
            store.add_items(_items(n, 10))
            n += 10
            written.append(n)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:  # the writer is really running before the backup starts
            threading.Event().wait(0.01)
        backup(url, tmp_path / "live.backup")
    finally:
        stop.set()
        thread.join()
        store.close()
    conn = sqlite3.connect(tmp_path / "live.backup")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
    finally:
        conn.close()
    # Whole batches only: each add_items is one transaction, so the copy holds 20 + a multiple of 10.
    assert items >= 20 and (items - 20) % 10 == 0


def test_cli_backup_and_restore(store_url: str, tmp_path: Path) -> None:
    home = _home_on(tmp_path, store_url)
    url = _normal(store_url)
    store = open_store(url)
    _seed(store, 12)
    store.close()

    out = tmp_path / "cli.backup"
    made = run_cli("backup", str(out), home=home)
    assert made.returncode == 0, made.stderr
    assert "backed up" in made.stdout and out.exists()
    refused = run_cli("restore", str(out), home=home)
    assert refused.returncode == 1 and "not empty" in refused.stderr
    _wipe(url)
    restored = run_cli("restore", str(out), home=home)
    assert restored.returncode == 0, restored.stderr
    assert _counts(url)["items"] == 12
    stats = run_cli("stats", "--json", home=home)
    assert stats.returncode == 0 and '"items": 12' in stats.stdout
