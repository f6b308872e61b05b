"""The alert outbox in the store, mixed into :class:`radar.store.sql.SqlStore`.

Contract (both backends): every datetime in and out is UTC-aware; errors are :class:`StoreError`.
``claim_alert`` is safe across processes: it is one conditional UPDATE, so of several workers that pick
the same row, exactly one sees a row count of 1 and sends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Insert, and_, func, or_, select, update

from radar.alerts.outbox import OutboxAlert
from radar.alerts.rules import AlertIntent
from radar.store import schema as t

CLAIM_CANDIDATES = 20


class AlertsStore:
    """Mixed into SqlStore, which provides ``_tx`` and ``_insert_ignore``."""

    if TYPE_CHECKING:

        def _tx(self) -> AbstractContextManager[Connection]: ...

        def _insert_ignore(self, table: Any) -> Insert: ...

    def enqueue_alerts(
        self, intents: Sequence[AlertIntent], destinations: Sequence[str], now: datetime
    ) -> int:
        """Record each intent once per destination (its own list, else all); return the rows added.

        A key already recorded is skipped: that is the "never alerted twice". With no destination at all,
        each intent is recorded once as ``stored`` (visible, never sent).
        """
        added = 0
        with self._tx() as conn:
            for intent in intents:
                targets = [d for d in (intent.destinations or destinations) if d in destinations]
                rows = [(name, "pending") for name in targets] or [("", "stored")]
                for name, status in rows:
                    # RETURNING, not rowcount: psycopg reports -1 for INSERT .. ON CONFLICT DO NOTHING.
                    result = conn.execute(
                        self._insert_ignore(t.alerts).values(
                            dedupe_key=intent.dedupe_key,
                            destination=name,
                            rule=intent.rule,
                            kind=intent.kind,
                            title=intent.title,
                            topic_id=intent.topic_id,
                            facts=dict(intent.facts),
                            status=status,
                            attempts=0,
                            created_at=now,
                            next_attempt_at=intent.not_before or now,
                        )
                        .returning(t.alerts.c.id)
                    )
                    added += len(result.all())
        return added

    def last_alerted(self, topic_ids: Sequence[str]) -> dict[str, datetime]:
        """When each topic was last alerted (recorded), for the cooldown."""
        if not topic_ids:
            return {}
        with self._tx() as conn:
            rows = conn.execute(
                select(t.alerts.c.topic_id, func.max(t.alerts.c.created_at).label("at"))
                .where(t.alerts.c.topic_id.in_(list(topic_ids)))
                .group_by(t.alerts.c.topic_id)
            ).all()
        # max() keeps its argument's type, so the values come back UTC-aware on both backends.
        return {row.topic_id: row.at for row in rows if row.at is not None}

    def claim_alert(
        self, destinations: Sequence[str], holder: str, now: datetime, lease_s: float
    ) -> OutboxAlert | None:
        """Take one due row for one of ``destinations`` (pending, or sending with its lease run out), mark
        it sending until ``now + lease_s`` and count the attempt; None when nothing is due."""
        if not destinations:
            return None
        due = and_(
            t.alerts.c.destination.in_(list(destinations)),
            t.alerts.c.next_attempt_at <= now,
            or_(t.alerts.c.status == "pending", t.alerts.c.status == "sending"),
        )
        with self._tx() as conn:
            ids = (
                conn.execute(
                    select(t.alerts.c.id)
                    .where(due)
                    .order_by(t.alerts.c.next_attempt_at, t.alerts.c.id)
                    .limit(CLAIM_CANDIDATES)
                )
                .scalars()
                .all()
            )
        for alert_id in ids:
            with self._tx() as conn:
                # The WHERE repeats the due condition: a row another worker claimed in between no longer
                # matches, and this update changes nothing.
                claimed = conn.execute(
                    update(t.alerts)
                    .where(t.alerts.c.id == alert_id, due)
                    .values(
                        status="sending",
                        holder=holder,
                        attempts=t.alerts.c.attempts + 1,
                        next_attempt_at=now + timedelta(seconds=lease_s),
                    )
                ).rowcount
                if claimed == 1:
                    row = conn.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).mappings().one()
                    return _alert(row)
        return None

    def mark_alert_sent(self, alert_id: int, now: datetime) -> None:
        # Whoever holds it: a delivery that reached the server is a fact, even from a worker whose lease ran
        # out; losing it would only cause one more duplicate.
        with self._tx() as conn:
            conn.execute(
                update(t.alerts)
                .where(t.alerts.c.id == alert_id, t.alerts.c.status != "sent")
                .values(status="sent", sent_at=now, holder=None, next_attempt_at=None, last_error=None)
            )

    def mark_alert_retry(self, alert_id: int, holder: str, when: datetime, error: str) -> None:
        with self._tx() as conn:
            conn.execute(
                update(t.alerts)
                .where(t.alerts.c.id == alert_id, t.alerts.c.status == "sending", t.alerts.c.holder == holder)
                .values(status="pending", holder=None, next_attempt_at=when, last_error=error[:2000])
            )

    def mark_alert_failed(self, alert_id: int, holder: str, error: str) -> None:
        with self._tx() as conn:
            conn.execute(
                update(t.alerts)
                .where(t.alerts.c.id == alert_id, t.alerts.c.status == "sending", t.alerts.c.holder == holder)
                .values(status="failed", holder=None, next_attempt_at=None, last_error=error[:2000])
            )

    def alert_rows(self, limit: int = 100, status: str | None = None) -> list[OutboxAlert]:
        """Newest first."""
        query = select(t.alerts).order_by(t.alerts.c.id.desc()).limit(limit)
        if status is not None:
            query = query.where(t.alerts.c.status == status)
        with self._tx() as conn:
            rows = conn.execute(query).mappings().all()
        return [_alert(row) for row in rows]

    def alert_row(self, alert_id: int) -> OutboxAlert | None:
        with self._tx() as conn:
            row = conn.execute(select(t.alerts).where(t.alerts.c.id == alert_id)).mappings().first()
        return _alert(row) if row else None

    def last_new_item_per_source(self) -> dict[str, datetime]:
        """When each source last brought a new item (the newest ``fetched_at`` of its items)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(t.items.c.source, func.max(t.items.c.fetched_at).label("at")).group_by(
                    t.items.c.source
                )
            ).all()
        return {row.source: row.at for row in rows if row.at is not None}


def _alert(row: Any) -> OutboxAlert:
    return OutboxAlert(
        id=int(row["id"]),
        dedupe_key=row["dedupe_key"],
        destination=row["destination"],
        rule=row["rule"],
        kind=row["kind"],
        title=row["title"],
        topic_id=row["topic_id"],
        facts=dict(row["facts"] or {}),
        status=row["status"],
        attempts=int(row["attempts"]),
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        sent_at=row["sent_at"],
        last_error=row["last_error"],
    )
