"""Near-duplicates in the store (SQLite and PostgreSQL): kept, flagged, not embedded, not analysed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from collectors.neardup import fingerprint, to_unsigned
from radar.domain import Item, item_id_for
from radar.store import SqlStore
from radar.store import schema as t

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MODEL = "test-model"
STORY = (
    "City councils across the region voted this week to extend the night bus network to the outer "
    "suburbs, after a year-long trial showed ridership far above forecasts and fewer late-night car "
    "journeys. Operators will hire forty drivers and the first new routes open in March, the transport "
    "authority said on Tuesday, adding that fares stay unchanged until the end of next year."
)
OTHER = (
    "The museum reopens its modern art wing after two years of repairs to the roof and the heating, "
    "with a new room for photography, longer opening hours on Thursdays and free entry for residents "
    "under twenty-six during the first month, its director told reporters at the press preview."
)


def item(source: str, slug: str, title: str, text: str, at: datetime = T0) -> Item:
    url = f"https://{source}.example/{slug}"
    return Item(
        id=item_id_for(source, url),
        source=source,
        url=url,
        title=title,
        text=text,
        published_at=at,
        fetched_at=at,
    )


@pytest.fixture
def sql(store: SqlStore) -> SqlStore:
    store.sync_sources((name, "feed", f"https://{name}.example/feed") for name in ("wire", "daily", "blog"))
    return store


def duplicate_of(store: SqlStore, item_id: str) -> str | None:
    with store.engine.connect() as conn:
        value: str | None = conn.execute(
            t.items.select().with_only_columns(t.items.c.duplicate_of).where(t.items.c.id == item_id)
        ).scalar_one()
    return value


def test_a_syndicated_copy_is_stored_as_a_duplicate_of_the_original(sql: SqlStore) -> None:
    original = item("wire", "buses", "Night buses extended", STORY)
    copy = item("daily", "night-buses", "Night buses extended - Wire", STORY, T0 + timedelta(hours=5))
    other = item("blog", "museum", "Museum reopens", OTHER, T0 + timedelta(hours=6))
    assert sql.add_items([original]) == 1
    # Counted as new: it is a new row, and its source counts for the story's spread.
    assert sql.add_items([copy, other]) == 2
    assert duplicate_of(sql, copy.id) == original.id
    assert duplicate_of(sql, original.id) is None and duplicate_of(sql, other.id) is None
    assert sql.duplicate_sources([original.id, other.id]) == {original.id: {"daily"}}
    # Stored signed (a database has no unsigned 64-bit integer), read back as the same fingerprint.
    with sql.engine.connect() as conn:
        stored = conn.execute(
            t.items.select().with_only_columns(t.items.c.simhash).where(t.items.c.id == copy.id)
        ).scalar_one()
    assert to_unsigned(stored) == fingerprint(copy.title, copy.text)


def test_duplicates_are_found_within_one_batch_and_point_at_the_first(sql: SqlStore) -> None:
    first = item("wire", "a", "Night buses extended", STORY)
    # Recall on edited copies is measured in bench/neardup_threshold.py; here, copies surely within reach.
    second = item("daily", "b", "Night buses extended - Wire", STORY, T0 + timedelta(hours=1))
    third = item("blog", "c", "NIGHT BUSES EXTENDED!", STORY.upper(), T0 + timedelta(hours=2))
    assert sql.add_items([first, second, third]) == 3
    assert [duplicate_of(sql, i.id) for i in (first, second, third)] == [None, first.id, first.id]
    assert sql.duplicate_sources([first.id]) == {first.id: {"daily", "blog"}}


def test_the_same_story_a_fortnight_later_is_not_a_duplicate(sql: SqlStore) -> None:
    sql.add_items([item("wire", "a", "Night buses extended", STORY)])
    later = item("daily", "b", "Night buses extended", STORY, T0 + timedelta(days=8))
    sql.add_items([later])
    assert duplicate_of(sql, later.id) is None


def test_short_titles_repeat_without_being_duplicates_unless_identical(sql: SqlStore) -> None:
    a = item("wire", "a", "Night bus network extended to outer suburbs", "")
    b = item("daily", "b", "Night bus network extended to inner suburbs", "")
    c = item("blog", "c", "Night bus network extended to outer suburbs!", "")
    d, e = item("wire", "d", "Video", ""), item("daily", "e", "Video", "")
    assert sql.add_items([a, b, c, d, e]) == 5
    assert [duplicate_of(sql, i.id) for i in (a, b, c, d, e)] == [None, None, a.id, None, None]


def test_a_repeat_is_still_skipped_and_not_counted(sql: SqlStore) -> None:
    original = item("wire", "buses", "Night buses extended", STORY)
    assert sql.add_items([original]) == 1
    assert sql.add_items([original]) == 0


def test_duplicates_are_never_embedded_nor_analysed(sql: SqlStore) -> None:
    original = item("wire", "buses", "Night buses extended", STORY)
    copy = item("daily", "night-buses", "Night buses extended - Wire", STORY, T0 + timedelta(hours=5))
    other = item("blog", "museum", "Museum reopens", OTHER, T0 + timedelta(hours=6))
    sql.add_items([original, copy, other])
    assert sql.count_to_embed(MODEL) == 2
    pending = sql.items_to_embed(MODEL)
    assert sorted(i for i, _ in pending) == sorted([original.id, other.id])
    sql.save_embeddings(MODEL, [(i, np.ones(4, dtype=np.float32)) for i, _ in pending])
    assert sql.count_to_embed(MODEL) == 0 and sql.items_to_embed(MODEL) == []
    window = sql.window(MODEL, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert sorted(window.ids) == sorted([original.id, other.id])
    assert sql.duplicate_sources(window.ids) == {original.id: {"daily"}}


def test_originals_stored_by_another_process_are_seen_by_a_warm_cache(
    sql: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each store keeps its candidates in memory between calls; a second store on the same database (another
    # worker) stores the original after the first store's cache was filled. Reads are spaced by READ_EVERY_S
    # (30 s) in production; here every call reads.
    from radar.store import near_cache, open_store

    monkeypatch.setattr(near_cache, "READ_EVERY_S", 0.0)

    other_worker = open_store(str(sql.engine.url.render_as_string(hide_password=False)), migrate=False)
    try:
        sql.add_items([item("blog", "museum", "Museum reopens", OTHER)])  # fills this store's cache
        original = item("wire", "buses", "Night buses extended", STORY, T0 + timedelta(hours=1))
        other_worker.add_items([original])
        copy = item("daily", "night-buses", "Night buses extended - Wire", STORY, T0 + timedelta(hours=3))
        assert sql.add_items([copy]) == 1
        assert duplicate_of(sql, copy.id) == original.id
    finally:
        other_worker.close()


def test_a_deleted_original_is_not_a_candidate_any_more(sql: SqlStore) -> None:
    original = item("wire", "buses", "Night buses extended", STORY)
    sql.add_items([original])
    sql.delete_everything()
    sql.sync_sources((name, "feed", f"https://{name}.example/feed") for name in ("wire", "daily"))
    copy = item("daily", "night-buses", "Night buses extended - Wire", STORY, T0 + timedelta(hours=2))
    sql.add_items([copy])
    assert duplicate_of(sql, copy.id) is None
