"""The daily analysis of a 50k-item window against one default BERTopic fit_transform, same embeddings.

Baseline (same run): ``BERTopic().fit_transform(docs, embeddings)`` with BERTopic's defaults. Then Vigie's
daily analysis: yesterday's run left the items' positions in the reduced space; today's window drops the
oldest day, adds a new one, and is fitted warm (``fit_clusters`` with ``warm_init``) then tracked, measured
and classified (``analyse_step``). Each phase runs in its own process, so that peak memory is its own, and
each process first fits a small sample so that numba's one-time compilation is not timed.

The embeddings are synthetic (unit vectors around 150 centres of Zipf sizes, 20% noise) with words drawn
per centre, because embedding 50k real texts takes a quarter of an hour on this machine.

Run: .venv/bin/python bench/analysis_speed.py [--items 50000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

DAYS = 42


def make_corpus(n: int, folder: Path, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    total = n + n // DAYS  # one more day of items for "today"
    centres = rng.normal(size=(150, 384))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    weights = rng.zipf(1.6, size=150).astype(float)
    weights /= weights.sum()
    labels = np.where(rng.random(total) < 0.8, rng.choice(150, size=total, p=weights), -1)
    vectors = np.where((labels >= 0)[:, None], centres[np.maximum(labels, 0)], 0.0) + rng.normal(
        scale=0.045, size=(total, 384)
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vocab = [_word(c * 12 + k) for c in range(150) for k in range(12)]
    docs = [
        " ".join(rng.choice(vocab[c * 12 : c * 12 + 12], 6)) + " " + " ".join(rng.choice(vocab, 4))
        if c >= 0
        else " ".join(rng.choice(vocab, 10))
        for c in labels
    ]
    np.save(folder / "vectors.npy", vectors.astype(np.float32))
    np.save(folder / "truth.npy", labels)
    (folder / "docs.json").write_text(json.dumps(docs))


def _word(index: int) -> str:
    """A pronounceable-enough word of letters only (the vectorizer ignores digits)."""
    letters = "bcdfghjklmnpqrstvwxz"
    vowels = "aeiou"
    out = ""
    for _ in range(3):
        out += letters[index % 20] + vowels[(index // 20) % 5]
        index //= 100
    return out


def _load(folder: Path) -> tuple[np.ndarray, list[str]]:
    return np.load(folder / "vectors.npy"), json.loads((folder / "docs.json").read_text())


def _warm_numba() -> None:
    """Compile numba's code paths once, as a long-running worker would have: above 4096 items UMAP
    switches to NN-descent, and a warm start takes the array-init path."""
    warnings.simplefilter("ignore")
    import bertopic  # noqa: F401 - imported before the clock starts in every phase, as in a running worker
    from umap import UMAP

    sample = np.random.default_rng(1).normal(size=(6000, 384)).astype(np.float32)
    layout = UMAP(n_components=5, metric="cosine", n_jobs=1, random_state=1, n_epochs=5).fit_transform(sample)
    UMAP(n_components=5, metric="cosine", n_jobs=1, random_state=1, n_epochs=5, init=layout).fit_transform(
        sample
    )
    # Unseeded UMAP runs numba's parallel code paths, compiled separately (about 2 s): a worker has them.
    UMAP(n_components=5, metric="cosine", n_epochs=5, init=layout).fit_transform(sample)


def phase_baseline(folder: Path, n: int) -> dict[str, float]:
    from bertopic import BERTopic

    vectors, docs = _load(folder)
    _warm_numba()
    start = time.perf_counter()
    labels, _ = BERTopic().fit_transform(docs[:n], embeddings=vectors[:n])
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "clusters": len(set(labels) - {-1}), "ari": _ari(folder, labels, 0)}


def _ari(folder: Path, labels: object, offset: int) -> float:
    """Agreement with the centres the items were drawn around (adjusted Rand index; outliers one class)."""
    from sklearn.metrics import adjusted_rand_score

    found = np.asarray(labels)
    truth = np.load(folder / "truth.npy")[offset : offset + len(found)]
    return round(float(adjusted_rand_score(truth, found)), 3)


def _window(vectors: np.ndarray, docs: list[str], lo: int, hi: int, n: int) -> object:
    from radar.store.records import Window

    per_day = n // DAYS
    now = datetime(2026, 6, 30, tzinfo=UTC)
    days = [now - timedelta(days=DAYS - 1 - (i // per_day)) for i in range(lo, hi)]
    return Window(
        ids=[f"i{i}" for i in range(lo, hi)],
        published=days,
        sources=[f"s{i % 7}" for i in range(lo, hi)],
        langs=["en"] * (hi - lo),
        contents=docs[lo:hi],
        vectors=vectors[lo:hi],
    )


def phase_cold(folder: Path, n: int) -> dict[str, float]:
    """Yesterday's run, cold: also leaves the positions for today."""
    from radar.analysis.topic_model import fit_clusters

    vectors, docs = _load(folder)
    _warm_numba()
    window = _window(vectors, docs, 0, n, n)
    start = time.perf_counter()
    clusters = fit_clusters(window.contents, window.vectors, 10)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - start
    assert clusters.coords is not None
    np.save(folder / "positions.npy", clusters.coords)
    return {
        "seconds": seconds,
        "clusters": len(set(clusters.labels) - {-1}),
        "ari": _ari(folder, clusters.labels, 0),
    }


def phase_daily_parallel(folder: Path, n: int) -> dict[str, float]:
    return phase_daily(folder, n, seed=None)


def phase_daily(folder: Path, n: int, seed: int | None = 42) -> dict[str, float]:
    from radar.analysis.step import analyse_step
    from radar.analysis.topic_model import fit_clusters, warm_init
    from radar.signals import SignalParams

    vectors, docs = _load(folder)
    _warm_numba()
    positions = np.load(folder / "positions.npy")
    known = {f"i{i}": positions[i] for i in range(n)}
    shift = n // DAYS
    window = _window(vectors, docs, shift, n + shift, n)
    start = time.perf_counter()
    init = warm_init(window.vectors, window.ids, known)  # type: ignore[attr-defined]
    clusters = fit_clusters(window.contents, window.vectors, 10, init, seed)  # type: ignore[attr-defined]
    analyse_step(
        window,
        clusters,
        as_of=datetime(2026, 6, 30, 23, tzinfo=UTC),
        id_prefix="t",  # type: ignore[arg-type]
        tracked={},
        params=SignalParams(),
    )
    return {
        "seconds": time.perf_counter() - start,
        "clusters": len(set(clusters.labels) - {-1}),
        "ari": _ari(folder, clusters.labels, shift),
        "warm": init is not None,
    }


PHASES = {
    "baseline": phase_baseline,
    "cold": phase_cold,
    "daily": phase_daily,
    "daily-parallel": phase_daily_parallel,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.phase:
        result = PHASES[args.phase](args.folder, args.items)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_corpus(args.items, folder)
        results = {}
        for phase in ("baseline", "cold", "daily", "daily-parallel"):
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--phase",
                    phase,
                    "--folder",
                    str(folder),
                    "--items",
                    str(args.items),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                raise SystemExit(f"phase {phase} failed:\n{out.stderr[-3000:]}")
            results[phase] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{phase:<9} {results[phase]}", flush=True)
    base = results["baseline"]["seconds"]
    for phase in ("cold", "daily", "daily-parallel"):
        print(
            f"{phase} / default BERTopic fit_transform: {results[phase]['seconds'] / base:.2f}x, "
            f"peak memory {results[phase]['peak_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
