"""fit_clusters with the real BERTopic, UMAP and HDBSCAN on synthetic embeddings (no text model needed)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from radar.analysis.topic_model import fit_clusters

DIM = 384


def _unit(vectors: np.ndarray) -> np.ndarray:
    out: np.ndarray = vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)
    return out


@pytest.fixture(scope="module")
def four_themes_and_a_newcomer() -> tuple[list[str], np.ndarray, list[bool]]:
    """Four steady themes of 150 items (a third of each recent), and 12 recent items close to theme a:
    close enough that HDBSCAN's usual selection folds them into theme a."""
    rng = np.random.default_rng(3)
    centres = _unit(rng.normal(size=(4, DIM)))
    newcomer = _unit(centres[0] + 0.3 * _unit(rng.normal(size=DIM)))
    vectors, docs, recent = [], [], []
    for k, name in enumerate("abcd"):
        for i in range(150):
            vectors.append(_unit(centres[k] + rng.normal(scale=0.03, size=DIM)))
            docs.append(f"theme{name} common words item")
            recent.append(i % 3 == 0)
    for _ in range(12):
        vectors.append(_unit(newcomer + rng.normal(scale=0.03, size=DIM)))
        docs.append("repair cafe fixers mend")
        recent.append(True)
    return docs, np.asarray(vectors, dtype=np.float32), recent


def test_each_topic_keeps_its_distinctive_words(
    four_themes_and_a_newcomer: tuple[list[str], np.ndarray, list[bool]],
) -> None:
    # BERTopic fits the vectorizer on one document per topic: a min_df of 2 used to drop every word that
    # only one topic uses, which are exactly the words that name it.
    docs, vectors, _recent = four_themes_and_a_newcomer
    clusters = fit_clusters(docs, vectors, 5)
    labels = np.asarray(clusters.labels)
    for name, start in zip("abcd", range(0, 600, 150), strict=True):
        label = Counter(labels[start : start + 150].tolist()).most_common(1)[0][0]
        assert label != -1
        assert f"theme{name}" in clusters.keywords[label]


def test_a_recent_group_folded_into_a_theme_becomes_its_own_topic(
    four_themes_and_a_newcomer: tuple[list[str], np.ndarray, list[bool]],
) -> None:
    docs, vectors, recent = four_themes_and_a_newcomer
    plain = np.asarray(fit_clusters(docs, vectors, 5).labels)
    # Without knowing what is recent, the newcomers sit inside theme a.
    assert set(plain[600:].tolist()) == {plain[0]}

    clusters = fit_clusters(docs, vectors, 5, recent=recent)
    labels = np.asarray(clusters.labels)
    label, count = Counter(labels[600:].tolist()).most_common(1)[0]
    assert label not in set(labels[:600].tolist())  # a topic of their own, with none of the old items
    assert count >= 9
    assert "repair" in clusters.keywords[label]
    # The steady themes are untouched.
    for start in range(0, 600, 150):
        assert len(set(labels[start : start + 150].tolist())) == 1
