"""Near-duplicate detection: a 64-bit SimHash of an item's normalised words.

Why SimHash rather than MinHash + LSH: one 64-bit integer per item fits the ``items.simhash`` column,
and comparing a new item with every recent one is one vectorised XOR and popcount (100k candidates in
well under a millisecond), so no band table or extra index is needed. MinHash would estimate Jaccard
similarity more faithfully on short texts, but needs ~100 hashes per item and an LSH band table.

The fingerprint is computed on the *normalised* content: NFKC, case-folded, punctuation and spacing
ignored, cut into overlapping word pairs (``SHINGLE_WORDS``). Each shingle is hashed with blake2b (not
Python's ``hash()``, which is salted per process), so a fingerprint is the same in every run, process
and machine, and can be stored.

Threshold (``THRESHOLD`` = 7 bits), measured by ``bench/neardup_threshold.py`` (figures in
``bench/RESULTS.md``): fingerprints of distinct texts differ like random 64-bit words (median 32 bits);
none of 150k pairs of distinct same-theme demo items came within 9 bits, and the corpus pairs within
8 bits were all the same repository under two names. For random words, "within 7 bits" has a chance
of 4e-11 per pair: about 0.2 false matches a week at 50k new items against 100k recent ones. Pairs
of single-word shingles did catch more edits but brought same-theme items within 4 bits; 3-word
shingles caught fewer edits with no gain in separation.

What it catches, and not: SimHash measures the share of changed shingles, so a copy with a source
suffix on the title or one changed word is caught for texts of 40+ words (about 3 in 4), rarely for
a 15-word text; a summary cut to 80% is caught about 1 time in 3. A story retold in other words is
never a near-duplicate here; clustering puts it in the same topic anyway.

Short texts: with few shingles, one changed word flips many bits, so below ``MIN_SHINGLES`` shingles
the fingerprint is a plain 64-bit hash of the normalised words instead: two such fingerprints are
within the threshold only when the normalised texts are identical (or by the chance above). Below
``MIN_CHARS`` normalised characters there is no fingerprint at all: "Video", "Weekly update" or
"Untitled" from two sources are not the same story.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

import numpy as np

SHINGLE_WORDS = 2
# Under this many shingles (9 words), only identical normalised text counts as a duplicate.
MIN_SHINGLES = 8
# Under this many normalised characters, no fingerprint: such texts are too generic to match.
MIN_CHARS = 24
# Largest Hamming distance between two fingerprints of the same story (see bench/RESULTS.md).
THRESHOLD = 7
# A copy is looked for among originals published at most this long before or after it.
WINDOW = timedelta(days=7)

_WORDS = re.compile(r"\w+", re.UNICODE)
_SIGN = 1 << 63
_MASK = (1 << 64) - 1


def normalise(title: str, text: str) -> list[str]:
    """The words of ``title`` and ``text``, case-folded, without punctuation or spacing."""
    folded = unicodedata.normalize("NFKC", f"{title} {text}").casefold()
    # "\w" keeps "_" inside words; underscores are punctuation to a reader (snake_case is two words).
    words: list[str] = _WORDS.findall(folded.replace("_", " "))
    return words


def shingles(words: Sequence[str], size: int = SHINGLE_WORDS) -> list[str]:
    """Overlapping runs of ``size`` words (one shingle of all the words when there are fewer)."""
    if len(words) <= size:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]


def _hash64(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def simhash(features: Iterable[str]) -> int:
    """Unsigned 64-bit SimHash of ``features`` (each counted once): bit i is set when most features'
    hashes have bit i set. Ties (and no features) give 0 bits."""
    unique = sorted(set(features))
    if not unique:
        return 0
    digests = np.frombuffer(b"".join(_hash64(f) for f in unique), dtype=np.uint8)
    bits = np.unpackbits(digests).reshape(len(unique), 64)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 - len(unique)
    value = 0
    for bit in (votes > 0).tolist():  # most significant bit first, as unpackbits gives them
        value = (value << 1) | int(bit)
    return value


def fingerprint(title: str, text: str) -> int | None:
    """Unsigned 64-bit fingerprint of an item's content, or None when it is too short to compare.

    A SimHash of word shingles when there are at least ``MIN_SHINGLES`` of them, else a hash of the
    exact normalised words (see the module docstring).
    """
    words = normalise(title, text)
    joined = " ".join(words)
    if len(joined) < MIN_CHARS:
        return None
    grams = shingles(words, SHINGLE_WORDS)
    if len(grams) < MIN_SHINGLES:
        return int.from_bytes(_hash64("exact\x1f" + joined), "big")
    return simhash(grams)


def distance(a: int, b: int) -> int:
    """Hamming distance between two 64-bit fingerprints (signed or unsigned forms alike)."""
    return ((a ^ b) & _MASK).bit_count()


def is_near(a: int, b: int, threshold: int = THRESHOLD) -> bool:
    return distance(a, b) <= threshold


def to_signed(value: int) -> int:
    """The form stored in a signed 64-bit column (databases have no unsigned 64-bit integer)."""
    value &= _MASK
    return value - (1 << 64) if value & _SIGN else value


def to_unsigned(value: int) -> int:
    return value & _MASK


class NearIndex:
    """Fingerprints of original items with their publication time, searched for a near one.

    Pure and in memory: the store fills one per ``add_items`` call with the recent originals, the
    backtest one per corpus. Only originals should be added, so that a chain of small edits never
    makes a duplicate of a duplicate (each one is compared with the story as first seen). While items
    are added in publication order (a backtest), a search looks at the window's slice only, so a
    corpus of n items costs n times the window, not n squared.
    """

    def __init__(self, threshold: int = THRESHOLD, window: timedelta = WINDOW) -> None:
        self.threshold = threshold
        self.window = window
        self._values = np.zeros(64, dtype=np.uint64)
        self._times = np.zeros(64, dtype=np.float64)
        self._keys: list[str] = []
        self._in_order = True

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, value: int, published: datetime, key: str) -> None:
        size = len(self._keys)
        if size == len(self._values):  # grow by doubling: adding n items costs O(n) copies
            self._values = np.resize(self._values, 2 * size)
            self._times = np.resize(self._times, 2 * size)
        moment = published.timestamp()
        self._in_order = self._in_order and (size == 0 or moment >= self._times[size - 1])
        self._values[size] = to_unsigned(value)
        self._times[size] = moment
        self._keys.append(key)

    def extend(self, rows: Iterable[tuple[int, datetime, str]]) -> None:
        """Add many ``(fingerprint, published, key)`` at once (a store's recent originals)."""
        batch = list(rows)
        if not batch:
            return
        values = np.array([to_unsigned(value) for value, _, _ in batch], dtype=np.uint64)
        times = np.array([published.timestamp() for _, published, _ in batch], dtype=np.float64)
        size = len(self._keys)
        last = self._times[size - 1] if size else -np.inf
        self._in_order = self._in_order and bool(times[0] >= last) and bool(np.all(np.diff(times) >= 0))
        self._values = np.concatenate([self._values[:size], values])
        self._times = np.concatenate([self._times[:size], times])
        self._keys.extend(key for _, _, key in batch)

    def find(self, value: int, published: datetime) -> str | None:
        """Key of the nearest fingerprint within the threshold, published within the window of
        ``published``; on a tie, the one added first. None when there is none."""
        moment, span = published.timestamp(), self.window.total_seconds()
        times = self._times[: len(self._keys)]
        if self._in_order:
            start = int(np.searchsorted(times, moment - span, side="left"))
            stop = int(np.searchsorted(times, moment + span, side="right"))
        else:
            start, stop = 0, len(times)
        if start >= stop:
            return None
        distances = np.bitwise_count(self._values[start:stop] ^ np.uint64(to_unsigned(value)))
        near = (distances <= self.threshold) & (np.abs(times[start:stop] - moment) <= span)
        if not near.any():
            return None
        best = int(np.argmin(np.where(near, distances, 65)))  # argmin returns the first minimum
        return self._keys[start + best]
