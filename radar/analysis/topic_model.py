"""Fitting BERTopic on a window of stored embeddings (the only module that imports it)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from radar.analysis.novelty import CondensedTree, novel_groups, relabel
from radar.errors import ModelError
from radar.store.records import Vector

SEED = 42
N_COMPONENTS = 5
# With a warm start from the previous run's layout, UMAP converges in a fraction of its default epochs
# (200 above 10k items, 500 below): measured on 50k items, 60 epochs find 98 clusters where a cold
# fit finds 108, in a fifth of the time (bench/RESULTS.md).
WARM_EPOCHS = 60
# UMAP's neighbourhood, BERTopic's default. 10 neighbours with 30 warm epochs fit the 50k window in three
# quarters of the time, but on the GitHub backtest COVID was then called a spike, never emerging; 30 epochs
# alone raised the flags a month from 1.29 to 1.57 (bench/RESULTS.md). Speed is not bought with detections.
N_NEIGHBORS = 15
# HDBSCAN's density settings (None = min_cluster_size, as BERTopic does); module constants so that
# benchmarks can explore them.
MIN_SAMPLES: int | None = None
SELECTION = "eom"
# Below this share of items with a known position, a warm start is no better than a cold one.
WARM_MIN_KNOWN = 0.5


@dataclass(frozen=True, slots=True)
class Clusters:
    """What one fit found: a cluster index per document (-1 = outlier), ranked keywords per cluster, and
    the documents' positions in the reduced space (to warm-start the next fit)."""

    labels: list[int]
    keywords: dict[int, list[str]]
    probabilities: list[float | None]
    coords: Vector | None = None


def warm_init(vectors: Vector, ids: list[str], known: dict[str, Vector], seed: int = SEED) -> Vector | None:
    """Starting positions for UMAP: an item's last position, or its nearest known neighbour's.

    None when too few items have a position for a warm start to help.
    """
    have = [i for i, item_id in enumerate(ids) if item_id in known]
    if not ids or len(have) < WARM_MIN_KNOWN * len(ids):
        return None
    init = np.zeros((len(ids), N_COMPONENTS), dtype=np.float32)
    for i in have:
        init[i] = known[ids[i]]
    missing = [i for i, item_id in enumerate(ids) if item_id not in known]
    if missing:
        nearest = np.asarray(vectors[missing] @ vectors[have].T).argmax(axis=1)
        jitter = np.random.default_rng(seed).normal(0, 1e-3, (len(missing), N_COMPONENTS)).astype(np.float32)
        init[missing] = init[[have[j] for j in nearest]] + jitter
    return init


def fit_clusters(
    contents: list[str],
    vectors: Vector,
    min_topic_size: int,
    init: Vector | None = None,
    seed: int | None = SEED,
    recent: Sequence[bool] | None = None,
) -> Clusters:
    """Cluster ``contents`` (with their precomputed ``vectors``) into topics with BERTopic.

    ``init`` (from :func:`warm_init`) starts the reduction from known positions. With a ``seed`` the fit
    is reproducible but UMAP runs on one core; ``seed=None`` uses every core (about twice as fast on two).
    ``recent`` marks the documents of the recent period: small groups of mostly recent documents that the
    fit folded into a larger topic become topics of their own (:mod:`radar.analysis.novelty`).
    Too few documents for two topics of ``min_topic_size`` give no clusters rather than an error.
    """
    n = len(contents)
    if n < 2 * min_topic_size or n < 10:
        return Clusters(labels=[-1] * n, keywords={}, probabilities=[None] * n)
    try:
        model = _build_model(n, min_topic_size, init, seed)
        labels, probabilities = model.fit_transform(contents, embeddings=vectors)
    except ValueError as exc:
        # Degenerate windows (all documents identical, empty vocabulary) are "no topics", not a crash.
        if "vocabulary" in str(exc) or "n_samples" in str(exc):
            return Clusters(labels=[-1] * n, keywords={}, probabilities=[None] * n)
        raise ModelError(f"topic model failed on {n} documents: {exc}") from exc
    keywords: dict[int, list[str]] = {}
    for topic_id in set(labels):
        if topic_id == -1:
            continue
        words = model.get_topic(topic_id) or []
        keywords[int(topic_id)] = [word for word, _score in words if word][:10]
    labels = [int(label) for label in labels]
    if recent is not None:
        labels = _split_novel(model, contents, labels, recent, min_topic_size, keywords)
    probs: list[float | None] = (
        [float(p) for p in np.asarray(probabilities).reshape(n, -1).max(axis=1)]
        if probabilities is not None
        else [None] * n
    )
    coords = np.asarray(model.umap_model.embedding_, dtype=np.float32)
    return Clusters(labels=labels, keywords=keywords, probabilities=probs, coords=coords)


