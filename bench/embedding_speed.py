"""Embedding throughput of the chosen model against a lexical baseline, on the demo corpus.

Baseline (measured in the same run): scikit-learn HashingVectorizer + TF-IDF + TruncatedSVD(384), the
cheapest "embedding" a team would build without a neural model. Also prints the cold import time of
sentence-transformers and how close French and English translations land (cross-lingual cosine).

Run: .venv/bin/python bench/embedding_speed.py
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time

import numpy as np

PAIRS = [
    (
        "The four-day work week is spreading among small companies.",
        "La semaine de quatre jours se répand dans les petites entreprises.",
    ),
    (
        "More people buy second-hand clothes instead of fast fashion.",
        "De plus en plus de gens achètent des vêtements d'occasion plutôt que de la mode jetable.",
    ),
    (
        "Volunteers at repair cafés help neighbours fix their phones.",
        "Des bénévoles des repair cafés aident les voisins à réparer leur téléphone.",
    ),
    (
        "Energy bills push households to heat only one room.",
        "Les factures d'énergie poussent les ménages à ne chauffer qu'une pièce.",
    ),
    (
        "Teenagers swap smartphones for simple phones to go offline.",
        "Des adolescents échangent leur smartphone contre un téléphone basique pour se déconnecter.",
    ),
]


def corpus_texts() -> list[str]:
    from radar.demo.corpus import generate

    corpus = generate()
    return [f"{e.title}. {e.text}" for e in corpus.entries()]


def cold_import_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sentence_transformers"], check=True)
    return time.perf_counter() - start


def baseline_rate(texts: list[str], repeat: int) -> float:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    data = texts * repeat
    start = time.perf_counter()
    counts = HashingVectorizer(n_features=2**18, alternate_sign=False).transform(data)
    weighted = TfidfTransformer().fit_transform(counts)
    TruncatedSVD(n_components=384, random_state=0).fit_transform(weighted)
    return len(data) / (time.perf_counter() - start)


def main() -> None:
    from radar.embedding import SentenceTransformerEmbedder

    texts = corpus_texts()
    words = np.mean([len(t.split()) for t in texts])
    print(f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}")
    print(f"corpus: {len(texts)} demo items, {words:.0f} words on average")
    print(f"cold `import sentence_transformers`: {cold_import_seconds():.1f} s")

    embedder = SentenceTransformerEmbedder()
    start = time.perf_counter()
    embedder.embed(["warm up"])
    print(f"model load (in process): {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    embedder.embed(texts)
    model_rate = len(texts) / (time.perf_counter() - start)
    base = baseline_rate(texts, repeat=4)
    print(f"all-MiniLM-L6-v2 (sentence-transformers, CPU): {model_rate:8.0f} items/s")
    print(f"baseline hashing TF-IDF + SVD(384):             {base:8.0f} items/s")
    print(f"ratio model / baseline: {model_rate / base:.3f}")

    english = embedder.embed([en for en, _ in PAIRS])
    french = embedder.embed([fr for _, fr in PAIRS])
    similarity = english @ french.T
    matched = np.diag(similarity)
    unmatched = similarity[~np.eye(len(PAIRS), dtype=bool)]
    print(
        f"cross-lingual cosine, translation pairs: mean {matched.mean():.2f} (min {matched.min():.2f}, "
        f"max {matched.max():.2f}); unrelated EN/FR pairs: mean {unmatched.mean():.2f}"
    )


if __name__ == "__main__":
    main()
