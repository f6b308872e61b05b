"""The analysis step: identities kept, lineage recorded, watch themes tracked (pure, no model)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np

from radar.analysis.step import Theme, analyse_step
from radar.analysis.topic_model import Clusters
from radar.signals import SignalParams
from radar.store.records import Window

AS_OF = datetime(2026, 6, 30, 23, 59, tzinfo=UTC)
AXES = np.eye(4, dtype=np.float32)


def _window(groups: list[tuple[int, int, str]]) -> tuple[Window, Clusters]:
    """groups: (axis, count, text); each group is one cluster of items along one axis, one a day."""
    ids, published, sources, contents, vectors, labels = [], [], [], [], [], []
    for label, (axis, count, text) in enumerate(groups):
        for n in range(count):
            ids.append(f"{axis}-{label}-{n}")
            published.append(AS_OF - timedelta(days=n % 30))
            sources.append(f"src{n % 3}")
            contents.append(f"{text} {n}")
            noise = np.random.default_rng(n).normal(0, 0.02, 4).astype(np.float32)
            vectors.append(AXES[axis] + noise)
            labels.append(label)
    matrix = np.vstack(vectors)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    window = Window(ids, published, sources, [None] * len(ids), contents, matrix)
    keywords = {label: [text.split()[0], "more"] for label, (_, _, text) in enumerate(groups)}
    return window, Clusters(labels, keywords, [None] * len(ids))


def test_ids_survive_a_refit_with_other_cluster_numbers() -> None:
    first, clusters = _window([(0, 10, "bikes"), (1, 10, "ovens")])
    out1 = analyse_step(first, clusters, as_of=AS_OF, id_prefix="r1", tracked={}, params=SignalParams())
    ids = {t.tracked.label: t.tracked.id for t in out1.topics}
    # Next week BERTopic numbers the same themes the other way round: the ids follow the content.
    second, clusters2 = _window([(1, 12, "ovens"), (0, 11, "bikes")])
    out2 = analyse_step(
        second,
        clusters2,
        as_of=AS_OF + timedelta(days=7),
        id_prefix="r2",
        tracked=out1.tracked,
        params=SignalParams(),
    )
    assert {t.tracked.label: t.tracked.id for t in out2.topics} == ids
    assert all(t.previous_state is not None for t in out2.topics)
    assert out2.lineage == []


def test_merge_and_split_are_recorded() -> None:
    first, clusters = _window([(0, 10, "bikes"), (1, 10, "ovens")])
    out1 = analyse_step(first, clusters, as_of=AS_OF, id_prefix="r1", tracked={}, params=SignalParams())
    bikes = next(t.tracked.id for t in out1.topics if t.tracked.label.startswith("Bikes"))
    ovens = next(t.tracked.id for t in out1.topics if t.tracked.label.startswith("Ovens"))
    # Both themes collapse into one cluster halfway between them: one keeps its id, the other merged into it.
    merged_vectors = np.vstack([first.vectors[:10] + first.vectors[10:]])
    merged_vectors /= np.linalg.norm(merged_vectors, axis=1, keepdims=True)
    merged = Window(
        first.ids[:10],
        first.published[:10],
        first.sources[:10],
        [None] * 10,
        first.contents[:10],
        merged_vectors.astype(np.float32),
    )
    out2 = analyse_step(
        merged,
        Clusters([0] * 10, {0: ["both"]}, [None] * 10),
        as_of=AS_OF + timedelta(days=7),
        id_prefix="r2",
        tracked=out1.tracked,
        params=SignalParams(),
        match_threshold=0.7,
    )
    kept = out2.topics[0].tracked.id
    assert kept in {bikes, ovens}
    other = ovens if kept == bikes else bikes
    assert (other, "merged_into", kept) in out2.lineage


def test_split_from_is_recorded() -> None:
    first, clusters = _window([(0, 10, "bikes")])
    out1 = analyse_step(first, clusters, as_of=AS_OF, id_prefix="r1", tracked={}, params=SignalParams())
    parent = out1.topics[0].tracked.id
    # The theme splits: one part stays on the axis, the other drifts to 0.6 cosine.
    drift = (AXES[0] * 0.6 + AXES[2] * 0.8).astype(np.float32)
    vectors = np.vstack([first.vectors, np.tile(drift, (10, 1))])
    window = Window(
        first.ids + [f"d{n}" for n in range(10)],
        first.published * 2,
        first.sources * 2,
        [None] * 20,
        first.contents * 2,
        vectors,
    )
    out2 = analyse_step(
        window,
        Clusters([0] * 10 + [1] * 10, {0: ["bikes"], 1: ["ebikes"]}, [None] * 20),
        as_of=AS_OF + timedelta(days=7),
        id_prefix="r2",
        tracked=out1.tracked,
        params=SignalParams(),
    )
    child = next(t.tracked.id for t in out2.topics if t.tracked.id != parent)
    assert (child, "split_from", parent) in out2.lineage


def test_watch_theme_tracks_items_too_few_for_a_cluster() -> None:
    window, clusters = _window([(0, 10, "bikes"), (3, 2, "repair café")])
    clusters = Clusters(
        [c if c == 0 else -1 for c in clusters.labels], clusters.keywords, clusters.probabilities
    )
    theme = Theme(id="w-repair", name="Repair", keywords=("repair café",), vector=AXES[3], threshold=0.9)
    out = analyse_step(
        window, clusters, as_of=AS_OF, id_prefix="r1", tracked={}, params=SignalParams(), themes=[theme]
    )
    tracked_theme = next(t for t in out.topics if t.tracked.id == "w-repair")
    assert tracked_theme.size == 2 and tracked_theme.tracked.kind == "theme"
    assert tracked_theme.classification.state in {
        "noise",
        "weak",
        "emerging",
        "mainstream",
        "fading",
        "spike",
    }
    assert {item for item, _ in out.theme_members} == {"3-1-0", "3-1-1"}
    assert date(2026, 6, 30) in tracked_theme.daily


def test_sources_of_near_duplicates_count_for_spread() -> None:
    from dataclasses import replace

    window, clusters = _window([(0, 9, "bikes")])  # three sources: src0, src1, src2
    plain = analyse_step(window, clusters, as_of=AS_OF, id_prefix="r", tracked={}, params=SignalParams())
    # Two stories of the recent span were also carried, as near-copies, by two other outlets.
    copied = replace(window, also_sources={0: frozenset({"wire"}), 1: frozenset({"daily", "wire"})})
    more = analyse_step(copied, clusters, as_of=AS_OF, id_prefix="r", tracked={}, params=SignalParams())
    before = plain.topics[0].measures.sources_recent
    assert more.topics[0].measures.sources_recent == before + 2
    assert more.topics[0].size == plain.topics[0].size  # copies add reach, not items
