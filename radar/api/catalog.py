"""The topic list, detail placement and semantic search, over one analysis run at a time.

A finished run never changes, so its topic index (one compact row per topic, from the store) and its
centroids are kept in memory by run id: listing, filtering and sorting then cost a few milliseconds
whatever the number of stored items. Brand-value placement (sector, stance, alignment, momentum) is
read from the radar snapshot through the facade, never recomputed here.

Cursors pin the run they started on, so paging through a list is stable while new runs land.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import orjson

from radar.api.problems import ApiProblem
from radar.core import Radar
from radar.embed_queue import limit_threads
from radar.embedding import SentenceTransformerEmbedder
from radar.errors import ConfigError
from radar.store.records import Vector
from radar.store.sql import STATE_ORDER
from radar.values.snapshot import alignment_of

RUNS_KEPT = 4
SORTS = ("rank", "momentum", "size", "novelty", "first_seen")


@dataclass(frozen=True, slots=True)
class SnapshotView:
    """A radar snapshot with its JSON bytes, ETag and placements, made once per version of the bytes."""

    body: dict[str, Any]
    data: bytes
    etag: str
    placed: dict[str, dict[str, Any]]
    # Compressed once, not per request: a snapshot of thousands of topics is over a megabyte.
    gzipped: bytes


def etag_of(data: bytes) -> str:
    """A strong ETag: the bytes' hash (sha256 of a 1.4 MB snapshot is under 1 ms)."""
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def snapshot_view(body: dict[str, Any]) -> SnapshotView:
    return view_of_bytes(orjson.dumps(body, default=str), body)


def view_of_bytes(data: bytes, body: dict[str, Any] | None = None) -> SnapshotView:
    """The view of JSON bytes as served (decoded here when ``body`` is not given)."""
    body = orjson.loads(data) if body is None else body
    return SnapshotView(
        body, data, etag_of(data), placements(body), gzip.compress(data, compresslevel=6, mtime=0)
    )


@dataclass(frozen=True, slots=True)
class TopicFilter:
    states: tuple[str, ...] = ()
    value: str | None = None
    stance: str | None = None
    source_kind: str | None = None
    lang: str | None = None
    since: date | None = None
    until: date | None = None
    q: str | None = None

    @property
    def needs_placement(self) -> bool:
        return self.value is not None or self.stance is not None


