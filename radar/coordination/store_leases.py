"""Claims and leases kept in the store: work on SQLite and PostgreSQL, with or without Redis.

See :mod:`radar.coordination` for why a source's claim is a conditional update of its due time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from radar.errors import StoreError
from radar.store import SqlStore
from radar.store import schema as t

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _StoreAccess:
    def __init__(self, store: SqlStore, now: Clock) -> None:
        self._engine = store.engine
        self._now = now

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(f"store lease failed: {exc.__class__.__name__}: {exc}") from exc

    def _upsert(self, conn: Connection, name: str, holder: str, expires_at: datetime) -> None:
        dialect: Any = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(t.leases).values(name=name, holder=holder, expires_at=expires_at)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.leases.c.name],
                set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
            )
        )


class StoreLocks(_StoreAccess):
    """:class:`radar.coordination.Locks` in the ``leases`` table."""

    def __init__(self, store: SqlStore, now: Clock = _utcnow) -> None:
        super().__init__(store, now)

    def acquire(self, name: str, holder: str, ttl_s: float) -> bool:
        now = self._now()
        until = now + timedelta(seconds=ttl_s)
        leases = t.leases.c
        with self._tx() as conn:
            # Take over an expired row, or insert a missing one; a row another holder still owns stays.
            taken = conn.execute(
                update(t.leases)
                .where(leases.name == name, leases.expires_at <= now)
                .values(holder=holder, expires_at=until)
            ).rowcount
            if taken:
                return True
            dialect: Any = postgresql if self._engine.dialect.name == "postgresql" else sqlite
            inserted = conn.execute(
                dialect.insert(t.leases)
                .values(name=name, holder=holder, expires_at=until)
                .on_conflict_do_nothing()
                .returning(leases.name)
            ).fetchall()
        return bool(inserted)

    def renew(self, name: str, holder: str, ttl_s: float) -> bool:
        until = self._now() + timedelta(seconds=ttl_s)
        with self._tx() as conn:
            result = conn.execute(
                update(t.leases)
                .where(t.leases.c.name == name, t.leases.c.holder == holder)
                .values(expires_at=until)
            )
        return bool(result.rowcount)

    def release(self, name: str, holder: str) -> bool:
        with self._tx() as conn:
            result = conn.execute(
                delete(t.leases).where(t.leases.c.name == name, t.leases.c.holder == holder)
            )
        return bool(result.rowcount)

    def holder(self, name: str) -> str | None:
        with self._tx() as conn:
            row = conn.execute(
                select(t.leases.c.holder).where(t.leases.c.name == name, t.leases.c.expires_at > self._now())
            ).first()
        return str(row.holder) if row else None


class SourceClaims(_StoreAccess):
    """Claims on sources' due slots for one worker (``holder``), each good for ``lease_s``."""

    def __init__(self, store: SqlStore, holder: str, lease_s: float, now: Clock = _utcnow) -> None:
        super().__init__(store, now)
        self.holder = holder
        self.lease_s = lease_s

    def claim(self, name: str) -> bool:
        """Take the source's current due slot if it has come and nobody holds it; True when taken.

        While claimed, the source's ``next_due_at`` is the end of this worker's lease: if the worker
        dies before recording the fetch, the source becomes due again then.
        """
        now = self._now()
        until = now + timedelta(seconds=self.lease_s)
        due = t.sources.c.next_due_at
        with self._tx() as conn:
            taken = conn.execute(
                update(t.sources)
                .where(t.sources.c.name == name, or_(due.is_(None), due <= now))
                .values(next_due_at=until)
            ).rowcount
            if taken:
                self._upsert(conn, f"source:{name}", self.holder, until)
        return bool(taken)

    def release(self, name: str) -> None:
        """Forget this worker's claim record (the fetch's outcome has set the next due time)."""
        with self._tx() as conn:
            conn.execute(
                delete(t.leases).where(t.leases.c.name == f"source:{name}", t.leases.c.holder == self.holder)
            )

    def holders(self) -> dict[str, str]:
        """Source name -> the worker holding its current fetch (unexpired claims only)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(t.leases.c.name, t.leases.c.holder).where(
                    t.leases.c.name.startswith("source:"), t.leases.c.expires_at > self._now()
                )
            ).all()
        return {row.name.removeprefix("source:"): row.holder for row in rows}