def _split_novel(
    model: Any,
    contents: list[str],
    labels: list[int],
    recent: Sequence[bool],
    min_topic_size: int,
    keywords: dict[int, list[str]],
) -> list[int]:
    """Give the novel leaves of the fit's hierarchy labels of their own, with c-TF-IDF keywords."""
    raw = model.hdbscan_model.condensed_tree_.to_numpy()
    tree = CondensedTree(
        parent=raw["parent"].tolist(),
        child=raw["child"].tolist(),
        child_size=raw["child_size"].tolist(),
        n_points=len(labels),
    )
    groups = novel_groups(tree, labels, recent, min_topic_size)
    if not groups:
        return labels
    labels, added = relabel(labels, groups)
    from scipy.sparse import csr_matrix

    words = np.asarray(model.vectorizer_model.get_feature_names_out())
    for label, group in zip(added, groups, strict=True):
        counts = csr_matrix(model.vectorizer_model.transform([contents[i] for i in group]).sum(axis=0))
        scores = np.asarray(model.ctfidf_model.transform(counts).toarray()).ravel()
        top = np.argsort(-scores)[:10]
        keywords[label] = [str(words[j]) for j in top if scores[j] > 0]
    return labels


def _build_model(n: int, min_topic_size: int, init: Vector | None, seed: int | None) -> Any:
    with warnings.catch_warnings():
        # umap warns at import that TensorFlow (for its parametric variant, unused here) is absent.
        warnings.simplefilter("ignore", ImportWarning)
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import CountVectorizer
        from umap import UMAP

    from radar.analysis.stopwords import TOKEN_PATTERN, stop_words

    umap_model = UMAP(
        n_neighbors=max(2, min(N_NEIGHBORS, n - 1)),
        n_components=N_COMPONENTS,
        min_dist=0.0,
        metric="cosine",
        init=init if init is not None else "spectral",
        n_epochs=WARM_EPOCHS if init is not None else None,
        random_state=seed,  # reproducible, but then UMAP is single-threaded
        n_jobs=1 if seed is not None else -1,
    )
    hdbscan_model = HDBSCAN(
        min_cluster_size=min_topic_size,
        min_samples=MIN_SAMPLES,
        metric="euclidean",
        cluster_selection_method=SELECTION,
        # Membership probabilities are not computed (calculate_probabilities=False), so no prediction data.
        prediction_data=False,
        # hdbscan's default (4) computes core distances in a pool of worker processes: on 50k items and two
        # cores that took 4.0-6.6 s against 3.2 s in-process (the pool's start-up and the data's copy cost
        # more than the work; same clusters). bench/RESULTS.md.
        core_dist_n_jobs=1,
    )
    vectorizer = CountVectorizer(
        stop_words=stop_words(),
        ngram_range=(1, 2),
        # No min_df: BERTopic fits the vectorizer on one joined document per topic, so min_df=2 would keep
        # only words shared by two topics and drop each topic's most distinctive words from its label.
        # Words of two letters or more, hyphenated compounds kept, French elisions (d'un, l'eau) split.
        token_pattern=TOKEN_PATTERN,
    )
    return BERTopic(
        umap_model=umap_model,
        hdbscan_model=hdbscan_model,
        vectorizer_model=vectorizer,
        calculate_probabilities=False,
        # "english" makes BERTopic strip every non-ASCII character before counting words ("Plutôt" ->
        # "Plutt"); the embeddings are ours, so this setting only affects that clean-up.
        language="multilingual",
        verbose=False,
    )
