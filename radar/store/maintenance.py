"""Deleting items: the retention purge and forgetting items on request. Mixed into :class:`SqlStore`.

An item goes with every row derived from it: its embeddings and positions, its topic and theme
memberships (any table with a foreign key to ``items.id``, found from the schema so that a table added
later is not forgotten), and the near-duplicates that point at it through ``duplicate_of`` (they are
copies of the same content from other sources). What the analysis concluded is kept: topics, their
daily counts, states, lineage, runs and snapshots hold aggregate numbers, not items.

Deletion runs in batches, each one transaction, so that a purge of millions of rows never holds one
huge lock; a purge that stops half-way is simply finished by the next one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, Connection, Engine, Table, delete, func, or_, select

from radar.store import schema as t

if TYPE_CHECKING:
    from radar.store.near_cache import NearCache

BATCH = 2000


@dataclass(slots=True)
class Deleted:
    """What a deletion removed (or, for a dry run, would remove)."""

    items: int = 0
    duplicates: int = 0
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, other: Deleted) -> None:
        self.items += other.items
        self.duplicates += other.duplicates
        for table, count in other.rows.items():
            self.rows[table] = self.rows.get(table, 0) + count

    def as_dict(self) -> dict[str, object]:
        return {"items": self.items, "duplicates": self.duplicates, "rows": dict(self.rows)}


def item_tables() -> list[tuple[Table, Column[str]]]:
    """Every table with a column referencing ``items.id``, and that column."""
    found = []
    for table in t.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column is t.items.c.id:
                found.append((table, fk.parent))
    return found


def _chunks(ids: Sequence[str], size: int = BATCH) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


class MaintenanceMixin:
    """Store methods that delete items; see the module docstring. Needs SqlStore's ``_tx``."""

    if TYPE_CHECKING:
        engine: Engine
        _near: NearCache

        def _tx(self) -> AbstractContextManager[Connection]: ...

    def items_published_before(self, cutoff: datetime) -> Deleted:
        """What :meth:`purge_items_before` would delete now, without deleting anything."""
        old = select(t.items.c.id).where(t.items.c.published_at < cutoff)
        with self._tx() as conn:
            items = conn.execute(select(func.count()).select_from(old.subquery())).scalar_one()
            duplicates = conn.execute(
                select(func.count())
                .select_from(t.items)
                .where(t.items.c.duplicate_of.in_(old), t.items.c.published_at >= cutoff)
            ).scalar_one()
        return Deleted(items=int(items), duplicates=int(duplicates))

    def purge_items_before(self, cutoff: datetime, *, batch: int = BATCH) -> Deleted:
        """Delete the items published before ``cutoff`` (aware UTC), with their derived rows."""
        total = Deleted()
        while True:
            with self._tx() as conn:
                ids = list(
                    conn.execute(
                        select(t.items.c.id).where(t.items.c.published_at < cutoff).limit(batch)
                    ).scalars()
                )
                if not ids:
                    # Deleted originals must stop being near-duplicate candidates (dropped once all the
                    # deletions are committed, so that no reader can reload them in between).
                    self._near.drop()
                    return total
                total.add(self._delete_with_derived(conn, ids))

    def find_items(self, *, urls: Sequence[str] = (), authors: Sequence[str] = ()) -> list[str]:
        """Ids of the items at any of ``urls`` (as stored, or as a guid) or by any of ``authors``.

        Authors match whole names, ignoring case and surrounding spaces: a request names a person, and
        feeds differ in how they capitalise them.
        """
        conditions = []
        if urls:
            conditions += [t.items.c.url.in_(list(urls)), t.items.c.guid.in_(list(urls))]
        names = sorted({name.strip().lower() for name in authors if name.strip()})
        if names:
            conditions.append(func.lower(func.trim(t.items.c.author)).in_(names))
        if not conditions:
            return []
        with self._tx() as conn:
            return list(conn.execute(select(t.items.c.id).where(or_(*conditions))).scalars())

    def delete_items(self, ids: Sequence[str]) -> Deleted:
        """Delete the items ``ids`` and their near-duplicates, with their derived rows."""
        total = Deleted()
        for chunk in _chunks(list(dict.fromkeys(ids))):
            with self._tx() as conn:
                total.add(self._delete_with_derived(conn, chunk))
        self._near.drop()  # deleted originals must stop being near-duplicate candidates
        return total

    @staticmethod
    def _delete_with_derived(conn: Connection, ids: list[str]) -> Deleted:
        duplicates = list(
            conn.execute(
                select(t.items.c.id).where(t.items.c.duplicate_of.in_(ids), t.items.c.id.notin_(ids))
            ).scalars()
        )
        doomed = ids + duplicates
        done = Deleted(duplicates=len(duplicates))
        for table, column in item_tables():
            count = 0
            for chunk in _chunks(doomed):
                count += conn.execute(delete(table).where(column.in_(chunk))).rowcount
            done.rows[table.name] = count
        for chunk in _chunks(doomed):
            done.items += conn.execute(delete(t.items).where(t.items.c.id.in_(chunk))).rowcount
        done.items -= len(duplicates)
        return done
