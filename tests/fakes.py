"""Test doubles for pure-logic tests. Integrations are tested with the real parts elsewhere."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from radar.store.records import Vector


class HashEmbedder:
    """Bag of hashed words, L2-normalised: texts sharing words are close. Deterministic and instant."""

    name = "test-hash-64"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> Vector:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w{3,}", text.lower()):
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        result: Vector = out / norms
        return result
