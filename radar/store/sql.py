"""The SQL store: SQLAlchemy Core over SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from collectors.neardup import fingerprint, to_signed
from radar.domain import Item, SourceState, Topic, item_content
from radar.errors import StoreError
from radar.store import schema as t
from radar.store.alerts_store import AlertsStore
from radar.store.api_queries import ApiQueries
from radar.store.engine import make_engine, upgrade
from radar.store.maintenance import MaintenanceMixin
from radar.store.near_cache import NearCache
from radar.store.records import AnalysisResult, MemberRow, RunInfo, TopicRecord, Vector, Window

# How topics are listed: what a reader should look at first.
STATE_ORDER = {"emerging": 0, "weak": 1, "spike": 2, "mainstream": 3, "fading": 4, "noise": 5}
# How long an analysis run may take before a run still "running" counts as abandoned whoever started it.
# Far beyond any real run: the daily analysis of a 50k window takes about a minute (bench/RESULTS.md).
RUN_LEASE = timedelta(hours=6)


def open_store(url: str, *, migrate: bool = True, busy_timeout_s: float = 30.0) -> SqlStore:
    """Open the store at ``url``, applying pending migrations first unless ``migrate`` is false;
    ``busy_timeout_s``: see :func:`radar.store.engine.make_engine`."""
    try:
        engine = make_engine(url, busy_timeout_s)
    except (SQLAlchemyError, ImportError) as exc:
        raise StoreError(f"cannot open the store at {url!r}: {exc}") from exc
    store = SqlStore(engine)
    if migrate:
        upgrade(engine)
    return store


def _now() -> datetime:
    return datetime.now(UTC)


class SqlStore(ApiQueries, MaintenanceMixin, AlertsStore):
    """See :mod:`radar.store` for the contract."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._near = NearCache()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    @property
    def location(self) -> str:
        """Where the store is, for error messages: the SQLite file, or PostgreSQL's host, port and database
        (never the password)."""
        url = self.engine.url
        if self.backend == "sqlite":
            return f"sqlite file {url.database}"
        return f"{self.backend} at {url.host}:{url.port or 5432}/{url.database}"

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            # The driver's own message ("database is locked", "database or disk is full", "connection
            # refused") with where the store is; not SQLAlchemy's text, which repeats the whole statement
            # and its parameters (every row of a batch) into logs and `radar collect`'s failure lines.
            cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
            detail = " ".join(str(cause).split())
            raise StoreError(f"store ({self.location}) failed: {type(cause).__name__}: {detail}") from exc

    def _insert_ignore(self, table: Any) -> Insert:
        dialect = postgresql if self.backend == "postgresql" else sqlite
        stmt: Insert = dialect.insert(table).on_conflict_do_nothing()
        return stmt

    # -- sources -------------------------------------------------------------------------------------

    def sync_sources(self, configured: Iterable[tuple[str, str, str]]) -> None:
        """Make sure every configured ``(name, kind, url)`` has a row; update kind and url if changed."""
        with self._tx() as conn:
            for name, kind, url in configured:
                found = conn.execute(
                    select(t.sources.c.kind, t.sources.c.url).where(t.sources.c.name == name)
                )
                row = found.first()
                if row is None:
                    conn.execute(
                        insert(t.sources).values(
                            name=name, kind=kind, url=url, consecutive_errors=0, items_total=0
                        )
                    )
                elif (row.kind, row.url) != (kind, url):
                    # A new URL is a new feed: forget the validators of the old one.
                    conn.execute(
                        update(t.sources)
                        .where(t.sources.c.name == name)
                        .values(kind=kind, url=url, etag=None, last_modified=None, cursor=None)
                    )

    def source_state(self, name: str) -> SourceState | None:
        with self._tx() as conn:
            row = conn.execute(select(t.sources).where(t.sources.c.name == name)).mappings().first()
        return SourceState(**dict(row)) if row else None

    def source_states(self) -> list[SourceState]:
        with self._tx() as conn:
            rows = conn.execute(select(t.sources).order_by(t.sources.c.name)).mappings().all()
        return [SourceState(**dict(row)) for row in rows]

    def record_fetch_success(
        self,
        name: str,
        *,
        at: datetime,
        etag: str | None,
        last_modified: str | None,
        new_items: int,
        cursor: str | None = None,
        next_due_at: datetime | None = None,
    ) -> None:
        """Record a successful fetch. ``cursor`` None keeps the stored cursor (a page with nothing new).

        ``next_due_at`` is when the source is due again (see :mod:`radar.schedule`); None clears it, and
        the schedule then derives it from ``last_fetch_at``.
        """
        values: dict[str, Any] = {
            "last_fetch_at": at,
            "last_success_at": at,
            "last_error": None,
            "consecutive_errors": 0,
            "etag": etag,
            "last_modified": last_modified,
            "items_total": t.sources.c.items_total + new_items,
            "next_due_at": next_due_at,
        }
        if cursor is not None:
            values["cursor"] = cursor
        with self._tx() as conn:
            conn.execute(update(t.sources).where(t.sources.c.name == name).values(**values))

    def record_fetch_error(
        self, name: str, *, at: datetime, error: str, next_due_at: datetime | None = None
    ) -> None:
        """Record a failed fetch: the error streak grows; ``next_due_at`` as for a success."""
        with self._tx() as conn:
            conn.execute(
                update(t.sources)
                .where(t.sources.c.name == name)
                .values(
                    last_fetch_at=at,
                    last_error=error[:2000],
                    consecutive_errors=t.sources.c.consecutive_errors + 1,
                    next_due_at=next_due_at,
                )
            )

    def items_per_source(self, start: datetime, end: datetime) -> dict[str, int]:
        """How many stored items each source published in ``[start, end)`` (by ``published_at``).

        Sources with none are absent. Duplicates of another item count too: they were delivered.
        """
        published = t.items.c.published_at
        query = (
            select(t.items.c.source, func.count())
            .where(published >= start, published < end)
            .group_by(t.items.c.source)
        )
        with self._tx() as conn:
            rows = conn.execute(query).all()
        return {row[0]: int(row[1]) for row in rows}

    # -- items ---------------------------------------------------------------------------------------

    def add_items(self, items: Sequence[Item]) -> int:
        """Store new items; return how many rows were added, near-duplicates included.

        Repeats (same id, canonical URL, or source and guid) are skipped. An item whose fingerprint
        (:mod:`collectors.neardup`) is within the threshold of an original published within 7 days of
        it is stored with ``duplicate_of`` naming that original: it is a new row and counts as new, as
        its source still shows how far the story spread, but it is never embedded nor analysed. The
        first stored copy stays the original, even if a later-stored one says it was published earlier:
        a stored item never changes status. The recent originals are kept in memory between calls
        (:mod:`radar.store.near_cache`); a call reads only those fetched since the last read.
        """
        if not items:
            return 0
        added = 0
        try:
            added = self._add_items(items)
        except BaseException:
            self._near.drop()  # it may hold rows of the transaction that failed
            raise
        return added

    def _add_items(self, items: Sequence[Item]) -> int:
        fingerprints = [fingerprint(item.title, item.text) for item in items]
        rows = [
            {
                "id": item.id,
                "source": item.source,
                "url": item.url,
                "guid": item.guid,
                "title": item.title,
                "text": item.text,
                "author": item.author,
                "lang": item.lang,
                "published_at": item.published_at,
                "fetched_at": item.fetched_at,
                "date_from_fetch": item.date_from_fetch,
                "engagement": item.engagement or None,
                "simhash": None if value is None else to_signed(value),
            }
            for item, value in zip(items, fingerprints, strict=True)
        ]
        with self._tx() as conn:
            # One multi-row INSERT ... ON CONFLICT DO NOTHING: a repeated id, canonical URL or source+guid is
            # skipped by the unique indexes; RETURNING tells inserted from skipped on every backend.
            inserted = set(
                conn.execute(self._insert_ignore(t.items).returning(t.items.c.id), rows).scalars()
            )
            duplicates = []
            seen: set[str] = set()
            # In the batch's order, so that the first copy of a story in a batch is its original.
            for item, value in zip(items, fingerprints, strict=True):
                if item.id not in inserted or item.id in seen:
                    continue
                seen.add(item.id)
                if value is None:
                    continue
                original = self._near.find_or_add(conn, items, item, value, inserted)
                if original is not None:
                    duplicates.append({"dup_id": item.id, "original": original})
            if duplicates:
                conn.execute(
                    update(t.items)
                    .where(t.items.c.id == bindparam("dup_id"))
                    .values(duplicate_of=bindparam("original")),
                    duplicates,
                )
        return len(inserted)

    def items_to_embed(self, model: str, limit: int = 1000) -> list[tuple[str, str]]:
        """``(item_id, content)`` of items that have no embedding from ``model`` yet."""
        has_vector = exists().where(
            and_(t.embeddings.c.item_id == t.items.c.id, t.embeddings.c.model == model)
        )
        query = (
            select(t.items.c.id, t.items.c.title, t.items.c.text)
            # A near-duplicate is the same story: it shares its original's place, not a vector of its own.
            .where(~has_vector, t.items.c.duplicate_of.is_(None))
            .order_by(t.items.c.published_at, t.items.c.id)
            .limit(limit)
        )
        with self._tx() as conn:
            rows = conn.execute(query).all()
        return [(row.id, item_content(row.title, row.text)) for row in rows]

    def count_to_embed(self, model: str) -> int:
        has_vector = exists().where(
            and_(t.embeddings.c.item_id == t.items.c.id, t.embeddings.c.model == model)
        )
        with self._tx() as conn:
            query = (
                select(func.count()).select_from(t.items).where(~has_vector, t.items.c.duplicate_of.is_(None))
            )
            return int(conn.execute(query).scalar_one())

    def save_embeddings(self, model: str, vectors: Sequence[tuple[str, Vector]]) -> None:
        rows = [
            {
                "item_id": item_id,
                "model": model,
                "dim": int(vector.shape[0]),
                "vector": np.asarray(vector, dtype=np.float32).tobytes(),
            }
            for item_id, vector in vectors
        ]
        if rows:
            with self._tx() as conn:
                conn.execute(self._insert_ignore(t.embeddings), rows)

    def positions(self, model: str, ids: Sequence[str]) -> dict[str, Vector]:
        """Last known reduced-space positions of ``ids`` (fits made on ``model`` vectors)."""
        found: dict[str, Vector] = {}
        with self._tx() as conn:
            for start in range(0, len(ids), 5000):
                chunk = list(ids[start : start + 5000])
                rows = conn.execute(
                    select(t.item_positions.c.item_id, t.item_positions.c.position).where(
                        t.item_positions.c.model == model, t.item_positions.c.item_id.in_(chunk)
                    )
                ).all()
                found.update({row.item_id: np.frombuffer(row.position, dtype=np.float32) for row in rows})
        return found

    def save_positions(self, model: str, positions: dict[str, Vector]) -> None:
        """Replace the positions of these items (one transaction)."""
        ids = list(positions)
        with self._tx() as conn:
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                conn.execute(
                    delete(t.item_positions).where(
                        t.item_positions.c.model == model, t.item_positions.c.item_id.in_(chunk)
                    )
                )
                conn.execute(
                    insert(t.item_positions),
                    [
                        {
                            "item_id": i,
                            "model": model,
                            "position": np.asarray(positions[i], np.float32).tobytes(),
                        }
                        for i in chunk
                    ],
                )

    def vectors_by_model(self) -> dict[str, int]:
        with self._tx() as conn:
            rows = conn.execute(
                select(t.embeddings.c.model, func.count()).group_by(t.embeddings.c.model)
            ).all()
        return {row[0]: int(row[1]) for row in rows}

    def drop_vectors_except(self, model: str) -> int:
        """Delete vectors of other models, but only once every item has one from ``model``."""
        if self.count_to_embed(model):
            raise StoreError(f"some items have no vector from {model!r} yet; run `radar reembed` first")
        with self._tx() as conn:
            result = conn.execute(delete(t.embeddings).where(t.embeddings.c.model != model))
        return int(result.rowcount or 0)

    def window(self, model: str, start: datetime, end: datetime) -> Window:
        """Original items published in ``[start, end]`` that have an embedding from ``model`` (near-duplicates
        are left out: see :meth:`duplicate_sources` for where else each story appeared)."""
        query = (
            select(
                t.items.c.id,
                t.items.c.published_at,
                t.items.c.source,
                t.items.c.lang,
                t.items.c.title,
                t.items.c.text,
                t.embeddings.c.dim,
                t.embeddings.c.vector,
            )
            .join(t.embeddings, and_(t.embeddings.c.item_id == t.items.c.id, t.embeddings.c.model == model))
            .where(
                t.items.c.published_at >= start,
                t.items.c.published_at <= end,
                t.items.c.duplicate_of.is_(None),
            )
            .order_by(t.items.c.published_at, t.items.c.id)
        )
        with self._tx() as conn:
            rows = conn.execute(query).all()
        dim = rows[0].dim if rows else 0
        vectors = np.zeros((len(rows), dim), dtype=np.float32)
        for index, row in enumerate(rows):
            vectors[index] = np.frombuffer(row.vector, dtype=np.float32)
        return Window(
            ids=[row.id for row in rows],
            published=[row.published_at for row in rows],
            sources=[row.source for row in rows],
            langs=[row.lang for row in rows],
            contents=[item_content(row.title, row.text) for row in rows],
            vectors=vectors,
        )

    def duplicate_sources(self, ids: Sequence[str]) -> dict[str, set[str]]:
        """For each of ``ids`` that has near-duplicates, the sources of those duplicates (its own source
        not included; it is in the window). Ids without duplicates are absent."""
        found: dict[str, set[str]] = {}
        with self._tx() as conn:
            for start in range(0, len(ids), 5000):
                rows = conn.execute(
                    select(t.items.c.duplicate_of, t.items.c.source).where(
                        t.items.c.duplicate_of.in_(list(ids[start : start + 5000]))
                    )
                ).all()
                for row in rows:
                    found.setdefault(row.duplicate_of, set()).add(row.source)
        return found

    def latest_published(self) -> datetime | None:
        with self._tx() as conn:
            value: datetime | None = conn.execute(select(func.max(t.items.c.published_at))).scalar()
        return t.UTCDateTime().process_result_value(value, self.engine.dialect) if value else None

    # -- runs and topics -----------------------------------------------------------------------------

    def start_run(self, *, as_of: datetime, window_days: int, model: str, owner: str | None = None) -> int:
        """Record a run as ``running``; ``owner`` (``host:pid``) names the process computing it, kept in
        ``leases`` as ``run:<id>`` until the run ends, with :data:`RUN_LEASE` as its expiry."""
        started = _now()
        with self._tx() as conn:
            result = conn.execute(
                insert(t.runs).values(
                    started_at=started,
                    as_of=as_of,
                    status="running",
                    window_days=window_days,
                    model=model,
                    n_items=0,
                    n_topics=0,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            if owner:
                lease = {"name": f"run:{key[0]}", "holder": owner, "expires_at": started + RUN_LEASE}
                conn.execute(insert(t.leases).values(**lease))
        return int(key[0])

    def fail_run(self, run_id: int, error: str) -> bool:
        """Mark a running run failed with ``error``; False when it was not running (a run that ended stays
        as it ended)."""
        with self._tx() as conn:
            changed = conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id, t.runs.c.status == "running")
                .values(status="failed", finished_at=_now(), error=error[:2000])
            ).rowcount
            conn.execute(delete(t.leases).where(t.leases.c.name == f"run:{run_id}"))
        return bool(changed)

    def unfinished_runs(self) -> list[tuple[int, str | None, datetime]]:
        """Runs still ``running``: ``(id, owner, lease end)``; a run started without an owner has none, and
        its lease ends :data:`RUN_LEASE` after it started."""
        with self._tx() as conn:
            runs = conn.execute(
                select(t.runs.c.id, t.runs.c.started_at).where(t.runs.c.status == "running")
            ).all()
            names = [f"run:{row.id}" for row in runs]
            leases = {
                row.name: row
                for row in conn.execute(
                    select(t.leases.c.name, t.leases.c.holder, t.leases.c.expires_at).where(
                        t.leases.c.name.in_(names)
                    )
                )
            }
        found: list[tuple[int, str | None, datetime]] = []
        for row in runs:
            lease = leases.get(f"run:{row.id}")
            if lease is None:
                found.append((int(row.id), None, row.started_at + RUN_LEASE))
            else:
                found.append((int(row.id), str(lease.holder), lease.expires_at))
        return found

    def finish_run(self, run_id: int, result: AnalysisResult) -> None:
        """Persist a run's topics, membership, daily counts and snapshot in one transaction."""
        with self._tx() as conn:
            for topic in result.topics:
                self._upsert_topic(conn, run_id, topic)
            if result.assignments:
                conn.execute(
                    insert(t.topic_items),
                    [
                        {"run_id": run_id, "item_id": item, "topic_id": topic, "probability": prob}
                        for item, topic, prob in result.assignments
                    ],
                )
            daily = [
                {"run_id": run_id, "topic_id": topic.id, "day": day, "items": count}
                for topic in result.topics
                for day, count in sorted(topic.daily.items())
            ]
            if daily:
                conn.execute(insert(t.topic_daily), daily)
            if result.topics:
                conn.execute(
                    insert(t.topic_states),
                    [
                        {
                            "run_id": run_id,
                            "topic_id": topic.id,
                            "state": topic.state,
                            "previous_state": topic.previous_state,
                            "score": topic.score,
                            "evidence": topic.evidence,
                        }
                        for topic in result.topics
                    ],
                )
            if result.lineage:
                conn.execute(
                    insert(t.topic_lineage),
                    [
                        {"run_id": run_id, "topic_id": topic, "relation": relation, "other_id": other}
                        for topic, relation, other in result.lineage
                    ],
                )
            if result.theme_members:
                conn.execute(
                    insert(t.theme_items),
                    [
                        {"run_id": run_id, "theme_id": theme, "item_id": item}
                        for item, theme in result.theme_members
                    ],
                )
            conn.execute(insert(t.snapshots).values(run_id=run_id, kind="topics", payload=result.snapshot))
            conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id)
                .values(
                    status="done", finished_at=_now(), n_items=result.n_items, n_topics=len(result.topics)
                )
            )
            conn.execute(delete(t.leases).where(t.leases.c.name == f"run:{run_id}"))

    def _upsert_topic(self, conn: Connection, run_id: int, topic: TopicRecord) -> None:
        values = {
            "label": topic.label,
            "keywords": list(topic.keywords),
            "size": topic.size,
            "last_seen": topic.last_seen,
            "growth": topic.growth,
            "centroid": np.asarray(topic.centroid, dtype=np.float32).tobytes(),
            "updated_run": run_id,
            "kind": topic.kind,
            "state": topic.state,
            "score": topic.score,
            "peak_weekly": topic.peak_weekly,
        }
        found = conn.execute(select(t.topics.c.first_seen).where(t.topics.c.id == topic.id)).first()
        if found is None:
            conn.execute(
                insert(t.topics).values(
                    id=topic.id, first_seen=topic.first_seen, created_run=run_id, **values
                )
            )
        else:
            first_seen = min(found.first_seen, topic.first_seen)
            conn.execute(
                update(t.topics).where(t.topics.c.id == topic.id).values(first_seen=first_seen, **values)
            )

    def latest_run(self, status: str = "done") -> RunInfo | None:
        with self._tx() as conn:
            row = (
                conn.execute(
                    select(t.runs).where(t.runs.c.status == status).order_by(t.runs.c.id.desc()).limit(1)
                )
                .mappings()
                .first()
            )
        return RunInfo(**dict(row)) if row else None

    def tracked_topics(self, since: date) -> list[dict[str, Any]]:
        """Every tracked topic with its centroid and its daily counts since ``since`` (latest run wins)."""
        with self._tx() as conn:
            rows = conn.execute(select(t.topics).where(t.topics.c.centroid.is_not(None))).mappings().all()
            daily = conn.execute(
                select(t.topic_daily.c.topic_id, t.topic_daily.c.day, t.topic_daily.c["items"])
                .where(t.topic_daily.c.day >= since)
                .order_by(t.topic_daily.c.run_id)
            ).all()
        history: dict[str, dict[date, int]] = {}
        for row in daily:
            history.setdefault(row.topic_id, {})[row.day] = row._mapping["items"]
        return [
            {
                **dict(row),
                "centroid": np.frombuffer(row["centroid"], dtype=np.float32).copy(),
                "history": history.get(row["id"], {}),
            }
            for row in rows
        ]

    def total_daily(self, start: datetime, end: datetime) -> dict[date, int]:
        """Items published per UTC day in ``[start, end]`` (all sources)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(t.items.c.published_at).where(
                    t.items.c.published_at >= start, t.items.c.published_at <= end
                )
            ).all()
        counts: dict[date, int] = {}
        for row in rows:
            day = row.published_at.astimezone(UTC).date()
            counts[day] = counts.get(day, 0) + 1
        return counts

    def topics(self, run_id: int | None = None) -> list[Topic]:
        """Topics of run ``run_id`` (default: the latest finished run): emerging, weak, spike, mainstream,
        fading, noise, and by growth within each state."""
        if run_id is None:
            latest = self.latest_run()
            if latest is None:
                return []
            run_id = latest.id
        with self._tx() as conn:
            members = union_all(
                select(t.topic_items.c.topic_id.label("topic_id")).where(t.topic_items.c.run_id == run_id),
                select(t.theme_items.c.theme_id.label("topic_id")).where(t.theme_items.c.run_id == run_id),
            ).subquery()
            sizes = (
                select(members.c.topic_id, func.count().label("run_size"))
                .group_by(members.c.topic_id)
                .subquery()
            )
            rows = (
                conn.execute(
                    select(
                        t.topics, sizes.c.run_size, t.topic_states.c.evidence, t.topic_states.c.previous_state
                    )
                    .join(sizes, sizes.c.topic_id == t.topics.c.id)
                    .join(
                        t.topic_states,
                        and_(t.topic_states.c.topic_id == t.topics.c.id, t.topic_states.c.run_id == run_id),
                        isouter=True,
                    )
                )
                .mappings()
                .all()
            )
            daily_rows = conn.execute(
                select(t.topic_daily.c.topic_id, t.topic_daily.c.day, t.topic_daily.c["items"]).where(
                    t.topic_daily.c.run_id == run_id
                )
            ).all()
        daily: dict[str, dict[str, int]] = {}
        for row in daily_rows:
            daily.setdefault(row.topic_id, {})[row.day.isoformat()] = row._mapping["items"]
        topics = [
            Topic(
                id=row["id"],
                label=row["label"],
                keywords=list(row["keywords"]),
                size=int(row["run_size"]),
                first_seen=row["first_seen"],
                last_seen=row["last_seen"],
                growth=float(row["growth"]),
                daily_counts=dict(sorted(daily.get(row["id"], {}).items())),
                run_id=run_id,
                kind=row["kind"],
                state=row["state"],
                previous_state=row["previous_state"],
                score=float(row["score"]),
                evidence=dict(row["evidence"] or {}),
            )
            for row in rows
        ]
        return sorted(topics, key=lambda topic: (STATE_ORDER.get(topic.state, 9), -topic.growth, topic.id))

    def snapshot(self, run_id: int, kind: str = "topics") -> dict[str, Any] | None:
        with self._tx() as conn:
            payload = conn.execute(
                select(t.snapshots.c.payload).where(
                    t.snapshots.c.run_id == run_id, t.snapshots.c.kind == kind
                )
            ).scalar()
        return dict(payload) if payload is not None else None

    # -- brand values ------------------------------------------------------------------------------

    def run_members(self, run_id: int, model: str) -> list[MemberRow]:
        """Every item of run ``run_id`` (clusters and watch themes) that has a ``model`` vector, with its
        title and source, by topic then item id: what placement compares with a profile's values."""
        clusters, themes = t.topic_items.c, t.theme_items.c
        members = union_all(
            select(clusters.topic_id.label("topic_id"), clusters.item_id).where(clusters.run_id == run_id),
            select(themes.theme_id.label("topic_id"), themes.item_id).where(themes.run_id == run_id),
        ).subquery()
        query = (
            select(
                members.c.topic_id,
                t.items.c.id,
                t.items.c.title,
                t.items.c.source,
                t.items.c.lang,
                t.embeddings.c.vector,
            )
            .join(t.items, t.items.c.id == members.c.item_id)
            .join(t.embeddings, and_(t.embeddings.c.item_id == t.items.c.id, t.embeddings.c.model == model))
            .order_by(members.c.topic_id, t.items.c.id)
        )
        with self._tx() as conn:
            rows = conn.execute(query).all()
        return [
            MemberRow(
                row.topic_id,
                row.id,
                row.title,
                row.source,
                row.lang,
                np.frombuffer(row.vector, dtype=np.float32),
            )
            for row in rows
        ]

    def source_items(
        self, model: str, sources: Sequence[str], start: datetime, end: datetime
    ) -> list[MemberRow]:
        """Items of ``sources`` published in ``[start, end]`` with a ``model`` vector (near-duplicates
        included: a brand's post syndicated elsewhere first is still the brand's output). ``topic_id`` is
        empty."""
        if not sources:
            return []
        query = (
            select(t.items.c.id, t.items.c.title, t.items.c.source, t.items.c.lang, t.embeddings.c.vector)
            .join(t.embeddings, and_(t.embeddings.c.item_id == t.items.c.id, t.embeddings.c.model == model))
            .where(
                t.items.c.source.in_(list(sources)),
                t.items.c.published_at >= start,
                t.items.c.published_at <= end,
            )
            .order_by(t.items.c.published_at, t.items.c.id)
        )
        with self._tx() as conn:
            rows = conn.execute(query).all()
        return [
            MemberRow(
                "", row.id, row.title, row.source, row.lang, np.frombuffer(row.vector, dtype=np.float32)
            )
            for row in rows
        ]

    def save_value_views(
        self,
        run_id: int,
        profile: str,
        snapshot: dict[str, Any],
        deltas: dict[str, Any],
        previous_run_id: int | None,
    ) -> None:
        """Store a profile's snapshot and deltas for ``run_id`` together, replacing any earlier pair."""
        now = _now()
        with self._tx() as conn:
            for table in (t.value_snapshots, t.value_deltas):
                conn.execute(delete(table).where(table.c.run_id == run_id, table.c.profile == profile))
            keys = {"run_id": run_id, "profile": profile, "created_at": now}
            conn.execute(insert(t.value_snapshots).values(**keys, payload=snapshot))
            conn.execute(
                insert(t.value_deltas).values(**keys, previous_run_id=previous_run_id, payload=deltas)
            )

    def value_snapshot(
        self, profile: str, run_id: int | None = None, *, before: int | None = None
    ) -> dict[str, Any] | None:
        """A profile's snapshot of ``run_id``, or its latest one (strictly before run ``before`` if given)."""
        return self._value_view(t.value_snapshots, profile, run_id, before)

    def value_deltas(self, profile: str, run_id: int | None = None) -> dict[str, Any] | None:
        """A profile's deltas computed at run ``run_id``, or its latest ones."""
        return self._value_view(t.value_deltas, profile, run_id, None)

    def _value_view(
        self, table: Any, profile: str, run_id: int | None, before: int | None
    ) -> dict[str, Any] | None:
        query = select(table.c.payload).where(table.c.profile == profile)
        if run_id is not None:
            query = query.where(table.c.run_id == run_id)
        if before is not None:
            query = query.where(table.c.run_id < before)
        with self._tx() as conn:
            payload = conn.execute(query.order_by(table.c.run_id.desc()).limit(1)).scalar()
        return dict(payload) if payload is not None else None

    # -- maintenance ---------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._tx() as conn:
            counts: dict[str, Any] = {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
                for name, table in (
                    ("items", t.items),
                    ("sources", t.sources),
                    ("embeddings", t.embeddings),
                    ("runs", t.runs),
                )
            }
            latest = conn.execute(
                select(t.runs.c.id, t.runs.c.n_topics)
                .where(t.runs.c.status == "done")
                .order_by(t.runs.c.id.desc())
                .limit(1)
            ).first()
            counts["topics_tracked"] = int(
                conn.execute(select(func.count()).select_from(t.topics)).scalar_one()
            )
        counts["topics"] = int(latest.n_topics) if latest else 0
        counts["latest_run"] = int(latest.id) if latest else None
        counts["backend"] = self.backend
        return counts

    def delete_everything(self) -> None:
        """Empty every table (tests and ``radar demo`` only)."""
        self._near.drop()
        with self._tx() as conn:
            for table in reversed(t.metadata.sorted_tables):
                conn.execute(delete(table))