def placements(snapshot: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each topic's placement in a radar snapshot, by topic id."""
    found: dict[str, dict[str, Any]] = {}
    for topic in snapshot.get("topics") or []:
        topic_id = topic.get("id") or topic.get("topic_id")
        if topic_id is not None:
            found[str(topic_id)] = {
                "profile": snapshot.get("profile"),
                "sector": topic.get("sector"),
                "stance": topic.get("stance"),
                "alignment": alignment_of(snapshot, topic),
                "momentum": topic.get("momentum"),
            }
    return found


def matches(row: dict[str, Any], where: TopicFilter, placed: dict[str, dict[str, Any]]) -> bool:
    """Whether a topic-index row passes every filter (a pure function of the row and placements)."""
    if where.states and row["state"] not in where.states:
        return False
    if where.source_kind is not None and where.source_kind not in row["source_kinds"]:
        return False
    if where.lang is not None and where.lang not in row["langs"]:
        return False
    # A date range keeps topics active at some point inside it.
    if where.since is not None and row["last_seen"] < where.since:
        return False
    if where.until is not None and row["first_seen"] > where.until:
        return False
    if where.q:
        needle = where.q.casefold()
        haystack = " ".join([row["label"], *row["keywords"]]).casefold()
        if not all(word in haystack for word in needle.split()):
            return False
    if where.needs_placement:
        place = placed.get(row["id"])
        if place is None:
            return False
        if where.value is not None and place.get("sector") != where.value:
            return False
        if where.stance is not None and place.get("stance") != where.stance:
            return False
    return True


def sort_key(sort: str, descending: bool) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A key giving the requested order when sorted ascending: ``(missing, value, id)``; topics with
    no value for the sort (no novelty measured, no placement) come last either way."""

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        if sort == "rank":
            return (0, STATE_ORDER.get(row["state"], 9) * 1e9 - row["growth"], row["id"])
        value = row.get(sort)
        if value is None:
            return (1, 0.0, row["id"])
        number = float(value.toordinal()) if isinstance(value, date) else float(value)
        return (0, -number if descending else number, row["id"])

    return key


def encode_cursor(run_id: int, sort: str, descending: bool, last: tuple[Any, ...]) -> str:
    raw = json.dumps({"r": run_id, "s": sort, "d": descending, "k": list(last)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, descending: bool) -> tuple[int, tuple[Any, ...]]:
    """The run and last key a cursor carries; 422 if it is not one of ours or another sort's."""
    bad = ApiProblem(422, "invalid cursor: pass back the next_cursor of a previous page unchanged")
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        run_id, key = int(raw["r"]), tuple(raw["k"])
        same_order = raw["s"] == sort and bool(raw["d"]) == descending
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise bad from exc
    if not same_order:
        raise ApiProblem(422, "this cursor belongs to another sort order; start again without a cursor")
    if len(key) != 3 or not isinstance(key[2], str) or not all(isinstance(v, int | float) for v in key[:2]):
        raise bad
    return run_id, key


class Catalog:
    """Per-run topic index and centroids, memoised (finished runs are immutable)."""

    def __init__(self, radar: Radar) -> None:
        self.radar = radar
        self._lock = threading.Lock()
        self._index: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self._centroids: OrderedDict[int, tuple[list[str], Vector]] = OrderedDict()
        self._snapshots: dict[str | None, SnapshotView] = {}

    def latest_run_id(self) -> int | None:
        run = self.radar.store.latest_run()
        return run.id if run else None

    def _memo(self, memo: OrderedDict[int, Any], run_id: int, load: Callable[[int], Any]) -> Any:
        with self._lock:
            if run_id in memo:
                memo.move_to_end(run_id)
                return memo[run_id]
        value = load(run_id)
        with self._lock:
            memo[run_id] = value
            while len(memo) > RUNS_KEPT:
                memo.popitem(last=False)
        return value

    def index(self, run_id: int) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self._memo(self._index, run_id, self.radar.store.topic_index)
        return rows

    def snapshot(self, profile: str | None) -> SnapshotView:
        """The radar snapshot of ``profile``: the facade's cached JSON bytes, as they are.

        A request costs one cache read and a hash of the bytes (the ETag). Decoding the snapshot (for
        the placements of the topic list) and compressing it are done once per version of the bytes:
        the view is kept while the cache serves the same bytes, so a new run, or a rebuild after a
        flush, is picked up on the next request. Raises ConfigError for an unknown profile.
        """
        data = self.radar.snapshot_json(profile)
        etag = etag_of(data)
        with self._lock:
            view = self._snapshots.get(profile)
        if view is not None and view.etag == etag:
            return view
        view = view_of_bytes(data)
        with self._lock:
            self._snapshots[profile] = view
        return view

    def placed(self, profile: str | None, required: bool) -> dict[str, dict[str, Any]]:
        """Placements from the radar snapshot of ``profile``. An unknown profile is a 404 when the
        request depends on it, and otherwise just means no placement is shown."""
        try:
            return self.snapshot(profile).placed
        except ConfigError as exc:
            if required or profile is not None:
                raise ApiProblem(404, f"no radar for profile {profile!r}: {exc.message}") from exc
            return {}

    def page(
        self,
        where: TopicFilter,
        *,
        sort: str,
        descending: bool,
        limit: int,
        cursor: str | None,
        profile: str | None,
    ) -> dict[str, Any]:
        after: tuple[Any, ...] | None = None
        if cursor:
            run_id: int | None
            run_id, after = decode_cursor(cursor, sort, descending)
        else:
            run_id = self.latest_run_id()
        if run_id is None:
            return {"run_id": None, "count": 0, "next_cursor": None, "topics": []}
        placed = self.placed(profile, required=where.needs_placement or sort == "momentum")
        rows = [
            {**row, **_placement_fields(placed.get(row["id"]))}
            for row in self.index(run_id)
            if matches(row, where, placed)
        ]
        key = sort_key(sort, descending)
        rows.sort(key=key)
        if after is not None:
            rows = [row for row in rows if key(row) > after]
        chosen = rows[:limit]
        more = len(rows) > limit
        return {
            "run_id": run_id,
            "count": len(chosen),
            "next_cursor": encode_cursor(run_id, sort, descending, key(chosen[-1])) if more else None,
            "topics": chosen,
        }

    # -- semantic search -----------------------------------------------------------------------------

    def centroids(self, run_id: int) -> tuple[list[str], Vector]:
        found: tuple[list[str], Vector] = self._memo(
            self._centroids, run_id, self.radar.store.topic_centroids
        )
        return found

    def search(self, text: str, topics: int, items: int) -> dict[str, Any]:
        """The topics whose centroids are nearest to ``text``, and the nearest items among the members
        of the best few topics (items outside every topic are not indexed for search)."""
        run_id = self.latest_run_id()
        if run_id is None:
            return {"run_id": None, "topics": [], "items": []}
        ids, matrix = self.centroids(run_id)
        if not ids:
            return {"run_id": run_id, "topics": [], "items": []}
        if isinstance(self.radar.embedder, SentenceTransformerEmbedder):
            # One torch thread per query: a search embeds a handful of tokens, for which a thread pool costs
            # more than it gives, and concurrent searches (or `radar serve --workers`) then fight over every
            # core, their idle threads spinning. On our 2 cores under load, one query took 10 ms with one
            # thread against 53 ms with two, and the load test's server CPU per request fell from 5.7 to
            # 5.0 ms (tests/reliability/test_load.py).
            limit_threads(1)
        query = np.asarray(self.radar.embedder.embed([text])[0], dtype=np.float32)
        if query.shape[0] != matrix.shape[1]:
            raise ApiProblem(
                503,
                f"the topics were analysed with {matrix.shape[1]}-dimension vectors but the configured "
                f"model {self.radar.embedder.name!r} gives {query.shape[0]}; run an analysis first",
            )
        similarity = matrix @ query
        best = np.argsort(-similarity)[:topics]
        by_id = {row["id"]: row for row in self.index(run_id)}
        found_topics = [
            {**_topic_brief(by_id.get(ids[i]), ids[i]), "similarity": round(float(similarity[i]), 4)}
            for i in best
        ]
        members, vectors = self.radar.store.member_vectors(
            [ids[i] for i in best[:5]], run_id, self.radar.embedder.name
        )
        found_items: list[dict[str, Any]] = []
        if members and vectors.shape[1] == query.shape[0]:
            scores = vectors @ query
            for i in np.argsort(-scores)[:items]:
                found_items.append({**members[i], "similarity": round(float(scores[i]), 4)})
        return {"run_id": run_id, "topics": found_topics, "items": found_items}


def _placement_fields(place: dict[str, Any] | None) -> dict[str, Any]:
    place = place or {}
    return {"sector": place.get("sector"), "stance": place.get("stance"), "momentum": place.get("momentum")}


def _topic_brief(row: dict[str, Any] | None, topic_id: str) -> dict[str, Any]:
    if row is None:
        return {"id": topic_id, "label": topic_id, "keywords": [], "state": "noise", "size": 0}
    return {key: row[key] for key in ("id", "label", "keywords", "state", "size")}


def flatten(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Topic rows for an export: one scalar per column (keywords, languages and sources joined)."""
    return [
        {
            "id": row["id"],
            "label": row["label"],
            "keywords": "; ".join(row["keywords"]),
            "state": row["state"],
            "previous_state": row["previous_state"],
            "score": row["score"],
            "size": row["size"],
            "growth": row["growth"],
            "novelty": row["novelty"],
            "first_seen": row["first_seen"],
            "last_seen": row["last_seen"],
            "source_kinds": "; ".join(row["source_kinds"]),
            "langs": "; ".join(row["langs"]),
            "sector": row.get("sector"),
            "stance": row.get("stance"),
            "momentum": row.get("momentum"),
        }
        for row in rows
    ]
