"""Reads and writes of the topics API, as a mixin of :class:`radar.store.sql.SqlStore`.

Kept apart from the pipeline's store methods so that the API's queries (topic index, detail, timeline,
search vectors, exports) and its own tables (API keys, triage, backtest jobs) read as one unit. Same
contract as the store: aware UTC datetimes, one transaction per call, :class:`StoreError` on failure,
:class:`NotFoundError` for an unknown topic, key or job.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from radar.errors import NotFoundError, StoreError
from radar.store import schema as t
from radar.store.records import RunInfo, Vector
from radar.triage import Triage

# Representative items shown with a topic: the most typical ones (highest membership probability).
REPRESENTATIVE_ITEMS = 10


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "scope": self.scope,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


@dataclass(frozen=True, slots=True)
class BacktestJob:
    id: str
    status: str  # queued, running, done, failed
    params: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    summary: dict[str, Any] | None
    error: str | None
    created_by: str | None


def _now() -> datetime:
    return datetime.now(UTC)


class ApiQueries:
    """Mixed into SqlStore, which provides ``engine``, ``_tx`` and ``latest_run``."""

    engine: Engine

    if TYPE_CHECKING:

        def _tx(self) -> AbstractContextManager[Connection]: ...

        def latest_run(self, status: str = "done") -> RunInfo | None: ...

    # -- runs ----------------------------------------------------------------------------------------

    def run_info(self, run_id: int) -> RunInfo | None:
        with self._tx() as conn:
            row = conn.execute(select(t.runs).where(t.runs.c.id == run_id)).mappings().first()
        return RunInfo(**dict(row)) if row else None

    def run_finished_by(self, moment: datetime) -> RunInfo | None:
        """The last finished run that had finished at ``moment`` (what a reader saw then)."""
        with self._tx() as conn:
            row = (
                conn.execute(
                    select(t.runs)
                    .where(t.runs.c.status == "done", t.runs.c.finished_at <= moment)
                    .order_by(t.runs.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        return RunInfo(**dict(row)) if row else None

    # -- topics --------------------------------------------------------------------------------------

    def topic_index(self, run_id: int) -> list[dict[str, Any]]:
        """One compact row per topic of run ``run_id``: what the topic list filters and sorts on.

        Everything comes from the run's topic states (their evidence already counts sources and
        languages), so listing never scans items, however many the store holds.
        """
        with self._tx() as conn:
            kinds = dict(conn.execute(select(t.sources.c.name, t.sources.c.kind)).all())
            rows = conn.execute(
                select(
                    t.topics.c.id,
                    t.topics.c.label,
                    t.topics.c.keywords,
                    t.topics.c.kind,
                    t.topics.c.size,
                    t.topics.c.first_seen,
                    t.topics.c.last_seen,
                    t.topics.c.growth,
                    t.topic_states.c.state,
                    t.topic_states.c.previous_state,
                    t.topic_states.c.score,
                    t.topic_states.c.evidence,
                )
                .join(t.topic_states, t.topic_states.c.topic_id == t.topics.c.id)
                .where(t.topic_states.c.run_id == run_id)
            ).all()
        index = []
        for row in rows:
            evidence = dict(row.evidence or {})
            sources = {str(k): int(v) for k, v in dict(evidence.get("sources") or {}).items()}
            langs = {str(k): int(v) for k, v in dict(evidence.get("langs") or {}).items()}
            novelty = dict(evidence.get("measures") or {}).get("novelty")
            index.append(
                {
                    "id": row.id,
                    "label": row.label,
                    "keywords": list(row.keywords or []),
                    "kind": row.kind,
                    "size": int(row.size),
                    "first_seen": row.first_seen,
                    "last_seen": row.last_seen,
                    "growth": float(row.growth),
                    "state": row.state,
                    "previous_state": row.previous_state,
                    "score": float(row.score),
                    "novelty": float(novelty) if isinstance(novelty, int | float) else None,
                    "sources": sources,
                    "langs": langs,
                    "source_kinds": sorted({kinds[name] for name in sources if name in kinds}),
                }
            )
        return index

    def topic_detail(self, topic_id: str, run_id: int) -> dict[str, Any]:
        """A topic as of run ``run_id`` (or as last seen, if that run did not see it): its row, the
        run's evidence, representative items with their links and its lineage."""
        with self._tx() as conn:
            row = conn.execute(select(t.topics).where(t.topics.c.id == topic_id)).mappings().first()
            if row is None:
                raise NotFoundError(f"no topic {topic_id!r}")
            seen_run = self._last_run_of(conn, topic_id, run_id)
            state = (
                conn.execute(
                    select(t.topic_states).where(
                        t.topic_states.c.topic_id == topic_id, t.topic_states.c.run_id == seen_run
                    )
                )
                .mappings()
                .first()
            )
            items = conn.execute(
                select(
                    t.items.c.id,
                    t.items.c.title,
                    t.items.c.url,
                    t.items.c.source,
                    t.items.c.lang,
                    t.items.c.published_at,
                    t.topic_items.c.probability,
                )
                .join(t.items, t.items.c.id == t.topic_items.c.item_id)
                .where(t.topic_items.c.topic_id == topic_id, t.topic_items.c.run_id == seen_run)
                # NULLs (placed, not fitted) last on both backends, then the newest.
                .order_by(
                    t.topic_items.c.probability.is_(None),
                    t.topic_items.c.probability.desc(),
                    t.items.c.published_at.desc(),
                )
                .limit(REPRESENTATIVE_ITEMS)
            ).all()
            lineage = conn.execute(
                select(
                    t.topic_lineage.c.run_id,
                    t.topic_lineage.c.topic_id,
                    t.topic_lineage.c.relation,
                    t.topic_lineage.c.other_id,
                )
                .where(or_(t.topic_lineage.c.topic_id == topic_id, t.topic_lineage.c.other_id == topic_id))
                .order_by(t.topic_lineage.c.run_id, t.topic_lineage.c.id)
            ).all()
        return {
            "id": row["id"],
            "label": row["label"],
            "keywords": list(row["keywords"] or []),
            "kind": row["kind"],
            "size": int(row["size"]),
            "first_seen": row["first_seen"],
            "last_seen": row["last_seen"],
            "growth": float(row["growth"]),
            "run_id": seen_run,
            "state": state["state"] if state else row["state"],
            "previous_state": state["previous_state"] if state else None,
            "score": float(state["score"]) if state else float(row["score"]),
            "evidence": dict(state["evidence"] or {}) if state else {},
            "items": [
                {
                    "id": item.id,
                    "title": item.title,
                    "url": item.url,
                    "source": item.source,
                    "lang": item.lang,
                    "published_at": item.published_at,
                    "probability": item.probability,
                }
                for item in items
            ],
            "lineage": [
                {"run_id": r.run_id, "topic_id": r.topic_id, "relation": r.relation, "other_id": r.other_id}
                for r in lineage
            ],
        }

    @staticmethod
    def _last_run_of(conn: Connection, topic_id: str, run_id: int) -> int | None:
        """The latest run up to ``run_id`` that saw the topic (a topic absent from the latest run still
        has a detail: as it was last seen)."""
        found = conn.execute(
            select(func.max(t.topic_states.c.run_id)).where(
                t.topic_states.c.topic_id == topic_id, t.topic_states.c.run_id <= run_id
            )
        ).scalar()
        return int(found) if found is not None else None

    def topic_timeline(self, topic_id: str, run_id: int) -> dict[str, Any]:
        """Daily item counts and sources per day as of the last run that saw the topic, and its state
        at every run."""
        with self._tx() as conn:
            if conn.execute(select(t.topics.c.id).where(t.topics.c.id == topic_id)).first() is None:
                raise NotFoundError(f"no topic {topic_id!r}")
            seen_run = self._last_run_of(conn, topic_id, run_id)
            daily = conn.execute(
                select(t.topic_daily.c.day, t.topic_daily.c["items"])
                .where(t.topic_daily.c.topic_id == topic_id, t.topic_daily.c.run_id == seen_run)
                .order_by(t.topic_daily.c.day)
            ).all()
            members = conn.execute(
                select(t.items.c.source, t.items.c.published_at)
                .join(t.topic_items, t.topic_items.c.item_id == t.items.c.id)
                .where(t.topic_items.c.topic_id == topic_id, t.topic_items.c.run_id == seen_run)
            ).all()
            states = conn.execute(
                select(
                    t.topic_states.c.run_id,
                    t.runs.c.as_of,
                    t.topic_states.c.state,
                    t.topic_states.c.previous_state,
                    t.topic_states.c.score,
                )
                .join(t.runs, t.runs.c.id == t.topic_states.c.run_id)
                .where(t.topic_states.c.topic_id == topic_id)
                .order_by(t.topic_states.c.run_id)
            ).all()
        per_day: dict[date, dict[str, int]] = {}
        for member in members:
            day = member.published_at.astimezone(UTC).date()
            bucket = per_day.setdefault(day, {})
            bucket[member.source] = bucket.get(member.source, 0) + 1
        return {
            "id": topic_id,
            "run_id": seen_run,
            "daily": [
                {"day": row.day, "items": int(row._mapping["items"]), "sources": per_day.get(row.day, {})}
                for row in daily
            ],
            "states": [
                {
                    "run_id": row.run_id,
                    "as_of": row.as_of,
                    "state": row.state,
                    "previous_state": row.previous_state,
                    "score": float(row.score),
                }
                for row in states
            ],
        }

    def topic_states_now(self, topic_ids: list[str]) -> dict[str, str]:
        with self._tx() as conn:
            rows = conn.execute(select(t.topics.c.id, t.topics.c.state).where(t.topics.c.id.in_(topic_ids)))
            return {row.id: row.state for row in rows}

    # -- search vectors ------------------------------------------------------------------------------

    def topic_centroids(self, run_id: int) -> tuple[list[str], Vector]:
        """Ids and centroids of run ``run_id``'s topics (rows of the matrix in id order)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(t.topics.c.id, t.topics.c.centroid)
                .join(t.topic_states, t.topic_states.c.topic_id == t.topics.c.id)
                .where(t.topic_states.c.run_id == run_id, t.topics.c.centroid.is_not(None))
                .order_by(t.topics.c.id)
            ).all()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [row.id for row in rows], np.vstack(
            [np.frombuffer(row.centroid, dtype=np.float32) for row in rows]
        )

    def member_vectors(
        self, topic_ids: list[str], run_id: int, model: str
    ) -> tuple[list[dict[str, Any]], Vector]:
        """The items of ``topic_ids`` in run ``run_id`` with their ``model`` embeddings."""
        with self._tx() as conn:
            rows = conn.execute(
                select(
                    t.items.c.id,
                    t.items.c.title,
                    t.items.c.url,
                    t.items.c.source,
                    t.items.c.published_at,
                    t.topic_items.c.topic_id,
                    t.embeddings.c.vector,
                )
                .join(t.items, t.items.c.id == t.topic_items.c.item_id)
                .join(
                    t.embeddings,
                    and_(t.embeddings.c.item_id == t.items.c.id, t.embeddings.c.model == model),
                )
                .where(t.topic_items.c.run_id == run_id, t.topic_items.c.topic_id.in_(topic_ids))
            ).all()
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        items = [
            {
                "id": row.id,
                "title": row.title,
                "url": row.url,
                "source": row.source,
                "published_at": row.published_at,
                "topic_id": row.topic_id,
            }
            for row in rows
        ]
        return items, np.vstack([np.frombuffer(row.vector, dtype=np.float32) for row in rows])

    # -- exports -------------------------------------------------------------------------------------

    def iter_items(
        self,
        run_id: int | None,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        topic_id: str | None = None,
        batch: int = 5000,
    ) -> Iterator[list[dict[str, Any]]]:
        """Stored items (with their topic in run ``run_id``) in batches, read with a server-side cursor
        so that an export of millions of rows holds one batch in memory."""
        topic_col = t.topic_items.c.topic_id.label("topic_id")
        query = select(
            t.items.c.id,
            t.items.c.source,
            t.items.c.url,
            t.items.c.title,
            t.items.c.author,
            t.items.c.lang,
            t.items.c.published_at,
            t.items.c.duplicate_of,
            topic_col,
        ).join(
            t.topic_items,
            and_(t.topic_items.c.item_id == t.items.c.id, t.topic_items.c.run_id == (run_id or -1)),
            isouter=topic_id is None,
        )
        if since is not None:
            query = query.where(t.items.c.published_at >= since)
        if until is not None:
            query = query.where(t.items.c.published_at < until)
        if topic_id is not None:
            query = query.where(t.topic_items.c.topic_id == topic_id)
        query = query.order_by(t.items.c.published_at, t.items.c.id)
        try:
            with self.engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
                for part in result.partitions(batch):
                    yield [dict(row._mapping) for row in part]
        except SQLAlchemyError as exc:
            raise StoreError(f"export failed: {exc}") from exc

    # -- API keys ------------------------------------------------------------------------------------

    def add_api_key(self, *, name: str, prefix: str, key_hash: str, scope: str) -> ApiKey:
        created = _now()
        with self._tx() as conn:
            result = conn.execute(
                insert(t.api_keys).values(
                    name=name, prefix=prefix, key_hash=key_hash, scope=scope, created_at=created
                )
            )
            key = result.inserted_primary_key
        assert key is not None
        return ApiKey(int(key[0]), name, prefix, scope, created, None)

    def api_key_by_hash(self, key_hash: str) -> ApiKey | None:
        """The live (not revoked) key with this hash."""
        with self._tx() as conn:
            row = conn.execute(
                select(t.api_keys).where(t.api_keys.c.key_hash == key_hash, t.api_keys.c.revoked_at.is_(None))
            ).first()
        return _api_key(row) if row else None

    def api_keys(self) -> list[ApiKey]:
        with self._tx() as conn:
            rows = conn.execute(select(t.api_keys).order_by(t.api_keys.c.id)).all()
        return [_api_key(row) for row in rows]

    def revoke_api_key(self, id_or_prefix: str) -> ApiKey:
        """Revoke the key whose id or prefix is ``id_or_prefix``; refuse an ambiguous prefix."""
        with self._tx() as conn:
            match = t.api_keys.c.prefix == id_or_prefix
            if id_or_prefix.isdigit():
                match = or_(match, t.api_keys.c.id == int(id_or_prefix))
            rows = conn.execute(select(t.api_keys).where(match, t.api_keys.c.revoked_at.is_(None))).all()
            if not rows:
                raise NotFoundError(f"no live API key with id or prefix {id_or_prefix!r}")
            if len(rows) > 1:
                raise NotFoundError(f"{id_or_prefix!r} matches {len(rows)} keys; give the key's id")
            revoked = _now()
            conn.execute(update(t.api_keys).where(t.api_keys.c.id == rows[0].id).values(revoked_at=revoked))
        found = _api_key(rows[0])
        return ApiKey(found.id, found.name, found.prefix, found.scope, found.created_at, revoked)

    # -- triage --------------------------------------------------------------------------------------

    def set_triage(self, topic_id: str, status: str, note: str | None, by: str | None) -> Triage:
        """Record a verdict on a topic (current verdict replaced, history appended) in one transaction."""
        at = _now()
        with self._tx() as conn:
            state = conn.execute(select(t.topics.c.state).where(t.topics.c.id == topic_id)).scalar()
            if state is None:
                raise NotFoundError(f"no topic {topic_id!r}")
            values = {
                "status": status,
                "note": note,
                "dismissed_state": state if status == "dismissed" else None,
                "updated_at": at,
                "updated_by": by,
            }
            changed = conn.execute(update(t.triage).where(t.triage.c.topic_id == topic_id).values(**values))
            if not changed.rowcount:
                conn.execute(insert(t.triage).values(topic_id=topic_id, **values))
            conn.execute(
                insert(t.triage_history).values(
                    topic_id=topic_id, status=status, note=note, topic_state=state, at=at, by=by
                )
            )
        return Triage(topic_id, status, note, state if status == "dismissed" else None, at, by)

    def triage(self, topic_id: str) -> Triage | None:
        with self._tx() as conn:
            row = conn.execute(select(t.triage).where(t.triage.c.topic_id == topic_id)).mappings().first()
        return Triage(**dict(row)) if row else None

    def triage_all(self, status: str | None = None) -> list[Triage]:
        query = select(t.triage).order_by(t.triage.c.updated_at.desc(), t.triage.c.topic_id)
        if status is not None:
            query = query.where(t.triage.c.status == status)
        with self._tx() as conn:
            rows = conn.execute(query).mappings().all()
        return [Triage(**dict(row)) for row in rows]

    def triage_history(self, topic_id: str) -> list[dict[str, Any]]:
        with self._tx() as conn:
            rows = conn.execute(
                select(t.triage_history)
                .where(t.triage_history.c.topic_id == topic_id)
                .order_by(t.triage_history.c.id)
            ).mappings()
            return [dict(row) for row in rows]

    # -- backtest jobs -------------------------------------------------------------------------------

    def add_backtest_job(self, job_id: str, params: dict[str, Any], by: str | None) -> BacktestJob:
        with self._tx() as conn:
            conn.execute(
                insert(t.backtest_jobs).values(
                    id=job_id, status="queued", params=params, created_at=_now(), created_by=by
                )
            )
        return self.backtest_job(job_id)

    def update_backtest_job(self, job_id: str, **values: Any) -> None:
        with self._tx() as conn:
            conn.execute(update(t.backtest_jobs).where(t.backtest_jobs.c.id == job_id).values(**values))

    def backtest_job(self, job_id: str) -> BacktestJob:
        with self._tx() as conn:
            row = (
                conn.execute(select(t.backtest_jobs).where(t.backtest_jobs.c.id == job_id)).mappings().first()
            )
        if row is None:
            raise NotFoundError(f"no backtest job {job_id!r}")
        return BacktestJob(**dict(row))

    def backtest_jobs(self, limit: int = 100) -> list[BacktestJob]:
        with self._tx() as conn:
            rows = conn.execute(
                select(t.backtest_jobs).order_by(t.backtest_jobs.c.created_at.desc()).limit(limit)
            ).mappings()
            return [BacktestJob(**dict(row)) for row in rows]


def _api_key(row: Any) -> ApiKey:
    return ApiKey(row.id, row.name, row.prefix, row.scope, row.created_at, row.revoked_at)
