"""The brand-values views of one analysis run: read the run from the store, place its topics for each
profile, compare with the profile's previous snapshot, and store both.

The I/O edge of :mod:`radar.values`; what it computes is in the pure modules (placement, say-do, snapshot,
deltas). The profile's anchors and the neutral references are embedded once per profile per run.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any, NamedTuple

import numpy as np

from radar.domain import Topic
from radar.embedding import Embedder
from radar.settings import BrandProfile, RadarConfig
from radar.store import RunInfo, SqlStore
from radar.store.records import MemberRow
from radar.values.deltas import compute_deltas
from radar.values.placement import (
    ProfileSpace,
    TopicInput,
    build_space,
    momentum_of,
    place_topics,
    score_items,
)
from radar.values.saydo import SectorTopic, say_do
from radar.values.snapshot import build_evidence, build_snapshot, stored_form

log = logging.getLogger(__name__)

OWN_ITEM_MIN = 0.0


def topic_inputs(topics: Sequence[Topic], members: Sequence[MemberRow]) -> list[TopicInput]:
    """Join a run's topics with their members' vectors; topics without a vector are left out."""
    by_topic = {topic_id: list(rows) for topic_id, rows in groupby(members, key=lambda row: row.topic_id)}
    inputs = []
    for topic in topics:
        rows = by_topic.get(topic.id)
        if not rows:
            continue
        measures = topic.evidence.get("measures") or {}
        # The growth measured in this run (the topics table keeps the latest run's).
        growth = float(measures.get("growth", topic.growth))
        inputs.append(
            TopicInput(
                id=topic.id,
                label=topic.label,
                state=topic.state,
                momentum=momentum_of(growth),
                size=topic.size,
                keywords=tuple(topic.keywords),
                lang=Counter(row.lang for row in rows).most_common(1)[0][0],
                member_ids=tuple(row.item_id for row in rows),
                member_titles=tuple(row.title for row in rows),
                vectors=np.stack([row.vector for row in rows]),
            )
        )
    return inputs


def culture_items(members: Sequence[MemberRow], owned: Sequence[str]) -> dict[str, int]:
    """Per topic, its items from sources the brand does not own."""
    mine = set(owned)
    return dict(Counter(row.topic_id for row in members if row.source not in mine))


def own_output(space: ProfileSpace, own: Sequence[MemberRow]) -> dict[str, int]:
    """How many of the brand's own items have each value as their closest (scoring above 0: see saydo)."""
    if not own:
        return {}
    scores = score_items(space, np.stack([row.vector for row in own]), [row.lang for row in own])
    value_idx = space.indices("value")
    values = scores[:, value_idx]
    best = values.argmax(axis=1)
    counts: Counter[str] = Counter()
    for row, column in enumerate(best):
        if values[row, column] > OWN_ITEM_MIN:
            counts[space.anchors[value_idx[column]].name] += 1
    return dict(counts)


def snapshot_for(
    profile: BrandProfile,
    space: ProfileSpace,
    run_id: int,
    as_of: datetime,
    inputs: Sequence[TopicInput],
    own: Sequence[MemberRow],
    owned_sources: Sequence[str],
    culture: dict[str, int],
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The snapshot of one profile for one run and its per-topic evidence (pure, given the embedded space)."""
    placements = place_topics(space, inputs)
    sector_topics = [
        SectorTopic(
            sector=placed.sector,
            stance=placed.stance,
            momentum=topic.momentum,
            culture_items=culture.get(topic.id, 0),
        )
        for topic, placed in zip(inputs, placements, strict=True)
    ]
    weights = {value.name: value.weight for value in profile.values}
    gap = {
        "own_sources": list(owned_sources),
        "own_items": len(own),
        "values": say_do(weights, own_output(space, own), len(own), sector_topics),
    }
    return build_snapshot(profile, run_id, as_of, inputs, placements, gap), build_evidence(placements)


class ValueViews(NamedTuple):
    """One profile's views of one run: the snapshot, the deltas, and the evidence kept apart."""

    snapshot: dict[str, Any]
    deltas: dict[str, Any]
    evidence: dict[str, dict[str, Any]]


def compute_views(
    store: SqlStore,
    config: RadarConfig,
    embedder: Embedder,
    run: RunInfo,
    profiles: Sequence[BrandProfile] | None = None,
) -> dict[str, ValueViews]:
    """Snapshot and deltas of ``run`` for each profile (all configured by default), stored before return."""
    profiles = config.profiles if profiles is None else profiles
    if not profiles:
        return {}
    members = store.run_members(run.id, embedder.name)
    inputs = topic_inputs(store.topics(run.id), members)
    owned = [source.name for source in config.sources if source.owned]
    own = store.source_items(embedder.name, owned, run.as_of - timedelta(days=run.window_days), run.as_of)
    culture = culture_items(members, owned)
    views = {}
    for profile in profiles:
        space = build_space(profile, embedder.embed)
        snapshot, evidence = snapshot_for(profile, space, run.id, run.as_of, inputs, own, owned, culture)
        previous = store.value_snapshot(profile.name, before=run.id)
        deltas = compute_deltas(previous, snapshot)
        store.save_value_views(
            run.id,
            profile.name,
            stored_form(snapshot, evidence),
            deltas,
            previous["run_id"] if previous else None,
        )
        log.info(
            "run %s, profile %s: %s opportunities, %s risks",
            run.id,
            profile.name,
            snapshot["counts"]["opportunity"],
            snapshot["counts"]["risk"],
        )
        views[profile.name] = ValueViews(snapshot, deltas, evidence)
    return views
