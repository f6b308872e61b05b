"""Retention purge and forgetting items: on real SQLite and PostgreSQL, through the store and the CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, insert, select, update

from radar.domain import Item
from radar.errors import ConfigError
from radar.retention import apply_retention, forget, purge, retention_cutoff, url_variants
from radar.store import SqlStore
from radar.store import schema as t
from radar.store.maintenance import item_tables
from tests.conftest import run_cli

# Relative to the real clock, so that the CLI (which purges relative to now) sees the same ages.
NOW = datetime.now(UTC).replace(microsecond=0)
MODEL = "test-model"


def _item(n: int, age_days: int, author: str | None = None, url: str | None = None) -> Item:
    return Item(
        id=f"id{n}",
        source="alpha",
        url=url or f"https://example.org/post/{n}",
        title=f"title {n}",
        text=f"a text about topic number {n}",
        published_at=NOW - timedelta(days=age_days),
        fetched_at=NOW - timedelta(days=age_days),
        author=author,
    )


def _counts(store: SqlStore) -> dict[str, int]:
    tables = [t.items, t.embeddings, t.item_positions, t.topic_items, t.theme_items]
    tables += [t.topics, t.topic_daily, t.topic_states, t.snapshots, t.runs]
    with store.engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in tables
        }


def _seed(store: SqlStore) -> None:
    """Items 1-3 old (100 days), 4-6 recent (5 days); item 5 is a near-duplicate of old item 1; item 6 is a
    near-duplicate of recent item 4. Every item has a vector and a position; one run put them all in one
    topic and one theme, with its daily counts, state and snapshot."""
    store.sync_sources([("alpha", "feed", "https://example.org/feed")])
    items = [_item(1, 100, "Jane Doe"), _item(2, 100), _item(3, 100, "someone")]
    items += [_item(4, 5, "  jane doe "), _item(5, 5), _item(6, 5, "Other")]
    assert store.add_items(items) == 6
    with store.engine.begin() as conn:
        conn.execute(update(t.items).where(t.items.c.id == "id5").values(duplicate_of="id1"))
        conn.execute(update(t.items).where(t.items.c.id == "id6").values(duplicate_of="id4"))
    vectors = np.eye(6, 8, dtype=np.float32)
    store.save_embeddings(MODEL, [(item.id, vectors[i]) for i, item in enumerate(items)])
    store.save_positions(MODEL, {item.id: vectors[i][:2] for i, item in enumerate(items)})
    run_id = store.start_run(as_of=NOW, window_days=365, model=MODEL)
    with store.engine.begin() as conn:
        for topic_id, kind in (("t1", "cluster"), ("w-theme", "theme")):
            conn.execute(
                insert(t.topics).values(
                    id=topic_id,
                    label="topic",
                    keywords=["a"],
                    size=6,
                    first_seen=date(2026, 8, 1),
                    last_seen=date(2026, 11, 25),
                    growth=1.0,
                    created_run=run_id,
                    updated_run=run_id,
                    kind=kind,
                )
            )
        for item in items:
            conn.execute(insert(t.topic_items).values(run_id=run_id, item_id=item.id, topic_id="t1"))
            conn.execute(insert(t.theme_items).values(run_id=run_id, theme_id="w-theme", item_id=item.id))
        conn.execute(
            insert(t.topic_daily).values(run_id=run_id, topic_id="t1", day=date(2026, 8, 22), items=3)
        )
        conn.execute(
            insert(t.topic_daily).values(run_id=run_id, topic_id="t1", day=date(2026, 11, 25), items=3)
        )
        conn.execute(
            insert(t.topic_states).values(run_id=run_id, topic_id="t1", state="weak", score=0.5, evidence={})
        )
        conn.execute(insert(t.snapshots).values(run_id=run_id, kind="topics", payload={"topics": ["t1"]}))


def _ids(store: SqlStore) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(select(t.items.c.id)).scalars())


# -- pure ------------------------------------------------------------------------------------------------


def test_cutoff_is_now_minus_days_and_zero_keeps_everything() -> None:
    assert retention_cutoff(NOW, 30) == NOW - timedelta(days=30)
    assert retention_cutoff(NOW, 0) is None
    with pytest.raises(ConfigError):
        retention_cutoff(NOW, -1)


def test_url_variants_include_the_stored_canonical_form() -> None:
    variants = url_variants(["https://Example.org/post/1?utm_source=x"])
    assert variants[0] == "https://Example.org/post/1?utm_source=x"
    assert "https://example.org/post/1" in variants


def test_every_table_derived_from_items_is_covered() -> None:
    # A table added later with a foreign key to items is purged with them, without touching this code.
    names = {table.name for table, _ in item_tables()}
    assert {"embeddings", "item_positions", "topic_items", "theme_items"} <= names


# -- store, both backends --------------------------------------------------------------------------------


def test_purge_deletes_old_items_with_derived_rows_and_keeps_topic_statistics(store: SqlStore) -> None:
    _seed(store)
    before = _counts(store)
    cutoff = retention_cutoff(NOW, 30)
    assert cutoff is not None

    dry = purge(store, cutoff, dry_run=True)
    assert (dry.deleted.items, dry.deleted.duplicates) == (3, 1)
    assert _counts(store) == before  # a dry run deletes nothing

    report = purge(store, cutoff)
    assert (report.deleted.items, report.deleted.duplicates) == (3, 1)
    # id5 is recent but a copy of purged id1: it goes with it; id6 copies a kept item and stays.
    assert _ids(store) == {"id4", "id6"}
    after = _counts(store)
    for table in ("embeddings", "item_positions", "topic_items", "theme_items"):
        assert after[table] == 2, table
        assert report.deleted.rows[table] == 4, table
    for table in ("topics", "topic_daily", "topic_states", "snapshots", "runs"):
        assert after[table] == before[table], f"{table} is topic statistics and must be kept"
    assert purge(store, cutoff).deleted.items == 0  # nothing left to purge


def test_purge_in_small_batches_deletes_everything_due(store: SqlStore) -> None:
    _seed(store)
    cutoff = NOW - timedelta(days=30)
    deleted = store.purge_items_before(cutoff, batch=1)
    assert (deleted.items, deleted.duplicates) == (3, 1)
    assert _ids(store) == {"id4", "id6"}


def test_apply_retention_is_off_at_zero(store: SqlStore) -> None:
    _seed(store)
    assert apply_retention(store, 0, now=NOW) is None
    assert len(_ids(store)) == 6
    report = apply_retention(store, 1000, now=NOW)
    assert report is not None and report.deleted.items == 0


def test_forget_by_url_takes_near_duplicates_along(store: SqlStore) -> None:
    _seed(store)
    ids, deleted = forget(store, urls=["https://example.org/post/1?utm_source=newsletter"])
    assert ids == ["id1"]
    assert (deleted.items, deleted.duplicates) == (1, 1)
    assert _ids(store) == {"id2", "id3", "id4", "id6"}
    assert _counts(store)["embeddings"] == 4


def test_forget_by_author_ignores_case_and_spaces(store: SqlStore) -> None:
    _seed(store)
    ids, deleted = forget(store, authors=["JANE DOE"], dry_run=True)
    assert sorted(ids) == ["id1", "id4"] and len(_ids(store)) == 6
    ids, deleted = forget(store, authors=["Jane Doe"])
    assert (deleted.items, deleted.duplicates) == (2, 2)  # id5 copies id1, id6 copies id4
    assert _ids(store) == {"id2", "id3"}
    assert forget(store, authors=["Nobody"])[0] == []


def test_forget_needs_a_url_or_an_author(store: SqlStore) -> None:
    with pytest.raises(ConfigError):
        forget(store)


# -- CLI -------------------------------------------------------------------------------------------------


def _seeded_home(home: Path) -> None:
    from radar.bootstrap import make_radar
    from radar.settings import load_config

    radar = make_radar(load_config(home, {}))
    try:
        _seed(radar.store)
    finally:
        radar.close()


def _store_ids(home: Path) -> set[str]:
    from radar.settings import load_config
    from radar.store import open_store

    store = open_store(load_config(home, {}).settings.store_url)
    try:
        return _ids(store)
    finally:
        store.close()


def test_cli_purge_dry_run_then_purge(home: Path) -> None:
    _seeded_home(home)
    days = 30
    dry = run_cli("purge", "--older-than", str(days), "--dry-run", "--json", home=home)
    assert dry.returncode == 0, dry.stderr
    assert '"items": 3' in dry.stdout and '"dry_run": true' in dry.stdout
    assert len(_store_ids(home)) == 6
    done = run_cli("purge", "--older-than", str(days), home=home)
    assert done.returncode == 0, done.stderr
    assert "deleted 3 items" in done.stdout and "1 near-duplicates" in done.stdout
    assert _store_ids(home) == {"id4", "id6"}


def test_cli_purge_without_retention_is_a_usage_error(home: Path) -> None:
    result = run_cli("purge", home=home)
    assert result.returncode == 2
    assert "retention is off" in result.stderr


def test_cli_purge_uses_the_retention_setting(home: Path) -> None:
    _seeded_home(home)
    result = run_cli("purge", "--json", home=home, env={"RADAR_RETENTION_DAYS": "30"})
    assert result.returncode == 0, result.stderr
    assert _store_ids(home) == {"id4", "id6"}


def test_cli_forget(home: Path) -> None:
    _seeded_home(home)
    nothing = run_cli("forget", home=home)
    assert nothing.returncode == 2 and "--url or --author" in nothing.stderr
    result = run_cli("forget", "--author", "jane doe", "--url", "https://example.org/post/2", home=home)
    assert result.returncode == 0, result.stderr
    assert "deleted 3 items and 2 near-duplicates" in result.stdout
    assert _store_ids(home) == {"id3"}


# -- worker ----------------------------------------------------------------------------------------------


def _scheduled_jobs(home: Path, env: dict[str, str]) -> dict[str, Any]:
    from apscheduler.schedulers.background import BackgroundScheduler

    from radar.bootstrap import make_radar
    from radar.settings import load_config
    from radar.worker import Worker

    radar = make_radar(load_config(home, env))
    try:
        worker = Worker(radar, BackgroundScheduler(timezone=UTC), now=lambda: NOW)
        worker.schedule()
        jobs = {job.id: job for job in worker.scheduler.get_jobs()}
        worker.close()
        return jobs
    finally:
        radar.close()


def test_worker_purges_daily_when_retention_is_set(home: Path) -> None:
    assert "retention" not in _scheduled_jobs(home, {})
    jobs = _scheduled_jobs(home, {"RADAR_RETENTION_DAYS": "30"})
    job = jobs["retention"]
    assert job.trigger.interval == timedelta(days=1)
    assert job.executor == "analysis"  # never under a running analysis
