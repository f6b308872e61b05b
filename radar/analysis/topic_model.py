"""Fitting BERTopic on a window of stored embeddings (the only module that imports it)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from radar.errors import ModelError
from radar.store.records import Vector

SEED = 42


@dataclass(frozen=True, slots=True)
class Clusters:
    """What one fit found: a cluster index per document (-1 = outlier) and ranked keywords per cluster."""

    labels: list[int]
    keywords: dict[int, list[str]]
    probabilities: list[float | None]


def fit_clusters(contents: list[str], vectors: Vector, min_topic_size: int) -> Clusters:
    """Cluster ``contents`` (with their precomputed ``vectors``) into topics with BERTopic.

    Too few documents for two topics of ``min_topic_size`` give no clusters rather than an error.
    """
    n = len(contents)
    if n < 2 * min_topic_size or n < 10:
        return Clusters(labels=[-1] * n, keywords={}, probabilities=[None] * n)
    try:
        model = _build_model(n, min_topic_size)
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
    probs: list[float | None] = (
        [float(p) for p in np.asarray(probabilities).reshape(n, -1).max(axis=1)]
        if probabilities is not None
        else [None] * n
    )
    return Clusters(labels=[int(label) for label in labels], keywords=keywords, probabilities=probs)


def _build_model(n: int, min_topic_size: int) -> Any:
    with warnings.catch_warnings():
        # umap warns at import that TensorFlow (for its parametric variant, unused here) is absent.
        warnings.simplefilter("ignore", ImportWarning)
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import CountVectorizer
        from umap import UMAP

    from radar.analysis.stopwords import stop_words

    umap_model = UMAP(
        n_neighbors=max(2, min(15, n - 1)),
        n_components=5,
        min_dist=0.0,
        metric="cosine",
        random_state=SEED,  # reproducible runs; UMAP is then single-threaded, which is fine on 2 cores
        n_jobs=1,
    )
    hdbscan_model = HDBSCAN(
        min_cluster_size=min_topic_size,
        metric="euclidean",
        cluster_selection_method="eom",
        prediction_data=True,
    )
    vectorizer = CountVectorizer(
        stop_words=stop_words(),
        ngram_range=(1, 2),
        min_df=2 if n >= 40 else 1,
        # Words of two letters or more, hyphenated compounds kept, French elisions (d'un, l'eau) split.
        token_pattern=r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b",
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
